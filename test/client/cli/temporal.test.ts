import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { embeddedProviders } from '../../../src/activities/defaults';
import { localDirs } from '../../../src/config';
import { buildPolicy } from '../../../src/domain/policy';
import { createWorker, type IncidentWorker } from '../../../src/worker';
import { createDevServerEnv } from '../../support/temporal';
import { explain, runCli, type CliRun } from './process';

/**
 * The CLI against a real dev server and an in-process worker: exit codes 0/3/4 and the JSON a script reads.
 * Every call is a separate `incident` process, as on a terminal.
 */

let env: TestWorkflowEnvironment;
let worker: IncidentWorker;
let running: Promise<void>;
let dataDir: string;
let outboxDir: string;
let health: Server;
let cliEnv: Record<string, string>;

before(async () => {
  // The worker's per-task logs would bury the test report; failures still show.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  env = await createDevServerEnv();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'incident-cli-data-'));
  outboxDir = localDirs(dataDir).outboxDir;
  // A service whose smoke check always fails, to see a resolution refused.
  health = createServer((_req, res) => res.writeHead(503).end('down'));
  health.listen(0, '127.0.0.1');
  await once(health, 'listening');
  const { port } = health.address() as { port: number };
  const policy = buildPolicy({
    services: { payments: { smokeChecks: [{ name: 'health', url: `http://127.0.0.1:${port}/health` }] } },
  });
  const taskQueue = `cli-test-${process.pid}`;
  worker = await createWorker({
    connection: env.nativeConnection,
    taskQueue,
    providers: embeddedProviders(policy, localDirs(dataDir)),
  });
  running = worker.run();
  cliEnv = {
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_NAMESPACE: env.namespace ?? 'default',
    INCIDENT_TASK_QUEUE: taskQueue,
    INCIDENT_OUTBOX_DIR: outboxDir,
  };
});

after(async () => {
  worker.shutdown();
  await running;
  await env.teardown();
  health.close();
  await rm(dataDir, { recursive: true, force: true });
});

const incident = (...args: string[]) => runCli(args, cliEnv);

function ok(run: CliRun): CliRun {
  assert.equal(run.code, 0, explain(run));
  return run;
}

function json<T>(run: CliRun): T {
  return JSON.parse(ok(run).stdout) as T;
}

interface ShowJson {
  id: string;
  title: string;
  severity: string;
  status: string;
  roles: Record<string, string>;
  mitigations: Array<{ id: string; outcome?: string }>;
  deadlines: Array<{ kind: string; at: string }>;
  timeline: Array<{ at: string; type: string; actor: string; message: string }>;
}

interface ListRow {
  id: string;
  title: string;
  severity: string;
  status: string;
  service: string;
  execution: string;
}

/** Visibility (what `list` reads) trails the workflow by a moment. */
async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) assert.fail('not listed in time');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

void test('declare → ack → show --json: the incident as a script sees it', async () => {
  const declared = json<ShowJson>(
    await incident('declare', '--severity', 'sev1', '--title', 'Checkout down', '--json'),
  );
  assert.match(declared.id, /^\d{8}-[a-z0-9]{4}$/, 'a generated, date-prefixed id');
  assert.equal(declared.severity, 'SEV-1');
  assert.equal(declared.status, 'declared');

  const acked = ok(await incident('ack', declared.id, '--by', 'alice'));
  assert.match(acked.stdout, new RegExp(`acknowledged by alice\\n${declared.id} · SEV-1 · ACKNOWLEDGED`));

  const shown = json<ShowJson>(await incident('show', declared.id, '--json'));
  assert.equal(shown.id, declared.id);
  assert.equal(shown.title, 'Checkout down');
  assert.equal(shown.severity, 'SEV-1');
  assert.equal(shown.status, 'acknowledged');
  assert.equal(shown.roles.oncall, 'alice');
  const types = shown.timeline.map((e) => e.type);
  assert.ok(types.includes('declared') && types.includes('acknowledged'), types.join());
  for (const entry of shown.timeline) {
    assert.match(entry.at, ISO);
    assert.equal(typeof entry.actor, 'string');
  }
  assert.equal(shown.timeline.find((e) => e.type === 'acknowledged')?.actor, 'alice');
  // Acknowledged SEV-1: no ack escalation left, but the status cadence, the unresolved clock and (nobody has taken
  // command yet) the take-command reminder run.
  const kinds = shown.deadlines.map((d) => d.kind);
  assert.deepEqual(kinds.sort(), ['commander-reminder', 'status-reminder', 'unresolved-escalation']);
  for (const deadline of shown.deadlines) {
    assert.match(deadline.at, ISO);
    assert.ok(Date.parse(deadline.at) > Date.now(), 'deadlines lie ahead');
  }

  const human = ok(await incident('show', declared.id));
  assert.match(human.stdout, new RegExp(`^${declared.id} · SEV-1 · ACKNOWLEDGED\\nCheckout down\\n`));
  assert.match(human.stdout, /roles: +oncall alice/);
  assert.match(human.stdout, /^ {2}in \d+m +\d\d:\d\d:\d\d {2}status update due/m);
});

