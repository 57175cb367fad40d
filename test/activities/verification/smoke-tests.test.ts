import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { httpSmokeTester, readJsonPath } from '../../../src/activities/verification/smoke-tests';
import type { SmokeTestRequest } from '../../../src/activities/types';
import { smokeCheckSchema } from '../../../src/domain/checks';
import { startHealthServer, type FakeHealthServer } from '../../fakes/health-server';
import { startFakePrometheus, type FakePrometheusApi } from '../../fakes/prometheus-api';

/** Smoke checks as a policy file writes them, parsed by the same schema, run against loopback servers. */
const checks = (raw: unknown[]) => z.array(smokeCheckSchema).parse(raw);

let step = 0;
function request(service: string): SmokeTestRequest {
  step += 1;
  return { incidentId: 'inc-7', key: `incident-inc-7/${step}-smoke`, drill: false, service };
}

async function run(raw: unknown[], options: { prometheusUrl?: string } = {}) {
  let heartbeats = 0;
  const tester = httpSmokeTester({ svc: { smokeChecks: checks(raw) } }, { attemptPause: 10, ...options });
  const report = await tester.run(request('svc'), () => void heartbeats++);
  return { report, heartbeats };
}

async function closedPortUrl(): Promise<string> {
  const server = await startHealthServer();
  await server.close();
  return server.url;
}

let health: FakeHealthServer;
let prometheus: FakePrometheusApi;

before(async () => {
  health = await startHealthServer({
    '/healthz': { mode: 'healthy' },
    '/ready': {
      mode: 'healthy',
      body: JSON.stringify({ status: 'ok', checks: { db: { status: 'up' } }, items: [{ state: 'green' }] }),
    },
    '/down': { mode: 'unhealthy' },
    '/slow': { mode: 'slow', delayMs: 600 },
    '/html': { mode: 'healthy', body: '<html><h1>Checkout</h1></html>', contentType: 'text/html' },
    '/moved': { mode: 'healthy', status: 301, body: '' },
  });
  prometheus = await startFakePrometheus({
    'error_rate:checkout': { vector: [{ metric: { service: 'checkout' }, value: '0.004' }] },
    'error_rate:high': { vector: [{ metric: { service: 'checkout' }, value: '0.12' }] },
    'error_rate:nan': { vector: [{ value: 'NaN' }] },
    'latency:inf': { vector: [{ value: '+Inf' }] },
    'scalar(1)': { scalar: '1' },
    'rate(errors[5m])[10m:]': { matrix: true },
    'broken(': {
      error: {
        status: 400,
        errorType: 'bad_data',
        error: 'invalid parameter "query": 1:8: parse error: unclosed left parenthesis',
      },
    },
    slow_query: { error: { status: 503, errorType: 'timeout', error: 'query timed out in expression evaluation' } },
    proxy_error: { raw: { status: 502, body: '<html>Bad Gateway</html>', contentType: 'text/html' } },
  });
});

after(async () => {
  await health.close();
  await prometheus.close();
});

describe('smoke tests: configuration', () => {
  it('a service without checks passes with no checks, so the workflow can record "not verified"', async () => {
    const tester = httpSmokeTester({ svc: { smokeChecks: [] } });
    assert.deepEqual(await tester.run(request('svc'), () => undefined), { passed: true, checks: [] });
    assert.deepEqual(await tester.run(request('unknown-service'), () => undefined), { passed: true, checks: [] });
  });

  it('checks written without a type are HTTP checks with one attempt (policies written before Prometheus checks)', () => {
    const [check] = checks([{ name: 'health', url: 'https://x.example/healthz', maxLatency: '2s' }]);
    assert.deepEqual(check, {
      type: 'http',
      name: 'health',
      url: 'https://x.example/healthz',
      method: 'GET',
      expectStatus: 200,
      maxLatency: 2000,
      attempts: 1,
    });
  });

  it('refuses a HEAD check with a body condition and an unknown comparison, naming the field', () => {
    const head = z
      .array(smokeCheckSchema)
      .safeParse([{ name: 'h', url: 'http://x/h', method: 'HEAD', bodyContains: 'ok' }]);
    assert.equal(head.success, false);
    assert.deepEqual(head.error?.issues[0]?.path, [0, 'method']);
    const prom = z
      .array(smokeCheckSchema)
      .safeParse([{ type: 'prometheus', name: 'p', query: 'up', comparison: '!=', threshold: 1 }]);
    assert.deepEqual(prom.error?.issues[0]?.path, [0, 'comparison']);
  });

  it('fails at boot when a Prometheus check has no Prometheus to ask', () => {
    const smokeChecks = checks([{ type: 'prometheus', name: 'errors', query: 'up', comparison: '==', threshold: 1 }]);
    assert.throws(
      () => httpSmokeTester({ checkout: { smokeChecks } }),
      /services\.checkout\.smokeChecks "errors" is a Prometheus check but no Prometheus is configured/,
    );
    assert.doesNotThrow(() => httpSmokeTester({ checkout: { smokeChecks } }, { prometheusUrl: prometheus.url }));
  });
});

