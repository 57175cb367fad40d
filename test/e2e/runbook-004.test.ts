import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { TimelineEntry } from '../../src/domain/incident';
import { explain, runCli } from '../client/cli/process';
import { eventually, startRig, type Rig } from './stack';

/**
 * Runbook 004 (incident response), step by step through the `incident` CLI as a separate process, against the dev
 * server, a worker process and the providers' fakes: declare with an IC, triage, stabilize (the service's rollback
 * runs), mitigate, communicate (update and page), verify (checkout's health and error-rate checks), close and document.
 */

const ID = 'runbook-004';
let rig: Rig;
let cliEnv: Record<string, string>;

before(async () => {
  rig = await startRig({
    sev1: {},
    checkout: (healthUrl) => ({ actions: { rollback: { webhook: { url: `${healthUrl}/deploys/rollback` } } } }),
  });
  rig.health.set('/deploys/rollback', { mode: 'healthy' });
  await rig.startWorker();
  cliEnv = {
    TEMPORAL_ADDRESS: rig.workerEnv.TEMPORAL_ADDRESS ?? '',
    TEMPORAL_NAMESPACE: rig.workerEnv.TEMPORAL_NAMESPACE ?? 'default',
    INCIDENT_TASK_QUEUE: rig.taskQueue,
    INCIDENT_POLICY: rig.workerEnv.INCIDENT_POLICY ?? '',
  };
});

after(async () => {
  await rig?.close();
});

/** One CLI command that must succeed; answers what it printed. */
async function incident(...args: string[]): Promise<string> {
  const run = await runCli(args, cliEnv);
  assert.equal(run.code, 0, `incident ${args.join(' ')}\n${explain(run)}`);
  return run.stdout;
}

test("runbook 004's procedure through the CLI: the timeline follows the runbook's order", async () => {
  // Prerequisites: who may be paged, and when.
  assert.match(await incident('contacts', '--severity', 'SEV-1'), /secondary-oncall/);

  // 1. Declare and classify severity: the channel opens, the IC is named.
  await incident(
    'declare',
    '--id',
    ID,
    '--severity',
    'SEV-1',
    '--title',
    'Checkout is down',
    '--service',
    'checkout',
    '--commander',
    'alice',
  );
  await incident('ack', ID, '--by', 'pat');

  // 2. Triage signals: dashboards, top errors, recent changes; the blast radius as a note.
  assert.match(await incident('diagnose', ID, '--by', 'alice', '--reason', 'triage'), /diagnostics/);
  await incident('note', ID, 'blast radius: EU tenants, card payments only', '--by', 'alice');

  // 3. Stabilize: roll back the latest deploy (the service's rollback runs, then its checks).
  await incident('rollback', ID, '--by', 'alice', '--reason', 'deploy v42 correlates with the errors');
  assert.equal(
    rig.health.requests.filter((r) => r.method === 'POST' && r.path === '/deploys/rollback').length,
    1,
    'the rollback webhook ran once',
  );

  // 4. Mitigate: the symptom's own runbook, recorded with its outcome.
  const started = await incident(
    'mitigate',
    ID,
    '--action',
    'restart the session cache',
    '--kind',
    'restart',
    '--by',
    'bob',
  );
  const mitigation = /mitigation (m\d+) started/.exec(started)?.[1];
  assert.ok(mitigation, started);
  await incident('mitigated', ID, mitigation, '--by', 'bob');

  // 5. Communicate: the next update's cadence, and the secondary on-call paged.
  await incident(
    'update',
    ID,
    '--impact',
    'checkout recovering',
    '--hypothesis',
    'deploy v42',
    '--next',
    '15m',
    '--by',
    'alice',
  );
  await incident('page', ID, '--target', 'secondary-oncall', '--reason', 'database expertise', '--by', 'alice');

  // 6. Verify recovery: checkout's health and its error rate at baseline.
  assert.match(await incident('resolve', ID, '--by', 'alice', '--summary', 'deploy v42 rolled back'), /resolved/);

  // 7. Close and document: the postmortem is drafted; a follow-up ticket is filed on it.
  await incident('close', ID, '--by', 'alice');
  await eventually('the postmortem draft', async () => (await timeline()).some((e) => e.type === 'postmortem'), 30_000);
  const due = new Date(Date.now() + 7 * 24 * 3600_000).toISOString();
  await incident(
    'action',
    'add',
    ID,
    '--title',
    'Alert on checkout 5xx',
    '--owner',
    'alice',
    '--due',
    due,
    '--kind',
    'detect',
    '--by',
    'alice',
  );

  const entries = await timeline();
  const order: Array<[string, (e: TimelineEntry) => boolean]> = [
    ['1 declared with its IC', (e) => e.type === 'declared' && e.data?.commander === 'alice'],
    ['2 triage diagnostics', (e) => e.type === 'diagnostics' && e.actor === 'alice'],
    ['2 blast radius', (e) => e.type === 'note' && e.message.startsWith('blast radius')],
    ['3 rollback started', (e) => e.type === 'mitigation-started' && e.data?.kind === 'rollback'],
    ['3 rollback verified', (e) => e.type === 'smoke-tests' && e.data?.passed === true],
    ['4 mitigation', (e) => e.type === 'mitigation-finished' && e.data?.mitigationId === mitigation],
    ['5 status update', (e) => e.type === 'status-update'],
    ['5 secondary paged', (e) => e.type === 'escalation' && e.data?.target === 'secondary-oncall'],
    ['6 verified', (e) => e.type === 'resolved' && e.actor === 'alice'],
    ['7 closed', (e) => e.type === 'closed'],
  ];
  let previous = -1;
  for (const [step, matches] of order) {
    const index = entries.findIndex((e, i) => i > previous && matches(e));
    assert.ok(
      index > previous,
      `${step} after the step before it:\n${entries.map((e) => `${e.type} ${e.message}`).join('\n')}`,
    );
    previous = index;
  }
  const resolvedAt = entries.findIndex((e) => e.type === 'resolved');
  const checks = entries
    .slice(0, resolvedAt)
    .filter((e) => e.type === 'smoke-tests')
    .at(-1);
  assert.equal(checks?.data?.checks, 2, 'health and error rate verified the resolution');
  assert.ok(entries.findIndex((e) => e.type === 'postmortem') > resolvedAt, 'the postmortem follows the resolution');
});

async function timeline(): Promise<TimelineEntry[]> {
  return rig.incidents.timeline(ID);
}