void test('an unknown incident exits 3 for commands and queries alike', async () => {
  for (const args of [
    ['ack', 'no-such-incident', '--by', 'alice'],
    ['show', 'no-such-incident'],
    ['timeline', 'no-such-incident'],
  ]) {
    const run = await incident(...args);
    assert.equal(run.code, 3, explain(run));
    assert.match(run.stderr, /no incident no-such-incident/, explain(run));
  }
});

void test('an illegal transition exits 4 with the reason, and changes nothing', async () => {
  ok(await incident('declare', '--id', 'cli-illegal', '--severity', 'SEV-3', '--title', 'Slow search'));
  const before = json<ShowJson>(await incident('show', 'cli-illegal', '--json'));

  const close = await incident('close', 'cli-illegal', '--by', 'alice');
  assert.equal(close.code, 4, explain(close));
  assert.match(close.stderr, /cannot close incident cli-illegal while it is declared: resolve it first/);

  const mitigated = await incident('mitigated', 'cli-illegal', 'm7', '--by', 'alice', '--json');
  assert.equal(mitigated.code, 4, explain(mitigated));
  const { error } = JSON.parse(mitigated.stderr) as { error: { type: string; reason: string } };
  assert.deepEqual(error.type, 'Rejected');
  assert.equal(error.reason, 'IllegalTransition');

  const again = await incident('declare', '--id', 'cli-illegal', '--severity', 'SEV-2', '--title', 'Dup');
  assert.equal(again.code, 4, explain(again));
  assert.match(again.stderr, /incident cli-illegal already exists/);

  const after = json<ShowJson>(await incident('show', 'cli-illegal', '--json'));
  assert.deepEqual(after.timeline, before.timeline, 'rejected commands leave no trace');
  assert.equal(after.status, 'declared');
});

