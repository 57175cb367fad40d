import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../src/api/app';
import { TokenRegistry } from '../../../src/api/plugins/auth';
import { alertIncidentId } from '../../../src/client/alert-intake';
import { formatShow } from '../../../src/client/cli/output';
import type { TimelineEntry } from '../../../src/domain/incident';
import { IncidentService } from '../../../src/client/service';
import { buildPolicy } from '../../../src/domain/policy';
import { incidentWorkflowId, stateQuery, type IncidentView } from '../../../src/workflows/definitions';
import { createDevServerEnv } from '../../support/temporal';
import { startHealthServer, type FakeHealthServer } from '../../fakes/health-server';
import { startHarness, TEST_POLICY, type Harness } from '../../workflows/harness';

/** Alert intake over real HTTP on a listening app, against the dev server with a real worker. */

const TOKENS = {
  alerts: 'alerts-token-0123456789a',
  read: 'read-token-0123456789abc',
  respond: 'respond-token-012345678',
};
const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(path.join(__dirname, 'fixtures', name), 'utf8')) as Record<string, unknown>;

/** Every field an answer here may hold: an intake result, a command result, or a problem. */
interface Answer {
  incidentId?: string | null;
  declared?: boolean;
  reason?: string;
  status?: string;
  severity?: string;
  firing?: number;
  resolved?: number;
  added?: TimelineEntry[];
  detail?: string;
}

interface Api {
  post(url: string, body: unknown, token?: string | null): Promise<{ status: number; body: Answer }>;
  close(): Promise<void>;
}

