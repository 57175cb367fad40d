import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { snapshotDiagnostics, type DiagnosticsArtifact } from '../../../src/activities/diagnostics/snapshot';
import type { DiagnosticsRequest } from '../../../src/activities/types';
import { diagnosticsSchema } from '../../../src/domain/policy/diagnostics';
import { startHealthServer, type FakeHealthServer } from '../../fakes/health-server';
import { startFakePrometheus, type FakePrometheusApi } from '../../fakes/prometheus-api';

let health: FakeHealthServer;
let prometheus: FakePrometheusApi;
let artifactDir: string;
let unreachable: string;

/** None of the team's tools is configured here; every summary says so once, at its end. */
const NO_TOOLS = '; not configured: Grafana, Loki, Sentry, change feed, command';

let step = 0;
function request(overrides: Partial<DiagnosticsRequest> = {}): DiagnosticsRequest {
  step += 1;
  return {
    incidentId: 'inc-42',
    key: `incident-inc-42/${step}-diagnostics`,
    drill: false,
    service: 'checkout',
    severity: 'SEV-1',
    ...overrides,
  };
}

const readArtifact = async (file: string) => JSON.parse(await readFile(file, 'utf8')) as DiagnosticsArtifact;

function services() {
  return {
    checkout: {
      diagnostics: diagnosticsSchema.parse({
        healthEndpoints: [
          { name: 'health', url: `${health.url}/health` },
          { name: 'alive', url: `${health.url}/alive` },
          { name: 'db', url: `${health.url}/db` },
          { name: 'cache', url: `${unreachable}/cache` },
        ],
        prometheusQueries: [
          { name: 'error_rate', query: 'sum(rate(http_errors_total[5m])) / sum(rate(http_requests_total[5m]))' },
          { name: 'p99', query: 'histogram_quantile(0.99, rate(latency_bucket[5m]))' },
          { name: 'pods', query: 'up{job="checkout"}' },
        ],
      }),
    },
    'no-config': {},
  };
}

before(async () => {
  const big = JSON.stringify({ status: 'ok', padding: 'x'.repeat(5000) });
  health = await startHealthServer({
    '/health': { mode: 'healthy', body: big },
    '/alive': { mode: 'healthy' },
    '/db': { mode: 'unhealthy', body: JSON.stringify({ status: 'down', error: 'connection pool exhausted' }) },
  });
  prometheus = await startFakePrometheus({
    'sum(rate(http_errors_total[5m])) / sum(rate(http_requests_total[5m]))': { vector: [{ value: '0.123456' }] },
    'histogram_quantile(0.99, rate(latency_bucket[5m]))': {
      error: { status: 422, errorType: 'execution', error: 'expanding series: context deadline exceeded' },
    },
    'up{job="checkout"}': {
      vector: [
        { metric: { instance: 'a' }, value: '1' },
        { metric: { instance: 'b' }, value: '0' },
      ],
    },
  });
  const dead = await startHealthServer();
  await dead.close();
  unreachable = dead.url;
  artifactDir = await mkdtemp(path.join(os.tmpdir(), 'diagnostics-'));
});

after(async () => {
  await health.close();
  await prometheus.close();
  await rm(artifactDir, { recursive: true, force: true });
});