void test('a whole incident through every command, then list, timeline and outbox find it', async () => {
  const id = 'cli-lifecycle';
  ok(
    await incident(
      'declare',
      '--id',
      id,
      '--severity',
      'SEV-2',
      '--title',
      'Payments failing',
      '--service',
      'payments',
    ),
  );
  ok(await incident('ack', id, '--by', 'alice'));
  ok(await incident('assign', id, '--role', 'commander', '--user', 'carol', '--by', 'alice'));
  ok(
    await incident(
      'update',
      id,
      '--impact',
      '5% of payments fail',
      '--hypothesis',
      'bad deploy',
      '--next',
      '5m',
      '--by',
      'carol',
    ),
  );
  ok(await incident('severity', id, 'SEV-1', '--by', 'carol', '--reason', 'spreading'));
  const started = ok(
    await incident('mitigate', id, '--action', 'roll back deploy 4711', '--kind', 'rollback', '--by', 'bob'),
  );
  assert.match(started.stdout, new RegExp(`incident mitigated ${id} m1`));
  ok(await incident('mitigated', id, 'm1', '--by', 'bob'));
  ok(await incident('mitigate', id, '--action', 'flush the payment cache', '--kind', 'restart', '--by', 'bob'));
  const failed = ok(await incident('mitigated', id, 'm2', '--failed', '--by', 'bob'));
  assert.match(
    failed.stdout,
    /^mitigation m2 failed\nrollback: no rollback configured for service payments\nsmoke tests: health FAILED/,
  );

  // The payments health check fails, so the incident refuses to be resolved: exit 4, and it is not resolved.
  const refused = await incident('resolve', id, '--by', 'carol');
  assert.equal(refused.code, 4, explain(refused));
  assert.match(refused.stderr, /not resolved: smoke tests failed/);
  assert.match(refused.stdout, /smoke tests: health FAILED/);

  ok(await incident('note', id, 'health check flaps; resolving on manual verification', '--by', 'carol'));
  const shown = json<ShowJson>(await incident('show', id, '--json'));
  assert.equal(shown.status, 'mitigating');
  assert.equal(shown.severity, 'SEV-1');
  assert.deepEqual(shown.roles, { oncall: 'alice', commander: 'carol' });
  assert.deepEqual(
    shown.mitigations.map((m) => [m.id, m.outcome]),
    [
      ['m1', 'succeeded'],
      ['m2', 'failed'],
    ],
  );

  const row = await eventually(async () => {
    const list = json<ListRow[]>(await incident('list', '--severity', 'SEV-1', '--status', 'open', '--json'));
    return list.find((r) => r.id === id && r.status === 'mitigating');
  });
  assert.equal(row.title, 'Payments failing');
  assert.equal(row.severity, 'SEV-1');
  assert.equal(row.service, 'payments');
  const closedOnly = json<ListRow[]>(await incident('list', '--status', 'closed', '--json'));
  assert.ok(!closedOnly.some((row) => row.id === id), 'an open incident is not listed as closed');
  assert.match(ok(await incident('list')).stdout, /^ID +SEV +STATUS +SERVICE +DECLARED +TITLE\n/);

  const timeline = ok(await incident('timeline', id))
    .stdout.trimEnd()
    .split('\n');
  assert.match(timeline[0] ?? '', /^\d\d:\d\d:\d\d {2}detected /);
  assert.ok(
    timeline.some((line) => /^\d\d:\d\d:\d\d {2}severity-changed +carol +SEV-2 → SEV-1: spreading$/.test(line)),
    timeline.join('\n'),
  );

  const outbox = json<Array<{ channel: string; incidentId: string; payload: Record<string, unknown> }>>(
    await incident('outbox', id, '--json'),
  );
  assert.ok(outbox.length > 0 && outbox.every((r) => r.incidentId === id));
  assert.ok(
    outbox.some((r) => r.channel === 'pager' && r.payload.action === 'trigger'),
    'on-call was paged',
  );
  assert.match(ok(await incident('outbox', id)).stdout, /pager +cli-lifecycle +trigger primary-oncall/);
});

void test('a resolved incident closes, and a closed incident refuses further commands with exit 4', async () => {
  const id = 'cli-closing';
  const typo = ['--severity', 'SEV-4', '--title', 'Typo on status page', '--commander', 'dana'];
  ok(await incident('declare', '--id', id, ...typo));
  ok(await incident('ack', id, '--by', 'dana'));
  // The service has no checks: nothing verifies the fix, so the IC says so and why.
  const unchecked = await incident('resolve', id, '--by', 'dana', '--summary', 'fixed the typo');
  assert.equal(unchecked.code, 4, explain(unchecked));
  assert.match(unchecked.stderr, /unverified: unspecified has no smoke checks.*--unverified --reason/);
  const unverified = ['--unverified', '--reason', 'no checks'];
  const resolved = ok(await incident('resolve', id, '--by', 'dana', '--summary', 'fixed the typo', ...unverified));
  assert.match(resolved.stdout, /^resolved\n/);
  ok(await incident('reopen', id, '--reason', 'typo is back', '--by', 'dana'));
  ok(await incident('resolve', id, '--by', 'dana', ...unverified));
  ok(await incident('close', id, '--by', 'dana'));

  const note = await incident('note', id, 'one more thing', '--by', 'dana');
  assert.equal(note.code, 4, explain(note));
  assert.match(note.stderr, /incident cli-closing is closed/);

  const shown = json<ShowJson>(await incident('show', id, '--json'));
  assert.equal(shown.status, 'closed');
  const types = shown.timeline.map((e) => e.type);
  assert.deepEqual(
    types.filter((t) => ['resolved', 'reopened', 'closed'].includes(t)),
    ['resolved', 'reopened', 'resolved', 'closed'],
  );
  const row = await eventually(async () => {
    const closed = json<ListRow[]>(await incident('list', '--status', 'closed', '--json'));
    return closed.find((r) => r.id === id);
  });
  assert.equal(row.title, 'Typo on status page');
  assert.equal(row.execution, 'COMPLETED');
});
