import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { IncidentService } from '../../src/client/service';
import { incidentWorkflowId } from '../../src/workflows/definitions';
import { createDevServerEnv } from '../support/temporal';
import { startHealthServer, type FakeHealthServer } from '../fakes/health-server';
import { startHarness, TEST_POLICY, type Harness } from '../workflows/harness';
import { startApi, TOKENS, type RunningApi } from './server';

/** Visibility is eventually consistent: ask until `ok` holds or ten seconds pass. */
async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await sleep(200);
  }
}

describe('the HTTP API against the dev server', () => {
  let env: TestWorkflowEnvironment;
  let harness: Harness;
  let incidents: IncidentService;
  let api: RunningApi;
  let checkout: FakeHealthServer;
  before(async () => {
    env = await createDevServerEnv();
    // Checkout answers its default checks (/health, /alive), so its resolution is verified.
    checkout = await startHealthServer({ '/health': { mode: 'healthy' }, '/alive': { mode: 'healthy' } });
    // The admin token's person is an admin of the policy too: with dana in command, carol may still resolve and close.
    harness = await startHarness(env, {
      policy: {
        ...TEST_POLICY,
        services: { checkout: { baseUrl: checkout.url } },
        roles: { takeCommandWithin: null, admins: ['carol'] },
      },
    });
    incidents = new IncidentService(env.client, { taskQueue: harness.taskQueue });
    api = await startApi(incidents);
  });
  after(async () => {
    await api?.close();
    await harness?.stop();
    await env?.teardown();
    await checkout?.close();
  });

  const declaration = { title: 'Checkout is down', severity: 'SEV-2', service: 'checkout' };

  it('drives a whole incident: every command route, with the token’s person as the actor', async () => {
    const declared = await api.call('POST', '/api/v1/incidents', { body: declaration, token: TOKENS.respond });
    assert.equal(declared.status, 201, JSON.stringify(declared.body));
    const id: string = declared.body.incidentId;
    assert.match(id, /^\d{8}-[a-z0-9]{4}$/);
    assert.equal(declared.body.status, 'declared');
    assert.ok(declared.body.deadlines.length > 0, 'the answer carries the deadlines it started');
    const declaredEntry = declared.body.added.find((entry) => entry.type === 'declared');
    assert.equal(declaredEntry?.actor, 'alice');

    const steps: [string, unknown, string][] = [
      ['acknowledge', undefined, 'acknowledged'],
      ['severity', { severity: 'SEV-1', reason: 'all regions' }, 'acknowledged'],
      ['roles', { role: 'commander', user: 'dana' }, 'acknowledged'],
      ['status-updates', { impact: 'checkout fails', hypothesis: 'bad deploy', nextUpdateIn: '15m' }, 'investigating'],
      ['diagnostics', { reason: 'errors again' }, 'investigating'],
      ['mitigations', { action: 'roll back 1.2.3', kind: 'rollback' }, 'mitigating'],
    ];
    for (const [route, body, status] of steps) {
      const answer = await api.call('POST', `/api/v1/incidents/${id}/${route}`, { body, token: TOKENS.respond });
      assert.equal(answer.status, 200, `${route}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.status, status, route);
      assert.ok(
        answer.body.added.every((entry) => ['alice', 'system'].includes(entry.actor)),
        `${route} is recorded as alice`,
      );
    }
    const finished = await api.call('POST', `/api/v1/incidents/${id}/mitigations/m1/finish`, {
      body: { outcome: 'succeeded' },
      token: TOKENS.respond,
    });
    assert.equal(finished.status, 200, JSON.stringify(finished.body));
    const note = await api.call('POST', `/api/v1/incidents/${id}/notes`, { body: { text: 'error rate back to 0.1%' } });
    assert.equal(note.body.added[0]?.actor, 'carol', 'an admin token acts as its own person');
    const resolved = await api.call('POST', `/api/v1/incidents/${id}/resolve`, { body: { summary: 'rolled back' } });
    assert.equal(resolved.status, 200, JSON.stringify(resolved.body));
    assert.equal(resolved.body.status, 'resolved');
    const reopened = await api.call('POST', `/api/v1/incidents/${id}/reopen`, { body: { reason: 'errors are back' } });
    assert.equal(reopened.status, 200, JSON.stringify(reopened.body));
    assert.equal(reopened.body.status, 'mitigating', 'back to where it was before resolving');
    await api.call('POST', `/api/v1/incidents/${id}/resolve`, { body: {} });
    const closed = await api.call('POST', `/api/v1/incidents/${id}/close`);
    assert.equal(closed.status, 200, JSON.stringify(closed.body));
    assert.equal(closed.body.status, 'closed');

    const shown = await api.call('GET', `/api/v1/incidents/${id}`, { token: TOKENS.read });
    assert.equal(shown.status, 200);
    assert.equal(shown.body.severity, 'SEV-1');
    assert.equal(shown.body.roles.commander, 'dana');
    const timeline = await api.call('GET', `/api/v1/incidents/${id}/timeline`, { token: TOKENS.read });
    const types: string[] = timeline.body.timeline.map((entry) => entry.type);
    for (const type of ['declared', 'acknowledged', 'role-assigned', 'status-update', 'severity-changed', 'resolved']) {
      assert.ok(types.includes(type), `timeline has ${type}`);
    }
    assert.ok(types.includes('reopened') && types.includes('closed'));
  });

  it('lists by severity, service, open/closed and drill from the search attributes', async () => {
    const drill = await api.call('POST', '/api/v1/incidents', {
      body: { ...declaration, service: 'payments-api', drill: true },
    });
    const live = await api.call('POST', '/api/v1/incidents', { body: { ...declaration, service: 'payments-api' } });
    const listed = await eventually(
      () => api.call('GET', '/api/v1/incidents?service=payments-api&state=open', { token: TOKENS.read }),
      (answer) => answer.body.incidents?.length === 2,
    );
    assert.deepEqual(
      listed.body.incidents.map((row) => row.id).sort(),
      [drill.body.incidentId, live.body.incidentId].sort(),
    );
    const drills = await api.call('GET', '/api/v1/incidents?service=payments-api&drill=true', { token: TOKENS.read });
    assert.deepEqual(
      drills.body.incidents.map((row) => [row.id, row.drill]),
      [[drill.body.incidentId, true]],
    );
    const sev4 = await api.call('GET', '/api/v1/incidents?service=payments-api&severity=SEV-4', { token: TOKENS.read });
    assert.deepEqual(sev4.body.incidents, []);
    const closed = await api.call('GET', '/api/v1/incidents?service=payments-api&state=closed', { token: TOKENS.read });
    assert.deepEqual(closed.body.incidents, []);
  });

  it('an Idempotency-Key makes a retried declaration answer the same incident, per person', async () => {
    const headers = { 'idempotency-key': 'alertbridge-4711' };
    const first = await api.call('POST', '/api/v1/incidents', { body: declaration, headers, token: TOKENS.respond });
    const retried = await api.call('POST', '/api/v1/incidents', { body: declaration, headers, token: TOKENS.respond });
    assert.equal(first.status, 201);
    assert.equal(retried.status, 201);
    assert.equal(retried.body.incidentId, first.body.incidentId);
    assert.equal(retried.body.declaredAt, first.body.declaredAt);
    const history = await env.client.workflow.getHandle(incidentWorkflowId(first.body.incidentId)).fetchHistory();
    assert.equal(history.events?.filter((event) => event.workflowExecutionUpdateAcceptedEventAttributes).length, 1);
    const someoneElse = await api.call('POST', '/api/v1/incidents', {
      body: declaration,
      headers,
      token: TOKENS.admin,
    });
    assert.notEqual(someoneElse.body.incidentId, first.body.incidentId, 'keys are scoped to the token’s person');
  });

  it('refuses bad input naming every field, and writes nothing to Temporal', async () => {
    const answer = await api.call('POST', '/api/v1/incidents', {
      body: { id: 'api-bad-input', title: '', severity: 'SEV-9', by: 'mallory', drill: 'yes' },
    });
    assert.equal(answer.status, 400);
    assert.equal(answer.headers.get('content-type'), 'application/problem+json');
    const paths = answer.body.errors?.map((issue) => issue.path).sort();
    assert.deepEqual(paths, ['body', 'drill', 'severity', 'title']);
    assert.match(JSON.stringify(answer.body.errors), /Unrecognized key: \\"by\\"/);
    assert.equal(await incidents.exists('api-bad-input'), false);
  });

  it('answers each error class with its status and a problem document', async () => {
    const created = await api.call('POST', '/api/v1/incidents', { body: { ...declaration, id: 'api-errors' } });
    assert.equal(created.status, 201);

    const noToken = await api.call('GET', '/api/v1/incidents', { token: null });
    assert.equal(noToken.status, 401);
    assert.match(noToken.headers.get('www-authenticate') ?? '', /^Bearer/);
    assert.equal((await api.call('GET', '/api/v1/incidents', { token: 'not-a-real-token-at-all' })).status, 401);

    const readOnly = await api.call('POST', '/api/v1/incidents/api-errors/acknowledge', { token: TOKENS.read });
    assert.equal(readOnly.status, 403);
    assert.match(readOnly.body.detail, /lacks the "respond" scope/);
    assert.equal((await api.call('GET', '/api/v1/incidents', { token: TOKENS.alerts })).status, 403);

    const unknown = await api.call('GET', '/api/v1/incidents/no-such-incident');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.type, 'not-found');

    const illegal = await api.call('POST', '/api/v1/incidents/api-errors/close');
    assert.equal(illegal.status, 409);
    assert.equal(illegal.body.reason, 'IllegalTransition');
    assert.match(illegal.body.detail, /resolve it first/);

    const again = await api.call('POST', '/api/v1/incidents', { body: { ...declaration, id: 'api-errors' } });
    assert.equal(again.status, 409, 'a second declaration of a taken id is refused');

    const huge = await api.call('POST', '/api/v1/incidents/api-errors/notes', { body: { text: 'x'.repeat(300_000) } });
    assert.equal(huge.status, 413);

    const wrongType = await api.call('POST', '/api/v1/incidents/api-errors/notes', {
      raw: 'text=hello',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(wrongType.status, 415);
    const broken = await api.call('POST', '/api/v1/incidents/api-errors/notes', {
      raw: '{"text": "unterminated',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(broken.status, 400);
    assert.equal(broken.body.type, 'invalid-json');

    const history = await env.client.workflow.getHandle(incidentWorkflowId('api-errors')).fetchHistory();
    const updates = history.events?.filter((event) => event.workflowExecutionUpdateAcceptedEventAttributes).length;
    assert.equal(updates, 1, 'only the declaration reached the incident');
  });

  it('health answers always; readiness says whether a worker polls the task queue', async () => {
    assert.deepEqual((await api.call('GET', '/healthz', { token: null })).body, { ok: true });
    const ready = await api.call('GET', '/readyz', { token: null });
    assert.equal(ready.status, 200, JSON.stringify(ready.body));
    const idleQueue = await startApi(new IncidentService(env.client, { taskQueue: 'nobody-polls-this' }));
    try {
      const notReady = await idleQueue.call('GET', '/readyz', { token: null });
      assert.equal(notReady.status, 503);
      assert.deepEqual(
        { temporal: notReady.body.temporal, workerPolling: notReady.body.workerPolling },
        { temporal: true, workerPolling: false },
      );
    } finally {
      await idleQueue.close();
    }
  });

  it('limits each token’s rate with 429 and Retry-After, before reading the body', async () => {
    const limited = await startApi(incidents, { rateLimitPerMinute: 3 });
    try {
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 4; i++) {
        const answer = await limited.call('GET', '/api/v1/incidents?limit=0', { token: TOKENS.read });
        statuses.push(answer.status);
        retryAfter = answer.headers.get('retry-after');
      }
      assert.deepEqual(statuses, [400, 400, 400, 429]);
      assert.ok(Number(retryAfter) > 0, `Retry-After ${retryAfter}`);
      const other = await limited.call('GET', '/api/v1/incidents?limit=0', { token: TOKENS.admin });
      assert.equal(other.status, 400, 'another token has its own budget');
    } finally {
      await limited.close();
    }
  });
});

describe('the HTTP API with Temporal unreachable', () => {
  it('answers 503 with the reason, never a stack', async () => {
    // A port nothing listens on: the lazy connection fails on first use, as a Temporal outage would.
    const client = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1', connectTimeout: 500 }) });
    const api = await startApi(new IncidentService(client, { taskQueue: 'incidents', answerTimeoutMs: 1_000 }));
    try {
      const declared = await api.call('POST', '/api/v1/incidents', {
        body: { title: 'Checkout is down', severity: 'SEV-1' },
      });
      assert.equal(declared.status, 503, JSON.stringify(declared.body));
      assert.equal(declared.body.type, 'unavailable');
      assert.match(declared.body.detail, /send an Idempotency-Key header so that a retry applies at most once/);
      assert.doesNotMatch(JSON.stringify(declared.body), /\bat .+\.(ts|js):\d+/, 'no stack trace');
      const shown = await api.call('GET', '/api/v1/incidents/20261201-abcd', { token: TOKENS.read });
      assert.equal(shown.status, 503);
      const ready = await api.call('GET', '/readyz', { token: null });
      assert.equal(ready.status, 503);
      assert.equal(ready.body.temporal, false);
    } finally {
      await api.close();
    }
  });
});
