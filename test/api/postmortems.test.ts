import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { IncidentService } from '../../src/client/service';
import { postmortemWorkflowId } from '../../src/workflows/postmortem/definitions';
import { explain, runCli } from '../client/cli/process';
import { startTimeSkippingHarness, type Harness } from '../workflows/harness';
import { startApi, TOKENS, type RunningApi } from './server';

/** The postmortem over HTTP and through the `incident` CLI, against a real (time-skipping) server and worker. */
describe('postmortem and action items: API routes and CLI commands', () => {
  let harness: Harness;
  let incidents: IncidentService;
  let api: RunningApi;
  before(async () => {
    harness = await startTimeSkippingHarness();
    incidents = new IncidentService(harness.env.client, { taskQueue: harness.taskQueue });
    api = await startApi(incidents);
    await harness.declare({ id: 'pm-api', severity: 'SEV-2', commander: 'alice' });
    await incidents.command('acknowledge', 'pm-api', { by: 'alice' });
    await incidents.command('resolve', 'pm-api', { by: 'alice', unverified: 'no smoke checks' });
    const handle = harness.env.client.workflow.getHandle(postmortemWorkflowId('pm-api'));
    for (let i = 0; i < 200 && (await handle.describe().catch(() => null)) === null; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
  after(async () => {
    await api?.close();
    await harness.env.client.workflow
      .getHandle(postmortemWorkflowId('pm-api'))
      .terminate('test finished')
      .catch(() => undefined);
    await harness?.stop();
  });

  it('the API reads the postmortem, adds and closes items as the token, refuses bad input naming the field', async () => {
    const shown = await api.call('GET', '/api/v1/incidents/pm-api/postmortem', { token: TOKENS.read });
    assert.equal(shown.status, 200, JSON.stringify(shown.body));
    assert.equal((shown.body as unknown as { owner: string }).owner, 'alice');
    assert.equal((await api.call('GET', '/api/v1/incidents/never-declared/postmortem')).status, 404);

    const due = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const added = await api.call('POST', '/api/v1/incidents/pm-api/action-items', {
      token: TOKENS.respond,
      body: { title: 'Add a canary stage', owner: 'bob', due, kind: 'prevent' },
    });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    assert.equal((added.body as unknown as { id: string }).id, 'a1');
    const badDue = await api.call('POST', '/api/v1/incidents/pm-api/action-items', {
      token: TOKENS.respond,
      body: { title: 'x', owner: 'bob', due: 'soon', kind: 'prevent' },
    });
    assert.equal(badDue.status, 400);
    assert.match(JSON.stringify(badDue.body), /due/);
    const badKind = await api.call('POST', '/api/v1/incidents/pm-api/action-items', {
      token: TOKENS.respond,
      body: { title: 'x', owner: 'bob', due, kind: 'blame' },
    });
    assert.equal(badKind.status, 400);
    const readOnly = await api.call('POST', '/api/v1/incidents/pm-api/action-items', {
      token: TOKENS.read,
      body: { title: 'x', owner: 'bob', due, kind: 'prevent' },
    });
    assert.equal(readOnly.status, 403);

    const noReason = await api.call('POST', '/api/v1/incidents/pm-api/action-items/a1/close', {
      token: TOKENS.respond,
      body: { outcome: 'deferred' },
    });
    assert.equal(noReason.status, 400);
    assert.match(JSON.stringify(noReason.body), /reason/);
    const listed = await api.call('GET', '/api/v1/incidents/pm-api/action-items', { token: TOKENS.read });
    assert.deepEqual(
      (listed.body as unknown as { items: { id: string; status: string }[] }).items.map((i) => `${i.id}:${i.status}`),
      ['a1:open'],
    );
  });

  it('the CLI adds, lists and closes action items and shows where the postmortem stands', async () => {
    const env = { TEMPORAL_ADDRESS: harness.env.address, INCIDENT_TASK_QUEUE: harness.taskQueue };
    const due = new Date(Date.now() + 14 * 86_400_000).toISOString();
    const add = await runCli(
      [
        'action',
        'add',
        'pm-api',
        '--title',
        'Runbook: rollback',
        '--owner',
        'carol',
        '--due',
        due,
        '--kind',
        'runbook-update',
        '--by',
        'alice',
      ],
      env,
    );
    assert.equal(add.code, 0, explain(add));
    assert.match(add.stdout, /added a2 +open +runbook-update/);
    const bad = await runCli(['action', 'done', 'pm-api', 'a2', '--deferred', '--by', 'carol'], env);
    assert.equal(bad.code, 2, explain(bad));
    assert.match(bad.stderr, /reason/);
    const done = await runCli(['action', 'done', 'pm-api', 'a2', '--by', 'carol'], env);
    assert.equal(done.code, 0, explain(done));
    const list = await runCli(['action', 'list', 'pm-api', '--json'], env);
    assert.equal(list.code, 0, explain(list));
    assert.deepEqual(
      (JSON.parse(list.stdout) as { id: string; status: string }[]).map((i) => `${i.id}:${i.status}`),
      ['a1:open', 'a2:done'],
    );
    const reviewAt = new Date(Date.now() + 86_400_000).toISOString();
    const shown = await runCli(
      ['postmortem', 'pm-api', '--review-at', reviewAt, '--attendees', 'stakeholders,pm@example.com', '--by', 'alice'],
      env,
    );
    assert.equal(shown.code, 0, explain(shown));
    assert.match(shown.stdout, new RegExp(`Review +${reviewAt} with stakeholders, pm@example.com`));
    assert.match(shown.stdout, /Postmortem of pm-api: open/);
    assert.match(shown.stdout, /Owner +alice \(escalates to engineering-manager\)/);
    assert.match(shown.stdout, /Actions +2 \(1 open\)/);
    const missing = await runCli(['postmortem', 'never-declared'], env);
    assert.equal(missing.code, 3, explain(missing));
  });
});