describe('smoke tests: HTTP checks', () => {
  it('pass on status, body text and a JSON path; heartbeat after each; the fake saw each method', async () => {
    const before = health.requests.length;
    const { report, heartbeats } = await run([
      { name: 'health', url: `${health.url}/healthz`, maxLatency: '2s' },
      { name: 'page', url: `${health.url}/html`, bodyContains: 'Checkout' },
      { name: 'db', url: `${health.url}/ready`, jsonPath: { path: 'checks.db.status', equals: 'up' } },
      { name: 'item', url: `${health.url}/ready`, jsonPath: { path: '$.items[0].state', equals: 'green' } },
      { name: 'head', url: `${health.url}/healthz`, method: 'HEAD' },
      { name: 'post', url: `${health.url}/healthz`, method: 'POST' },
      { name: 'redirect', url: `${health.url}/moved`, expectStatus: 301 },
    ]);
    assert.equal(report.passed, true, JSON.stringify(report));
    assert.deepEqual(
      report.checks.map((c) => c.name),
      ['health', 'page', 'db', 'item', 'head', 'post', 'redirect'],
    );
    for (const check of report.checks) {
      assert.match(check.reason, /^status (200|301) in \d+ ms$/);
      assert.ok(check.latencyMs >= 0 && check.latencyMs < 2000);
    }
    assert.equal(heartbeats, 7);
    assert.deepEqual(
      health.requests.slice(before).map((r) => `${r.method} ${r.path}`),
      ['GET /healthz', 'GET /html', 'GET /ready', 'GET /ready', 'HEAD /healthz', 'POST /healthz', 'GET /moved'],
    );
  });

  it('report each failure with its reason, and the report fails when any check does', async () => {
    const unreachable = await closedPortUrl();
    const { report } = await run([
      { name: 'ok', url: `${health.url}/healthz` },
      { name: 'down', url: `${health.url}/down` },
      { name: 'missing', url: `${health.url}/nope`, expectStatus: 200 },
      { name: 'text', url: `${health.url}/html`, bodyContains: 'Payment' },
      { name: 'json', url: `${health.url}/ready`, jsonPath: { path: 'checks.db.status', equals: 'down' } },
      { name: 'path', url: `${health.url}/ready`, jsonPath: { path: 'checks.cache.status', equals: 'up' } },
      { name: 'not json', url: `${health.url}/html`, jsonPath: { path: 'status', equals: 'ok' } },
      { name: 'slow', url: `${health.url}/slow`, maxLatency: '200ms' },
      { name: 'unreachable', url: `${unreachable}/healthz` },
    ]);
    assert.equal(report.passed, false);
    assert.deepEqual(
      report.checks.map((c) => [c.name, c.passed, c.reason.replace(/^(status \d+ in )\d+ ms$/, '$1N ms')]),
      [
        ['ok', true, 'status 200 in N ms'],
        ['down', false, 'status 503, expected 200'],
        ['missing', false, 'status 404, expected 200'],
        ['text', false, 'body does not contain "Payment"'],
        ['json', false, 'checks.db.status is "up", expected "down"'],
        ['path', false, 'checks.cache.status not found in body'],
        ['not json', false, 'body is not JSON, cannot read status'],
        ['slow', false, 'no answer within 200 ms'],
        ['unreachable', false, 'request failed: ECONNREFUSED'],
      ],
    );
    const slow = report.checks.find((c) => c.name === 'slow');
    assert.ok(slow && slow.latencyMs >= 190 && slow.latencyMs < 600, `latency ${slow?.latencyMs}`);
  });

  it('retries a flapping endpoint up to its attempts, pausing between them', async () => {
    health.set('/flapping', { mode: 'healthy', failFirst: 2 });
    const before = health.requests.length;
    const { report, heartbeats } = await run([{ name: 'flapping', url: `${health.url}/flapping`, attempts: 3 }]);
    assert.equal(report.passed, true);
    assert.match(report.checks[0]?.reason ?? '', /^status 200 in \d+ ms \(attempt 3 of 3\)$/);
    const seen = health.requests.slice(before);
    assert.equal(seen.length, 3);
    assert.ok(seen[2]!.at - seen[0]!.at >= 20, 'paused between attempts');
    assert.equal(heartbeats, 3, 'one per retry and one for the check');

    health.set('/flapping', { mode: 'healthy', failFirst: 5 });
    const start = health.requests.length;
    const failed = await run([{ name: 'flapping', url: `${health.url}/flapping`, attempts: 2 }]);
    assert.equal(failed.report.passed, false);
    assert.equal(failed.report.checks[0]?.reason, 'status 503, expected 200 (attempt 2 of 2)');
    assert.equal(health.requests.length - start, 2);
  });

  it('sends credentials written in the URL as Basic authentication, and never leaves them in a reason', async () => {
    const url = new URL(`${health.url}/healthz`);
    url.username = 'probe';
    url.password = 's3cret';
    const before = health.requests.length;
    const { report } = await run([{ name: 'auth', url: url.toString() }]);
    assert.equal(report.passed, true);
    assert.equal(health.requests[before]?.authorization, `Basic ${Buffer.from('probe:s3cret').toString('base64')}`);
    assert.doesNotMatch(JSON.stringify(report), /s3cret/);
  });
});