async function startApi(incidents: IncidentService, policy: unknown): Promise<Api> {
  const app: FastifyInstance = await buildApp({
    incidents,
    policy: buildPolicy(policy),
    tokens: new TokenRegistry(
      new Map([
        [TOKENS.alerts, { actor: 'alertmanager', scopes: ['alerts'] }],
        [TOKENS.read, { actor: 'bob', scopes: ['read'] }],
        [TOKENS.respond, { actor: 'alice', scopes: ['respond'] }],
      ] as const),
    ),
    rateLimitPerMinute: 100_000,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return {
    async post(url, body, token = TOKENS.alerts) {
      const response = await fetch(`http://127.0.0.1:${port}${url}`, {
        method: 'POST',
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: (await response.json()) as Answer };
    },
    close: () => app.close(),
  };
}

/** An Alertmanager delivery of group `group`: the documented fixture with its own group key and alerts. */
function alertmanager(
  group: string,
  alerts: { fingerprint: string; status?: 'firing' | 'resolved'; severity?: string }[],
) {
  const base = fixture('alertmanager-firing.json');
  const [template] = base.alerts as { labels: Record<string, string> }[];
  const status = alerts.some((a) => (a.status ?? 'firing') === 'firing') ? 'firing' : 'resolved';
  return {
    ...base,
    groupKey: `{}:{alertname="${group}"}`,
    status,
    commonLabels: { alertname: group, service: 'checkout' },
    commonAnnotations: { summary: `${group} is failing` },
    alerts: alerts.map(({ fingerprint, status: alertStatus = 'firing', severity = 'critical' }) => ({
      ...template,
      status: alertStatus,
      labels: { ...template?.labels, alertname: group, instance: fingerprint, severity },
      startsAt: '2026-11-30T09:00:00Z',
      endsAt: alertStatus === 'resolved' ? '2026-11-30T09:30:00Z' : '0001-01-01T00:00:00Z',
      fingerprint,
    })),
  };
}

const idOf = (group: string, generation: number) =>
  alertIncidentId(`alertmanager\n{}:{alertname="${group}"}`, generation);

describe('alert intake against the dev server', () => {
  let env: TestWorkflowEnvironment;
  let notify: Harness;
  let resolve: Harness;
  let api: Api;
  let resolvingApi: Api;
  let checkout: FakeHealthServer;
  before(async () => {
    env = await createDevServerEnv();
    // The alerts' service answers its default checks (/health, /alive), so resolving it is verified.
    checkout = await startHealthServer({ '/health': { mode: 'healthy' }, '/alive': { mode: 'healthy' } });
    const policy = { ...TEST_POLICY, services: { checkout: { baseUrl: checkout.url } } };
    notify = await startHarness(env, { policy });
    const resolvePolicy = { ...policy, alerts: { onAllResolved: 'resolve' } };
    resolve = await startHarness(env, { policy: resolvePolicy });
    api = await startApi(new IncidentService(env.client, { taskQueue: notify.taskQueue }), policy);
    resolvingApi = await startApi(new IncidentService(env.client, { taskQueue: resolve.taskQueue }), resolvePolicy);
  });
  after(async () => {
    await api?.close();
    await resolvingApi?.close();
    await notify?.stop();
    await resolve?.stop();
    await env?.teardown();
    await checkout?.close();
  });

  const view = (id: string) => env.client.workflow.getHandle(incidentWorkflowId(id)).query(stateQuery);
  const started = async (id: string) => {
    try {
      await env.client.workflow.getHandle(incidentWorkflowId(id)).describe();
      return true;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return false;
      throw error;
    }
  };
  async function until(id: string, ok: (incident: IncidentView) => boolean): Promise<IncidentView> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const incident = await view(id);
      if (ok(incident) || Date.now() > deadline) return incident;
      await sleep(100);
    }
  }

  it('parses both documented payloads and declares from each', async () => {
    const fromAlertmanager = await api.post('/api/v1/alerts/alertmanager', fixture('alertmanager-firing.json'));
    assert.equal(fromAlertmanager.status, 202, JSON.stringify(fromAlertmanager.body));
    assert.equal(fromAlertmanager.body.declared, true);
    assert.equal(fromAlertmanager.body.severity, 'SEV-1');
    const incident = await view(fromAlertmanager.body.incidentId as string);
    assert.equal(incident.title, 'Checkout error rate above 5%');
    assert.equal(incident.service, 'checkout');
    assert.equal(incident.source, 'alert');
    assert.equal(new Date(incident.detectedAt).toISOString(), '2026-11-30T08:52:26.739Z');
    assert.match(incident.summary, /source: http:\/\/prometheus\.example\.com/);
    const declared = incident.timeline.find((entry) => entry.type === 'declared');
    assert.equal(declared?.actor, 'alert:alertmanager');
    assert.equal(incident.alerts?.tracked.length, 2);

    const fromGrafana = await api.post('/api/v1/alerts/grafana', fixture('grafana-firing.json'));
    assert.equal(fromGrafana.status, 202, JSON.stringify(fromGrafana.body));
    assert.equal(fromGrafana.body.severity, 'SEV-3');
    const grafana = await view(fromGrafana.body.incidentId as string);
    assert.match(grafana.summary, /dashboard: https:\/\/grafana\.example\.com\/d\/search-overview/);
    assert.match(grafana.summary, /silence: https:\/\/grafana\.example\.com\/alerting\/silence/);
    assert.deepEqual(grafana.alerts?.tracked[0]?.links, {
      generator: 'https://grafana.example.com/alerting/grafana/a1b2c3/view',
      dashboard: 'https://grafana.example.com/d/search-overview',
      panel: 'https://grafana.example.com/d/search-overview?viewPanel=4',
      silence:
        'https://grafana.example.com/alerting/silence/new?alertmanager=grafana&matcher=alertname%3DSearch+latency+high',
    });
  });

  it('50 concurrent identical deliveries, and 10 groups of changing deliveries in parallel: one incident per group', async () => {
    const t0 = Date.now();
    const same = alertmanager('HaPair', [{ fingerprint: 'ha-1' }, { fingerprint: 'ha-2' }]);
    const groups = Array.from({ length: 10 }, (_, g) => `Parallel${g}`);
    const [identical, changing] = await Promise.all([
      Promise.all(Array.from({ length: 50 }, () => api.post('/api/v1/alerts/alertmanager', same))),
      Promise.all(
        groups.flatMap((group) =>
          // Each delivery says something new (another alert joins), as a growing group does.
          Array.from({ length: 5 }, (_, i) =>
            api.post(
              '/api/v1/alerts/alertmanager',
              alertmanager(
                group,
                Array.from({ length: i + 1 }, (_, n) => ({ fingerprint: `${group}-${n}` })),
              ),
            ),
          ),
        ),
      ),
    ]);
    const elapsed = Date.now() - t0;
    assert.deepEqual(new Set(identical.map((r) => r.status)), new Set([202]), JSON.stringify(identical[0]?.body));
    assert.deepEqual(new Set(identical.map((r) => r.body.incidentId)), new Set([idOf('HaPair', 1)]));
    assert.equal(await started(idOf('HaPair', 2)), false);
    const history = await env.client.workflow.getHandle(incidentWorkflowId(idOf('HaPair', 1))).fetchHistory();
    const accepted = (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
    assert.equal(accepted.length, 1, 'identical deliveries apply once');

    for (const [g, group] of groups.entries()) {
      const answers = changing.slice(g * 5, g * 5 + 5);
      assert.deepEqual(new Set(answers.map((r) => r.status)), new Set([202]), JSON.stringify(answers[0]?.body));
      assert.deepEqual(new Set(answers.map((r) => r.body.incidentId)), new Set([idOf(group, 1)]), group);
      assert.equal(answers.filter((r) => r.body.declared === true).length, 1, `${group}: one delivery declared`);
      assert.equal(await started(idOf(group, 2)), false, group);
      assert.equal((await view(idOf(group, 1))).alerts?.tracked.length, 5, group);
    }
    const deliveries = identical.length + changing.length;
    process.stdout.write(`# ${deliveries} deliveries → ${groups.length + 1} incidents in ${elapsed} ms\n`);
  });

  it('records a resolved delivery and shows when every alert has resolved, telling the Incident Commander', async () => {
    const group = 'Resolving';
    const firing = await api.post(
      '/api/v1/alerts/alertmanager',
      alertmanager(group, [{ fingerprint: 'r-1' }, { fingerprint: 'r-2' }]),
    );
    const id = firing.body.incidentId as string;
    const partly = await api.post(
      '/api/v1/alerts/alertmanager',
      alertmanager(group, [{ fingerprint: 'r-1', status: 'resolved' }, { fingerprint: 'r-2' }]),
    );
    assert.equal(partly.body.incidentId, id);
    assert.deepEqual([partly.body.firing, partly.body.resolved], [1, 1]);
    assert.deepEqual(
      partly.body.added?.map((e) => e.type),
      ['alert-resolved'],
    );
    const all = await api.post(
      '/api/v1/alerts/alertmanager',
      alertmanager(group, [
        { fingerprint: 'r-1', status: 'resolved' },
        { fingerprint: 'r-2', status: 'resolved' },
      ]),
    );
    assert.deepEqual(
      all.body.added?.map((e) => e.type),
      ['alert-resolved', 'alerts-all-resolved'],
    );
    const incident = await view(id);
    assert.notEqual(incident.alerts?.allResolvedAt, null);
    assert.equal(incident.status, 'declared', "'notify' leaves the resolution to people");
    assert.match(formatShow(incident), /alerts:\s+all 2 resolved/);
    const told = await (async () => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const records = await notify.outbox.read({ incidentId: id });
        const found = records.find((r) => r.channel === 'chat' && /all alerts resolved/.test(String(r.payload.text)));
        if (found || Date.now() > deadline) return found;
        await sleep(100);
      }
    })();
    assert.ok(told, 'the channel is told to verify and resolve');
  });

  it('a firing alert blocks resolve unless the person overrides it with a reason', async () => {
    const firing = await api.post('/api/v1/alerts/alertmanager', alertmanager('Blocking', [{ fingerprint: 'b-1' }]));
    const id = firing.body.incidentId as string;
    const ack = await api.post(`/api/v1/incidents/${id}/acknowledge`, undefined, TOKENS.respond);
    assert.equal(ack.status, 200, JSON.stringify(ack.body));
    const refused = await api.post(`/api/v1/incidents/${id}/resolve`, {}, TOKENS.respond);
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    assert.equal(refused.body.reason, 'IllegalTransition');
    assert.match(refused.body.detail as string, /1 alert is still firing \(Blocking\)/);
    const overridden = await api.post(
      `/api/v1/incidents/${id}/resolve`,
      { overrideFiringAlerts: 'alert is flapping; checkout verified by hand' },
      TOKENS.respond,
    );
    assert.equal(overridden.status, 200, JSON.stringify(overridden.body));
    assert.equal(overridden.body.status, 'resolved');
    const resolved = (overridden.body.added as { type: string; data?: Record<string, unknown> }[]).find(
      (e) => e.type === 'resolved',
    );
    assert.equal(resolved?.data?.overrideFiringAlerts, 'alert is flapping; checkout verified by hand');
  });

  it("onAllResolved 'resolve' verifies and resolves as alert:alertmanager", async () => {
    const group = 'SelfHealing';
    const firing = await resolvingApi.post(
      '/api/v1/alerts/alertmanager',
      alertmanager(group, [{ fingerprint: 's-1' }]),
    );
    const id = firing.body.incidentId as string;
    const ack = await resolvingApi.post(`/api/v1/incidents/${id}/acknowledge`, undefined, TOKENS.respond);
    assert.equal(ack.status, 200, JSON.stringify(ack.body));
    const cleared = await resolvingApi.post(
      '/api/v1/alerts/alertmanager',
      alertmanager(group, [{ fingerprint: 's-1', status: 'resolved' }]),
    );
    assert.equal(cleared.status, 202);
    const incident = await until(id, (i) => i.status === 'resolved');
    assert.equal(incident.status, 'resolved');
    const resolved = incident.timeline.find((e) => e.type === 'resolved');
    assert.equal(resolved?.actor, 'alert:alertmanager');
    assert.ok(
      incident.timeline.some((e) => e.type === 'smoke-tests'),
      'the verification ran',
    );
  });

  it('a delivery after the incident closed opens the group’s next incident', async () => {
    const group = 'Flapping';
    const first = await api.post('/api/v1/alerts/alertmanager', alertmanager(group, [{ fingerprint: 'f-1' }]));
    assert.equal(first.body.incidentId, idOf(group, 1));
    const id = idOf(group, 1);
    await api.post('/api/v1/alerts/alertmanager', alertmanager(group, [{ fingerprint: 'f-1', status: 'resolved' }]));
    for (const [route, body] of [
      ['acknowledge', undefined],
      ['resolve', {}],
      ['close', undefined],
    ] as const) {
      const answer = await api.post(`/api/v1/incidents/${id}/${route}`, body, TOKENS.respond);
      assert.equal(answer.status, 200, `${route}: ${JSON.stringify(answer.body)}`);
    }
    await env.client.workflow.getHandle(incidentWorkflowId(id)).result();
    // The same alert fires again: a new instance (a later startsAt), a new incident.
    const again = alertmanager(group, [{ fingerprint: 'f-1' }]);
    const refire = await api.post('/api/v1/alerts/alertmanager', {
      ...again,
      alerts: again.alerts.map((alert) => ({ ...alert, startsAt: '2026-11-30T10:00:00Z' })),
    });
    assert.equal(refire.status, 202, JSON.stringify(refire.body));
    assert.equal(refire.body.incidentId, idOf(group, 2));
    assert.equal(refire.body.declared, true);
    // A fresh intake (an API restart: nothing remembered) walks past the closed incident to the same one.
    const restarted = await startApi(new IncidentService(env.client, { taskQueue: notify.taskQueue }), TEST_POLICY);
    try {
      const later = await restarted.post(
        '/api/v1/alerts/alertmanager',
        alertmanager(group, [{ fingerprint: 'f-1' }, { fingerprint: 'f-2' }]),
      );
      assert.equal(later.body.incidentId, idOf(group, 2));
      assert.equal(later.body.declared, false);
    } finally {
      await restarted.close();
    }
  });

  it('a delivery below the threshold is answered with the reason and starts nothing', async () => {
    const info = alertmanager('Informational', [{ fingerprint: 'i-1', severity: 'info' }]);
    const answer = await api.post('/api/v1/alerts/alertmanager', info);
    assert.equal(answer.status, 202);
    assert.equal(answer.body.incidentId, null);
    assert.equal(answer.body.declared, false);
    assert.match(answer.body.reason as string, /maps to SEV-4 .*declares from SEV-3/);
    assert.equal(await started(idOf('Informational', 1)), false);
    const onlyResolved = alertmanager('NeverFired', [{ fingerprint: 'n-1', status: 'resolved' }]);
    const resolvedAnswer = await api.post('/api/v1/alerts/alertmanager', onlyResolved);
    assert.equal(resolvedAnswer.body.incidentId, null);
    assert.match(resolvedAnswer.body.reason as string, /no alert in this delivery is firing/);
    assert.equal(await started(idOf('NeverFired', 1)), false);
  });

  it('refuses a missing or wrong token (401) and a token without the alerts scope (403), starting nothing', async () => {
    const body = alertmanager('Unauthorized', [{ fingerprint: 'u-1' }]);
    for (const source of ['alertmanager', 'grafana']) {
      assert.equal((await api.post(`/api/v1/alerts/${source}`, body, null)).status, 401);
      assert.equal((await api.post(`/api/v1/alerts/${source}`, body, 'not-a-token-at-all')).status, 401);
      const readOnly = await api.post(`/api/v1/alerts/${source}`, body, TOKENS.read);
      assert.equal(readOnly.status, 403);
      assert.match(readOnly.body.detail as string, /lacks the "alerts" scope/);
    }
    assert.equal(await started(idOf('Unauthorized', 1)), false);
  });
});
