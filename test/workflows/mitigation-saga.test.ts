import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import type { SmokeTestReport } from '../../src/activities/types';
import {
  acknowledgeUpdate,
  finishMitigationUpdate,
  rollbackUpdate,
  startMitigationUpdate,
  stateQuery,
} from '../../src/workflows/definitions';
import { startTimeSkippingHarness, TEST_POLICY, timelineOf, type Harness } from './harness';

const passing: SmokeTestReport = {
  passed: true,
  checks: [{ name: 'health', passed: true, latencyMs: 5, reason: '200' }],
};
const failing: SmokeTestReport = {
  passed: false,
  checks: [{ name: 'health', passed: false, latencyMs: 5, reason: '503' }],
};

/** A deploy system speaking webhooks: it records each call and does each Idempotency-Key's work once. */
interface Call {
  path: string;
  key: string;
  auth: string;
  body: string;
}
function deploySystem() {
  const calls: Call[] = [];
  const done = new Set<string>();
  const status: Record<string, number> = {};
  let dropNext = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const key = String(req.headers['idempotency-key']);
      calls.push({ path: req.url ?? '', key, auth: String(req.headers.authorization), body });
      // The work is done on receipt; a dropped answer is what a crash mid-action looks like to the caller.
      done.add(`${req.url} ${key}`);
      if (dropNext > 0) {
        dropNext -= 1;
        req.socket.destroy();
        return;
      }
      res.writeHead(status[req.url ?? ''] ?? 200).end();
    });
  });
  return {
    calls,
    status,
    done,
    dropNextAnswer: () => (dropNext += 1),
    url: () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    listen: () => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('mitigations that run, as a saga (time-skipping)', () => {
  const deploy = deploySystem();
  const smoke: SmokeTestReport[] = [];
  let harness: Harness;

  before(async () => {
    await deploy.listen();
    const hook = (path: string) => ({
      webhook: {
        url: `${deploy.url()}${path}`,
        headers: { Authorization: 'Bearer {{secret.SAGA_TEST_DEPLOY_TOKEN}}' },
        body: '{"incident":"{{incidentId}}","mitigation":"{{mitigationId}}"}',
      },
    });
    process.env.SAGA_TEST_DEPLOY_TOKEN = 'deploy-secret';
    harness = await startTimeSkippingHarness({
      policy: {
        ...TEST_POLICY,
        services: {
          checkout: {
            actions: {
              'flag-off': { ...hook('/flags/new-cart/off'), undo: 'flag-on' },
              'flag-on': hook('/flags/new-cart/on'),
              restart: hook('/restart'),
              rollback: hook('/rollback'),
            },
          },
        },
      },
      override: () => ({ smokeTests: { run: () => Promise.resolve(smoke.shift() ?? passing) } }),
    });
  });
  afterEach(() => {
    deploy.calls.length = 0;
    smoke.length = 0;
    for (const path of Object.keys(deploy.status)) delete deploy.status[path];
  });
  after(async () => {
    await harness.stop();
    await deploy.close();
  });

  const acknowledged = async () => {
    const incident = await harness.declare({ severity: 'SEV-2', commander: 'carol' });
    await incident.executeUpdate(acknowledgeUpdate, { args: [{ by: 'alice' }] });
    return incident;
  };
  const sagaOf = async (incident: Awaited<ReturnType<typeof acknowledged>>) =>
    (await timelineOf(incident))
      .filter((e) =>
        ['mitigation-started', 'action-run', 'smoke-tests', 'mitigation-finished', 'escalation'].includes(e.type),
      )
      .map((e) =>
        e.type === 'action-run'
          ? `${e.type} ${String(e.data?.step)} ${String(e.data?.action)} ${String(e.data?.succeeded)}`
          : e.type === 'smoke-tests'
            ? `smoke ${String(e.data?.passed)}`
            : e.type,
      );

  it('record, run, verify: a passing action leaves the incident monitoring', async () => {
    const incident = await acknowledged();
    const result = await incident.executeUpdate(startMitigationUpdate, { args: [{ run: 'restart', by: 'bob' }] });
    assert.equal(result.status, 'monitoring');
    assert.deepEqual(await sagaOf(incident), [
      'mitigation-started',
      'action-run run restart true',
      'smoke true',
      'mitigation-finished',
    ]);
    assert.equal(deploy.calls.length, 1);
    const [call] = deploy.calls;
    assert.equal(call?.auth, 'Bearer deploy-secret', 'the secret comes from the worker environment');
    assert.match(call?.key ?? '', /^incident-.*\/\d+-run-restart$/);
    assert.deepEqual(JSON.parse(call?.body ?? ''), {
      incident: (await incident.query(stateQuery)).id,
      mitigation: 'm1',
    });
    const timeline = JSON.stringify(await timelineOf(incident));
    assert.ok(!timeline.includes('deploy-secret'), 'no secret on the timeline');
    assert.equal((await incident.query(stateQuery)).mitigations[0]?.outcome, 'succeeded');
  });

  it('a failing verification runs the declared undo and verifies again; still broken goes to the IC', async () => {
    const incident = await acknowledged();
    smoke.push(failing, failing);
    const result = await incident.executeUpdate(startMitigationUpdate, { args: [{ run: 'flag-off', by: 'bob' }] });
    assert.equal(result.status, 'mitigating');
    assert.deepEqual(await sagaOf(incident), [
      'mitigation-started',
      'action-run run flag-off true',
      'smoke false',
      'action-run undo flag-on true',
      'smoke false',
      'mitigation-finished',
      'escalation',
    ]);
    assert.deepEqual(
      deploy.calls.map((c) => c.path),
      ['/flags/new-cart/off', '/flags/new-cart/on'],
    );
    const escalation = (await timelineOf(incident)).find((e) => e.type === 'escalation');
    assert.match(escalation?.message ?? '', /escalated to the Incident Commander carol/);
  });

  it('a failed action is undone by the service rollback, which restores health', async () => {
    const incident = await acknowledged();
    deploy.status['/restart'] = 500;
    const result = await incident.executeUpdate(startMitigationUpdate, { args: [{ run: 'restart', by: 'bob' }] });
    assert.equal(result.status, 'monitoring', 'the rollback restored health');
    assert.deepEqual(await sagaOf(incident), [
      'mitigation-started',
      'action-run run restart false',
      'action-run undo rollback true',
      'smoke true',
      'mitigation-finished',
    ]);
    assert.equal((await incident.query(stateQuery)).mitigations[0]?.outcome, 'failed');
  });

  it('an action cut off mid-run is retried with the same key: the target does it once', async () => {
    const incident = await acknowledged();
    deploy.dropNextAnswer();
    await incident.executeUpdate(rollbackUpdate, { args: [{ by: 'carol', reason: 'deploy 412' }] });
    assert.equal(deploy.calls.length, 2, 'the activity was retried');
    assert.equal(deploy.calls[0]?.key, deploy.calls[1]?.key, 'with the same idempotency key');
    assert.ok(deploy.done.has(`/rollback ${deploy.calls[0]?.key}`), 'the target did the work, once per key');
    const run = (await timelineOf(incident)).find((e) => e.type === 'action-run');
    assert.match(run?.message ?? '', /attempt 2, deduplicated by the target with key/);
    assert.equal((await incident.query(stateQuery)).status, 'monitoring');
  });

  it('a rollback reported failed is not run again: it escalates to the IC', async () => {
    const incident = await acknowledged();
    await incident.executeUpdate(startMitigationUpdate, {
      args: [{ action: 'roll back deploy 412 by hand', kind: 'rollback', by: 'bob' }],
    });
    const result = await incident.executeUpdate(finishMitigationUpdate, {
      args: [{ actionId: 'm1', outcome: 'failed', by: 'bob' }],
    });
    assert.equal(deploy.calls.length, 0, 'no rollback ran');
    assert.deepEqual(
      result.added.map((e) => e.type),
      ['mitigation-finished', 'escalation'],
    );
    assert.match(result.added[1]?.message ?? '', /rollback m1 failed.*Incident Commander carol/);
  });

  it('an action the service does not have is refused, naming the configured ones', async () => {
    const incident = await acknowledged();
    await assert.rejects(
      incident.executeUpdate(startMitigationUpdate, { args: [{ run: 'failover', by: 'bob' }] }),
      (error: Error & { cause?: Error }) =>
        /no action failover \(configured: flag-off, flag-on, restart, rollback\)/.test(
          String(error.cause?.message ?? error.message),
        ),
    );
    assert.equal((await incident.query(stateQuery)).mitigations.length, 0);
  });
});