describe('smoke tests: Prometheus checks', () => {
  const prom = (name: string, query: string, comparison: string, threshold: number) => ({
    type: 'prometheus',
    name,
    query,
    comparison,
    threshold,
  });

  it('pass when the first sample meets the threshold ("error rate back to baseline")', async () => {
    const before = prometheus.requests.length;
    const { report, heartbeats } = await run(
      [prom('error rate', 'error_rate:checkout', '<', 0.01), prom('scalar', 'scalar(1)', '==', 1)],
      { prometheusUrl: prometheus.url },
    );
    assert.equal(report.passed, true, JSON.stringify(report));
    assert.deepEqual(
      report.checks.map((c) => c.reason),
      ['value 0.004 < 0.01', 'value 1 == 1'],
    );
    assert.equal(heartbeats, 2);
    assert.deepEqual(prometheus.requests.slice(before), [
      { method: 'GET', query: 'error_rate:checkout', timeout: '10s', authorization: undefined },
      { method: 'GET', query: 'scalar(1)', timeout: '10s', authorization: undefined },
    ]);
  });

  it('fail with a reason for a value off the threshold, no series, NaN, an error body and a broken proxy', async () => {
    const unreachable = await closedPortUrl();
    const { report } = await run(
      [
        prom('high', 'error_rate:high', '<=', 0.01),
        prom('absent', 'error_rate:nobody_scrapes_this', '<', 0.01),
        prom('nan', 'error_rate:nan', '<', 0.01),
        prom('inf', 'latency:inf', '<', 5),
        prom('syntax', 'broken(', '<', 1),
        prom('timeout', 'slow_query', '<', 1),
        prom('proxy', 'proxy_error', '<', 1),
        prom('range', 'rate(errors[5m])[10m:]', '<', 1),
        { ...prom('elsewhere', 'up', '==', 1), prometheusUrl: unreachable },
      ],
      { prometheusUrl: prometheus.url },
    );
    assert.equal(report.passed, false);
    assert.deepEqual(
      report.checks.map((c) => [c.name, c.passed, c.reason]),
      [
        ['high', false, 'value 0.12, expected <= 0.01'],
        ['absent', false, 'query returned no series (is the metric being scraped?)'],
        ['nan', false, 'value NaN, expected < 0.01'],
        ['inf', false, 'value +Inf, expected < 5'],
        [
          'syntax',
          false,
          'Prometheus bad_data (400): invalid parameter "query": 1:8: parse error: unclosed left parenthesis',
        ],
        ['timeout', false, 'Prometheus timeout (503): query timed out in expression evaluation'],
        ['proxy', false, 'Prometheus answered 502 without a JSON body'],
        ['range', false, 'query returned a matrix; write an instant vector or scalar expression'],
        ['elsewhere', false, 'Prometheus request failed: ECONNREFUSED'],
      ],
    );
  });

  it("uses the check's own prometheusUrl over the worker's", async () => {
    const other = await startFakePrometheus({ up: { vector: [{ value: '1' }] } });
    try {
      const { report } = await run([{ ...prom('up', 'up', '==', 1), prometheusUrl: other.url }], {
        prometheusUrl: 'http://127.0.0.1:9/',
      });
      assert.equal(report.passed, true, JSON.stringify(report));
      assert.equal(other.requests.length, 1);
    } finally {
      await other.close();
    }
  });
});

describe('readJsonPath', () => {
  it('reads dotted paths, array indexes and an optional $ prefix; absent is not the same as null', () => {
    const json = { a: { b: [{ c: 1 }, { c: null }] } };
    assert.deepEqual(readJsonPath(json, 'a.b[0].c'), { present: true, value: 1 });
    assert.deepEqual(readJsonPath(json, '$.a.b.1.c'), { present: true, value: null });
    assert.deepEqual(readJsonPath(json, 'a.b[2].c'), { present: false });
    assert.deepEqual(readJsonPath(json, 'a.toString'), { present: false });
    assert.deepEqual(readJsonPath(json, '$'), { present: true, value: json });
  });
});
