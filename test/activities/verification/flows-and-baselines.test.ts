import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { httpSmokeTester } from '../../../src/activities/verification/smoke-tests';
import { buildPolicy } from '../../../src/domain/policy';
import { describeIssues } from '../../../src/domain/inputs';

/** A service with a login flow, health endpoints and a Prometheus that answers by evaluation time, on loopback. */
interface Seen {
  path: string;
  method: string;
  headers: IncomingMessage['headers'];
  body: string;
  time?: string;
}
const seen: Seen[] = [];
let current = '0.011';
let aliveStatus = 200;

function handle(req: IncomingMessage, res: ServerResponse, body: string) {
  const url = new URL(req.url ?? '/', 'http://x');
  seen.push({
    path: url.pathname,
    method: req.method ?? '',
    headers: req.headers,
    body,
    time: url.searchParams.get('time') ?? undefined,
  });
  const json = (status: number, value: unknown) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
  switch (url.pathname) {
    case '/login': {
      const form = JSON.parse(body || '{}') as { user?: string; password?: string };
      if (req.headers['x-api-key'] !== 'key-1' || form.password !== 'pw-secret') return json(401, { error: 'denied' });
      return json(200, { session: { token: `tok-${form.user}` } });
    }
    case '/account':
      return req.headers.authorization === 'Bearer tok-smoke' ? json(200, { plan: 'pro' }) : json(403, {});
    case '/health':
      return json(200, { status: 'ok' });
    case '/alive':
      return json(aliveStatus, {});
    case '/api/v1/query': {
      // Yesterday's error rate is 0.01; now it is `current`.
      const value = url.searchParams.has('time') ? '0.01' : current;
      return json(200, {
        status: 'success',
        data: { resultType: 'vector', result: [{ metric: {}, value: [0, value] }] },
      });
    }
    default:
      return json(404, {});
  }
}

const server = createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => handle(req, res, body));
});
let base = '';
before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

const secrets = { SMOKE_PASSWORD: 'pw-secret', SMOKE_API_KEY: 'key-1', SLACK_BOT_TOKEN: 'xoxb-no' };
const request = (service: string) => ({ incidentId: 'inc-1', key: 'k', drill: false, service });

function tester(services: unknown, now = Date.now) {
  return httpSmokeTester(buildPolicy({ services }).services, { secrets, prometheusUrl: base, now });
}

describe('smoke checks: headers, bodies and flows', () => {
  it('a login flow sends its secrets, captures the token and uses it in the next step', async () => {
    seen.length = 0;
    const flow = {
      type: 'flow',
      name: 'log in, then fetch the account',
      steps: [
        {
          name: 'log in',
          url: `${base}/login`,
          method: 'POST',
          headers: { 'X-Api-Key': '{{secret.SMOKE_API_KEY}}', 'Content-Type': 'application/json' },
          body: '{"user":"smoke","password":"{{secret.SMOKE_PASSWORD}}"}',
          capture: { token: 'session.token' },
        },
        {
          name: 'account',
          url: `${base}/account`,
          headers: { Authorization: 'Bearer {{flow.token}}' },
          jsonPath: { path: 'plan', equals: 'pro' },
        },
      ],
    };
    const report = await tester({ auth: { smokeChecks: [flow] } }).run(request('auth'), () => undefined);
    assert.equal(report.passed, true, JSON.stringify(report));
    assert.match(report.checks[0]?.reason ?? '', /^2 steps passed/);
    assert.deepEqual(
      seen.map((s) => `${s.method} ${s.path}`),
      ['POST /login', 'GET /account'],
    );
    assert.equal(seen[1]?.headers.authorization, 'Bearer tok-smoke');
    assert.ok(!JSON.stringify(report).includes('pw-secret'), 'no secret in the report (it goes to history)');

    const wrong = structuredClone(flow);
    wrong.steps[0]!.body = '{"user":"smoke","password":"nope"}';
    const failed = await tester({ auth: { smokeChecks: [wrong] } }).run(request('auth'), () => undefined);
    assert.equal(failed.passed, false);
    assert.equal(failed.checks[0]?.reason, 'step 1 (log in): status 401, expected 200');
  });

  it('a header whose secret the worker lacks is not sent, and says which', async () => {
    const check = { name: 'admin', url: `${base}/health`, headers: { Authorization: 'Bearer {{secret.NOT_THERE}}' } };
    const report = await tester({ api: { smokeChecks: [check] } }).run(request('api'), () => undefined);
    assert.equal(report.passed, false);
    assert.match(report.checks[0]?.reason ?? '', /not sent: no NOT_THERE/);
  });

  it('refuses a body on GET, an unknown placeholder and a bare URL template, naming the field', () => {
    const refusal = (check: unknown) => {
      try {
        buildPolicy({ services: { api: { smokeChecks: [check] } } });
      } catch (error) {
        return describeIssues(error as Parameters<typeof describeIssues>[0]);
      }
      return assert.fail('accepted');
    };
    assert.match(refusal({ name: 'x', url: 'http://x.test/', body: 'a' }), /smokeChecks\.0\.body: a GET or HEAD/);
    assert.match(
      refusal({ name: 'x', url: 'http://x.test/', method: 'POST', body: '{{password}}' }),
      /body: unknown placeholder \{\{password\}\}/,
    );
    assert.match(
      refusal({ type: 'flow', name: 'f', steps: [{ name: 's', url: '{{flow.u}}' }] }),
      /steps\.0\.url: must be an http/,
    );
  });
});

describe('default probes under a base URL', () => {
  it('a service with a base URL and no checks is probed at /health and /alive', async () => {
    seen.length = 0;
    aliveStatus = 503;
    const report = await tester({ web: { baseUrl: `${base}/` } }).run(request('web'), () => undefined);
    assert.deepEqual(
      report.checks.map((c) => [c.name, c.passed]),
      [
        ['health', true],
        ['alive', false],
      ],
    );
    assert.deepEqual(
      seen.map((s) => s.path),
      ['/health', '/alive'],
    );
    aliveStatus = 200;
  });
});

describe('Prometheus checks against a baseline', () => {
  const check = (factor: number) => ({
    type: 'prometheus',
    name: 'error rate back to baseline',
    query: 'sum(rate(http_errors_total[5m]))',
    comparison: '<=',
    baseline: { offset: '1d', factor },
  });
  it('compares with the same query evaluated a day earlier, times the factor', async () => {
    seen.length = 0;
    const now = Date.UTC(2026, 11, 1, 9, 0);
    current = '0.011';
    const ok = await tester({ api: { smokeChecks: [check(1.2)] } }, () => now).run(request('api'), () => undefined);
    assert.equal(ok.passed, true, JSON.stringify(ok));
    assert.equal(ok.checks[0]?.reason, 'value 0.011 <= baseline 0.01 x 1.2 (1d ago)');
    assert.equal(seen[1]?.time, ((now - 86_400_000) / 1000).toFixed(3), 'the baseline is evaluated 1d before now');
    current = '0.05';
    const high = await tester({ api: { smokeChecks: [check(1.2)] } }, () => now).run(request('api'), () => undefined);
    assert.equal(high.passed, false);
    assert.equal(high.checks[0]?.reason, 'value 0.05, expected <= baseline 0.01 x 1.2 (1d ago)');
  });

  it('takes exactly one of threshold or baseline', () => {
    assert.throws(
      () => buildPolicy({ services: { api: { smokeChecks: [{ ...check(1), threshold: 1 }] } } }),
      /give exactly one of threshold or baseline/,
    );
  });
});
