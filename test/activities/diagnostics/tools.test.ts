import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { snapshotDiagnostics, type DiagnosticsArtifact } from '../../../src/activities/diagnostics/snapshot';
import type { AnnotationRequest, DiagnosticsRequest } from '../../../src/activities/types';
import { buildPolicy } from '../../../src/domain/policy';
import { startFakeGrafana, type FakeGrafanaApi } from '../../fakes/grafana-api';
import { startHealthServer, type FakeHealthServer } from '../../fakes/health-server';
import { startFakeLoki, type FakeLokiApi } from '../../fakes/loki-api';
import { startFakeSentry, type FakeSentryApi } from '../../fakes/sentry-api';

const GRAFANA_TOKEN = 'glsa_grafana-service-account-token';
const SENTRY_TOKEN = 'sntrys_sentry-auth-token';
const LOGQL = '{app="checkout"} |= "error"';
const MINUTE = 60_000;

let grafana: FakeGrafanaApi;
let loki: FakeLokiApi;
let sentry: FakeSentryApi;
let feed: FakeHealthServer;
let artifactDir: string;

/** The worker's environment, with a secret of another integration that must never be sent anywhere. */
const env = { GRAFANA_TOKEN, SENTRY_TOKEN, SLACK_BOT_TOKEN: 'xoxb-not-for-grafana' };

function policy(overrides: { grafanaToken?: string; withLoki?: boolean } = {}) {
  return buildPolicy({
    diagnostics: {
      grafana: {
        url: `${grafana.url}/`,
        headers: { Authorization: `Bearer {{secret.${overrides.grafanaToken ?? 'GRAFANA_TOKEN'}}}` },
        lokiDatasourceUid: 'loki-prod',
      },
      ...(overrides.withLoki === false ? {} : { loki: { url: loki.url, headers: { 'X-Scope-OrgID': 'team-a' } } }),
      sentry: { url: sentry.url, organization: 'acme', headers: { Authorization: 'Bearer {{secret.SENTRY_TOKEN}}' } },
      timeout: '2s',
    },
    services: {
      checkout: {
        diagnostics: {
          grafana: { dashboardUid: 'checkout-overview' },
          loki: { query: LOGQL },
          sentry: { project: 'checkout-web' },
          changes: {
            url: `${feed.url}/changes?service={{service}}`,
            items: 'data.changes',
            fields: { at: 'created_at', title: 'description', by: 'author.name', link: 'html_url' },
            since: '6h',
          },
        },
      },
      quiet: {},
    },
  });
}

let step = 0;
function request(overrides: Partial<DiagnosticsRequest> = {}): DiagnosticsRequest {
  step += 1;
  return {
    incidentId: 'inc-7',
    key: `incident-inc-7/${step}-diagnostics`,
    drill: false,
    service: 'checkout',
    severity: 'SEV-1',
    ...overrides,
  };
}

function collector(p = policy()) {
  return snapshotDiagnostics({ services: p.services, artifactDir, tools: p.diagnostics, env });
}

before(async () => {
  [grafana, loki, sentry] = await Promise.all([
    startFakeGrafana(GRAFANA_TOKEN),
    startFakeLoki(),
    startFakeSentry(SENTRY_TOKEN),
  ]);
  const now = Date.now();
  loki.load(LOGQL, [
    ...Array.from({ length: 12 }, (_, i) => ({
      at: now - i * 30_000,
      line: `ERROR payment timeout after ${3000 + i} ms order=${i}`,
    })),
    ...Array.from({ length: 3 }, (_, i) => ({ at: now - i * MINUTE, line: 'ERROR cannot reach redis:6379' })),
    { at: now - 40 * MINUTE, line: 'ERROR an hour-old line outside the window' },
  ]);
  const flat = Array.from({ length: 24 }, () => 4);
  sentry.load('acme', 'checkout-web', [
    {
      shortId: 'CHECKOUT-1',
      title: 'TypeError: cart is undefined',
      firstSeen: now - 20 * MINUTE,
      hourly: [...flat.slice(1).map(() => 0), 7],
    },
    {
      shortId: 'CHECKOUT-2',
      title: 'TimeoutError: payment provider',
      firstSeen: now - 10 * 86_400_000,
      hourly: [...flat.slice(1), 90],
    },
    { shortId: 'CHECKOUT-3', title: 'Steady background noise', firstSeen: now - 10 * 86_400_000, hourly: flat },
  ]);
  const change = (minutesAgo: number, description: string, author: string) => ({
    created_at: new Date(now - minutesAgo * MINUTE).toISOString(),
    description,
    author: { name: author },
    html_url: `https://deploys.example.com/${minutesAgo}`,
  });
  feed = await startHealthServer({
    '/changes': {
      mode: 'healthy',
      body: JSON.stringify({
        data: {
          changes: [
            change(50, 'flag new-checkout-flow on', 'carol'),
            change(12, 'deploy 412 checkout v2.3.1', 'bob'),
            change(60 * 24, 'deploy 399, yesterday', 'dave'),
            { description: 'no time: left out' },
          ],
        },
      }),
    },
  });
  artifactDir = await mkdtemp(path.join(os.tmpdir(), 'diagnostics-tools-'));
});