describe('diagnostics snapshot', () => {
  it('snapshots health endpoints and Prometheus queries into an artifact; only its path and a summary return', async () => {
    const collector = snapshotDiagnostics({ services: services(), artifactDir, prometheusUrl: prometheus.url });
    let heartbeats = 0;
    const healthBefore = health.requests.length;
    const report = await collector.collect(request(), () => void heartbeats++);

    assert.equal(
      report.summary,
      '2/4 health endpoints OK; failing db: 503, cache: request failed: ECONNREFUSED; error_rate=0.123; p99=error; pods=1 (+1 series)' +
        NO_TOOLS,
    );
    assert.equal(path.dirname(report.artifact), path.join(artifactDir, 'inc-42'));
    assert.match(path.basename(report.artifact), /^diagnostics-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z\.json$/);
    assert.equal(heartbeats, 7, 'one per endpoint and per query');

    const artifact = await readArtifact(report.artifact);
    assert.equal(artifact.incidentId, 'inc-42');
    assert.equal(artifact.service, 'checkout');
    assert.equal(artifact.severity, 'SEV-1');
    assert.equal(artifact.summary, report.summary);
    const [healthy, alive, db, cache] = artifact.healthEndpoints;
    assert.equal(healthy?.ok, true);
    assert.equal(healthy?.status, 200);
    assert.equal(healthy?.body?.length, 2048, 'first 2 KB of the body');
    assert.equal(healthy?.bodyTruncated, true);
    assert.equal(alive?.body, '{"status":"ok"}');
    assert.deepEqual(
      { ok: db?.ok, status: db?.status, body: db?.body },
      { ok: false, status: 503, body: '{"status":"down","error":"connection pool exhausted"}' },
    );
    assert.deepEqual(
      { ok: cache?.ok, status: cache?.status, error: cache?.error },
      { ok: false, status: null, error: 'request failed: ECONNREFUSED' },
    );
    for (const endpoint of artifact.healthEndpoints) assert.equal(typeof endpoint.latencyMs, 'number');

    const [errorRate, p99, pods] = artifact.prometheus.queries;
    assert.deepEqual(errorRate?.samples, [{ metric: {}, value: '0.123456' }]);
    assert.equal(p99?.ok, false);
    assert.equal(p99?.error, 'Prometheus execution (422): expanding series: context deadline exceeded');
    assert.equal(pods?.seriesCount, 2);
    assert.equal(artifact.prometheus.skipped, null);

    assert.deepEqual(
      health.requests
        .slice(healthBefore)
        .map((r) => `${r.method} ${r.path}`)
        .sort(),
      ['GET /alive', 'GET /db', 'GET /health'],
    );
    assert.deepEqual(
      prometheus.requests.map((r) => r.query).sort(),
      services()
        .checkout.diagnostics.prometheusQueries.map((q) => q.query)
        .sort(),
    );
  });

  it('is idempotent per key: the same key returns the same file, neither probed nor written again', async () => {
    const collector = snapshotDiagnostics({ services: services(), artifactDir, prometheusUrl: prometheus.url });
    const req = request();
    const first = await collector.collect(req, () => undefined);
    const written = await stat(first.artifact);
    const probes = health.requests.length;

    // A new collector, as after a worker restart between the snapshot and the activity's completion.
    const again = await snapshotDiagnostics({ services: services(), artifactDir }).collect(req, () => undefined);
    assert.deepEqual(again, first);
    assert.equal((await stat(first.artifact)).mtimeMs, written.mtimeMs);
    assert.equal(health.requests.length, probes);

    const other = await collector.collect(request(), () => undefined);
    assert.notEqual(other.artifact, first.artifact);
    const files = (await readdir(path.dirname(first.artifact))).filter((f) => f.startsWith('diagnostics-'));
    assert.ok(files.includes(path.basename(other.artifact)));
    assert.ok(!files.some((f) => f.endsWith('.tmp')));
  });

  it('embedded default: without Prometheus only health endpoints are snapshotted, and the summary says so', async () => {
    const queries = prometheus.requests.length;
    const report = await snapshotDiagnostics({ services: services(), artifactDir }).collect(request(), () => undefined);
    assert.equal(
      report.summary,
      '2/4 health endpoints OK; failing db: 503, cache: request failed: ECONNREFUSED; Prometheus not configured: 3 queries skipped' +
        NO_TOOLS,
    );
    assert.equal(prometheus.requests.length, queries);
    const artifact = await readArtifact(report.artifact);
    assert.deepEqual(artifact.prometheus, {
      url: null,
      skipped: 'Prometheus not configured: 3 queries skipped',
      queries: [],
    });
  });

  it('records a slow endpoint as timed out rather than waiting for it', async () => {
    health.set('/slow', { mode: 'slow', delayMs: 1000 });
    const collector = snapshotDiagnostics({
      services: {
        slow: {
          diagnostics: diagnosticsSchema.parse({ healthEndpoints: [{ name: 'slow', url: `${health.url}/slow` }] }),
        },
      },
      artifactDir,
      timeout: 150,
    });
    const report = await collector.collect(request({ service: 'slow' }), () => undefined);
    assert.equal(report.summary, '0/1 health endpoints OK; failing slow: no answer within 150 ms' + NO_TOOLS);
  });

  it('a service without diagnostics still gets an artifact saying so', async () => {
    const report = await snapshotDiagnostics({ services: services(), artifactDir }).collect(
      request({ service: 'no-config' }),
      () => undefined,
    );
    assert.equal(
      report.summary,
      'no diagnostics configured for no-config (services.no-config.diagnostics in the policy)',
    );
    assert.equal((await readArtifact(report.artifact)).healthEndpoints.length, 0);
  });

  it('keeps credentials out of the artifact', async () => {
    const url = new URL(`${health.url}/alive`);
    url.username = 'probe';
    url.password = 's3cret';
    const promUrl = new URL(prometheus.url);
    promUrl.username = 'metrics';
    promUrl.password = 'hunter2';
    const report = await snapshotDiagnostics({
      services: {
        auth: {
          diagnostics: diagnosticsSchema.parse({
            healthEndpoints: [{ name: 'alive', url: url.toString() }],
            prometheusQueries: [{ name: 'pods', query: 'up{job="checkout"}' }],
          }),
        },
      },
      artifactDir,
      prometheusUrl: promUrl.toString(),
    }).collect(request({ service: 'auth' }), () => undefined);
    assert.equal(report.summary, '1/1 health endpoints OK; pods=1 (+1 series)' + NO_TOOLS);
    assert.equal(
      prometheus.requests.at(-1)?.authorization,
      `Basic ${Buffer.from('metrics:hunter2').toString('base64')}`,
    );
    const text = await readFile(report.artifact, 'utf8');
    assert.doesNotMatch(text, /s3cret|hunter2/);
  });

  it('refuses an incident id that could leave the artifact directory, permanently', async () => {
    const collector = snapshotDiagnostics({ services: services(), artifactDir });
    await assert.rejects(
      collector.collect(request({ incidentId: '../etc' }), () => undefined),
      (error: unknown) => {
        assert.ok(error instanceof ApplicationFailure);
        assert.equal(error.nonRetryable, true);
        assert.equal(error.type, 'InvalidIncidentId');
        return true;
      },
    );
  });
});