after(async () => {
  await Promise.all([grafana.close(), loki.close(), sentry.close(), feed.close()]);
  await rm(artifactDir, { recursive: true, force: true });
});

describe('diagnostics from the team tools', () => {
  it('asks Loki, Sentry and the change feed; the summary and links come back, the findings stay in the artifact', async () => {
    const lokiBefore = loki.requests.length;
    const report = await collector().collect(request(), () => undefined);
    const artifact = JSON.parse(await readFile(report.artifact, 'utf8')) as DiagnosticsArtifact;
    const latest = artifact.tools?.changes?.changes[0]?.at;

    assert.equal(
      report.summary,
      'Loki: 15 error lines in 15m, top ×12 "ERROR payment timeout after 3000 ms order=0"; ' +
        'Sentry: 1 new, 1 spiking in 1h, top CHECKOUT-2 "TimeoutError: payment provider"; ' +
        `changes: 2, latest "deploy 412 checkout v2.3.1" by bob at ${latest}; ` +
        'not configured: command',
    );
    const labels = report.links?.map((link) => link.label);
    assert.deepEqual(labels, ['dashboard', 'logs in Explore', 'Sentry CHECKOUT-2', 'Sentry CHECKOUT-1']);
    assert.equal(report.links?.[0]?.url, `${grafana.url}/d/checkout-overview?orgId=1`);
    const explore = new URL(report.links?.[1]?.url ?? '');
    assert.equal(explore.pathname, '/explore');
    const panes = JSON.parse(explore.searchParams.get('panes') ?? '{}') as {
      a: { datasource: string; queries: Array<{ expr: string }>; range: { from: string } };
    };
    assert.deepEqual(
      { uid: panes.a.datasource, expr: panes.a.queries[0]?.expr, from: panes.a.range.from },
      { uid: 'loki-prod', expr: LOGQL, from: 'now-15m' },
    );

    // Loki was asked for the last 15 minutes, newest first, as the documented parameters say.
    const asked = loki.requests.slice(lokiBefore);
    assert.equal(asked.length, 1);
    const { start, end, direction, limit, orgId, query } = asked[0]!;
    assert.equal(query, LOGQL);
    assert.equal(direction, 'backward');
    assert.equal(limit, '1000');
    assert.equal(orgId, 'team-a', 'headers from the policy are sent');
    assert.equal(BigInt(end ?? '0') - BigInt(start ?? '0'), 15n * 60_000n * 1_000_000n);

    assert.equal(sentry.requests.at(-1)?.path, '/api/0/projects/acme/checkout-web/issues/');
    assert.equal(sentry.requests.at(-1)?.statsPeriod, '24h');
    assert.match(sentry.requests.at(-1)?.query ?? '', /lastSeen:-1h/);

    assert.deepEqual(
      artifact.tools?.loki?.top.map((t) => t.count),
      [12, 3],
    );
    assert.deepEqual(
      artifact.tools?.sentry?.issues.map((i) => `${i.shortId}:${i.why}:${i.lastHour}`),
      ['CHECKOUT-2:spiking:90', 'CHECKOUT-1:new:7'],
    );
    assert.deepEqual(
      artifact.tools?.changes?.changes.map((c) => `${c.title} (${c.by})`),
      ['deploy 412 checkout v2.3.1 (bob)', 'flag new-checkout-flow on (carol)'],
    );
    assert.equal(artifact.tools?.changes?.url, `${feed.url}/changes?service=checkout`);
    assert.deepEqual(artifact.notConfigured, ['command']);
    assert.doesNotMatch(await readFile(report.artifact, 'utf8'), /glsa_|sntrys_|xoxb-/);
  });

  it('a service that names no tools, or a policy that connects none, is skipped and said so once', async () => {
    const report = await collector().collect(request({ service: 'quiet' }), () => undefined);
    assert.equal(report.summary, 'no diagnostics configured for quiet (services.quiet.diagnostics in the policy)');
    assert.deepEqual(report.links, []);

    const noLoki = await collector(policy({ withLoki: false })).collect(request(), () => undefined);
    assert.match(noLoki.summary, /; not configured: Loki, command$/);
    assert.equal(noLoki.summary.match(/not configured/g)?.length, 1);
    // Grafana reaches Loki through its own data source: the Explore link stands without the worker's Loki.
    assert.ok(noLoki.links?.some((link) => link.label === 'logs in Explore'));
  });

  it('a tool that fails is reported in its part of the summary, without its token', async () => {
    const wrongSentry = buildPolicy({
      diagnostics: {
        sentry: {
          url: sentry.url,
          organization: 'acme',
          headers: { Authorization: 'Bearer {{secret.GRAFANA_TOKEN}}' },
        },
      },
      services: { checkout: { diagnostics: { sentry: { project: 'checkout-web' } } } },
    });
    const failing = snapshotDiagnostics({
      services: wrongSentry.services,
      artifactDir,
      tools: wrongSentry.diagnostics,
      env,
    });
    const refused = await failing.collect(request(), () => undefined);
    assert.match(refused.summary, /^Sentry: answered 401: \{"detail":"Invalid token"\}/);
    assert.doesNotMatch(refused.summary, /glsa_/);

    const unset = buildPolicy({
      diagnostics: {
        sentry: { url: sentry.url, organization: 'acme', headers: { Authorization: 'Bearer {{secret.NOT_SET}}' } },
      },
      services: { checkout: { diagnostics: { sentry: { project: 'checkout-web' } } } },
    });
    const notAsked = await snapshotDiagnostics({
      services: unset.services,
      artifactDir,
      tools: unset.diagnostics,
      env,
    }).collect(request(), () => undefined);
    assert.match(notAsked.summary, /^Sentry: not asked: the worker has no NOT_SET;/);

    const badQuery = buildPolicy({
      diagnostics: { loki: { url: loki.url } },
      services: { checkout: { diagnostics: { loki: { query: 'rate(oops' } } } },
    });
    const lokiRefused = await snapshotDiagnostics({
      services: badQuery.services,
      artifactDir,
      tools: badQuery.diagnostics,
      env,
    }).collect(request(), () => undefined);
    assert.match(lokiRefused.summary, /^Loki: answered 400: parse error/);
  });
});

describe('Grafana annotations', () => {
  function mark(overrides: Partial<AnnotationRequest> = {}): AnnotationRequest {
    step += 1;
    return {
      incidentId: 'inc-7',
      key: `incident-inc-7/${step}-annotate`,
      drill: false,
      service: 'checkout',
      at: 1_700_000_000_000,
      event: 'declared',
      text: '[SEV-1] Checkout is down: declared',
      ...overrides,
    };
  }

  it("marks the service's dashboard with the service-account token, at the time of the event", async () => {
    const receipt = await collector().annotate(mark(), 1);
    const posted = grafana.annotations.at(-1);
    assert.deepEqual(receipt, {
      annotated: true,
      detail: `dashboard checkout-overview annotated (annotation ${posted?.id})`,
    });
    assert.equal(posted?.dashboardUID, 'checkout-overview');
    assert.equal(posted?.time, 1_700_000_000_000);
    assert.equal(posted?.text, '[SEV-1] Checkout is down: declared');
    assert.deepEqual(posted?.tags.slice(0, 3), ['incident', 'incident:inc-7', 'declared']);
    assert.equal(grafana.requests.at(-1)?.authorization, `Bearer ${GRAFANA_TOKEN}`);
  });

  it('a retry finds its own mark instead of marking twice', async () => {
    const request = mark({ event: 'mitigation' });
    await collector().annotate(request, 1);
    const count = grafana.annotations.length;
    const again = await collector().annotate(request, 2);
    assert.deepEqual(again, { annotated: true, detail: 'dashboard checkout-overview already annotated' });
    assert.equal(grafana.annotations.length, count);
  });

  it('a refusal is thrown so the activity retries, without the token in the message', async () => {
    grafana.failNext(1);
    await assert.rejects(
      collector().annotate(mark(), 1),
      /Grafana annotation on dashboard checkout-overview: answered 500/,
    );
    await assert.rejects(collector(policy({ grafanaToken: 'SLACK_BOT_TOKEN' })).annotate(mark(), 1), (error: Error) => {
      assert.match(error.message, /answered 401/);
      assert.doesNotMatch(error.message, /xoxb-/);
      return true;
    });
  });

  it('without a dashboard for the service, or without Grafana, nothing is sent', async () => {
    const requests = grafana.requests.length;
    assert.deepEqual(await collector().annotate(mark({ service: 'quiet' }), 1), {
      annotated: false,
      detail: 'Grafana not configured (services.quiet.diagnostics.grafana): no annotation',
    });
    const none = buildPolicy({});
    const receipt = await snapshotDiagnostics({
      services: none.services,
      artifactDir,
      tools: none.diagnostics,
    }).annotate(mark(), 1);
    assert.equal(receipt.detail, 'Grafana not configured (diagnostics.grafana): no annotation');
    assert.equal(grafana.requests.length, requests);
  });
});
