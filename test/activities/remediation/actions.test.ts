import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { configuredActions } from '../../../src/activities/remediation/actions';
import { buildPolicy } from '../../../src/domain/policy';
import { describeIssues } from '../../../src/domain/inputs';

const request = {
  incidentId: '20250314-k3f9',
  key: 'incident-20250314-k3f9/7-run-restart',
  drill: false,
  mitigationId: 'm2',
};
/** The worker's environment as src/config hands it over: full of secrets the command must not see. */
const worker = {
  PATH: process.env.PATH,
  SLACK_BOT_TOKEN: 'xoxb-worker-secret',
  SMTP_URL: 'smtp://user:password@mail',
  DEPLOY_TOKEN: 'deploy-token',
};
const printEnv = (...names: string[]) => [
  process.execPath,
  '-e',
  `console.log([${names.map((n) => `String(process.env.${n})`).join(', ')}].join(' '))`,
];

describe('command actions', () => {
  test('see only PATH, the incident variables and what the policy lists: no worker secret', async () => {
    const policy = buildPolicy({
      services: {
        checkout: {
          actions: {
            restart: {
              command: {
                argv: printEnv('DEPLOY_TOKEN', 'SLACK_BOT_TOKEN', 'SMTP_URL', 'INCIDENT_ID', 'IDEMPOTENCY_KEY'),
                env: ['DEPLOY_TOKEN'],
              },
            },
          },
        },
      },
    });
    const runner = configuredActions(policy.services, worker);
    const result = await runner.run({ ...request, service: 'checkout', action: 'restart' }, 1);
    assert.deepEqual(result, {
      succeeded: true,
      detail: `deploy-token undefined undefined ${request.incidentId} ${request.key}`,
      idempotent: false,
      attempt: 1,
    });
  });

  test('a failing command is the outcome, with its last line of stderr', async () => {
    const policy = buildPolicy({
      services: {
        api: {
          actions: {
            scale: { command: { argv: [process.execPath, '-e', 'console.error("quota exceeded"); process.exit(3)'] } },
          },
        },
      },
    });
    const result = await configuredActions(policy.services, worker).run(
      { ...request, service: 'api', action: 'scale' },
      1,
    );
    assert.equal(result.succeeded, false);
    assert.match(result.detail, /failed: quota exceeded/);
  });
});

describe('webhook actions', () => {
  test('send the method, templated URL and body, secret headers and the idempotency key', async () => {
    const seen: Array<{ method?: string; url?: string; headers: Record<string, unknown>; body: string }> = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, headers: req.headers, body });
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const policy = buildPolicy({
        services: {
          checkout: {
            actions: {
              'pause-consumers': {
                webhook: {
                  method: 'PUT',
                  url: `${base}/consumers/{{service}}/pause`,
                  headers: { Authorization: 'Bearer {{secret.DEPLOY_TOKEN}}', 'Content-Type': 'application/json' },
                  body: '{"incident":"{{incidentId}}","step":"{{key}}"}',
                },
              },
              missing: { webhook: { url: `${base}/x`, headers: { 'X-Token': '{{secret.NOT_SET}}' } } },
            },
          },
        },
      });
      const runner = configuredActions(policy.services, worker);
      const result = await runner.run({ ...request, service: 'checkout', action: 'pause-consumers' }, 1);
      assert.deepEqual(result, {
        succeeded: true,
        detail: `PUT 127.0.0.1:${(server.address() as AddressInfo).port} answered 202`,
        idempotent: true,
        attempt: 1,
      });
      assert.equal(seen[0]?.method, 'PUT');
      assert.equal(seen[0]?.url, '/consumers/checkout/pause');
      assert.equal(seen[0]?.headers.authorization, 'Bearer deploy-token');
      assert.equal(seen[0]?.headers['idempotency-key'], request.key);
      assert.deepEqual(JSON.parse(seen[0]?.body ?? ''), { incident: request.incidentId, step: request.key });

      const missing = await runner.run({ ...request, service: 'checkout', action: 'missing' }, 1);
      assert.deepEqual(
        [missing.succeeded, missing.detail],
        [false, 'not run: the worker has no NOT_SET in its environment'],
      );
      assert.equal(seen.length, 1, 'nothing sent without its secret');
      assert.deepEqual(runner.plan({ service: 'checkout', action: 'pause-consumers' }), {
        found: true,
        action: 'pause-consumers',
        via: 'webhook',
        undo: null,
        idempotent: true,
      });
    } finally {
      server.close();
    }
  });
});

describe('the actions policy', () => {
  const refusal = (actions: unknown) => {
    try {
      buildPolicy({ services: { checkout: { actions } } });
    } catch (error) {
      return describeIssues(error as Parameters<typeof describeIssues>[0]);
    }
    return assert.fail('accepted');
  };
  test('names a bad placeholder, a dangling undo, both or neither of command and webhook', () => {
    assert.match(
      refusal({ a: { webhook: { url: 'https://x.test/', body: '{{token}}' } } }),
      /actions\.a\.webhook\.body: unknown placeholder \{\{token\}\}/,
    );
    assert.match(
      refusal({ a: { webhook: { url: 'https://x.test/{{secret.T}}' } } }),
      /webhook\.url: unknown placeholder \{\{secret\.T\}\}/,
      'secrets never go into a URL (it is logged)',
    );
    assert.match(
      refusal({ a: { command: { argv: ['true'] }, undo: 'b' } }),
      /actions\.a\.undo: names no action of this service: b/,
    );
    assert.match(refusal({ a: { undo: 'rollback' } }), /give exactly one of command or webhook/);
    assert.match(
      refusal({ a: { command: { argv: ['true'], environment: ['X'] } } }),
      /Unrecognized key: "environment"/,
    );
  });

  test('the service rollback as first written is the action named rollback, and the default undo', () => {
    const policy = buildPolicy({
      services: { search: { rollback: { command: ['true'] }, actions: { restart: { command: { argv: ['true'] } } } } },
    });
    const runner = configuredActions(policy.services, worker);
    assert.deepEqual(runner.plan({ service: 'search', action: 'restart' }), {
      found: true,
      action: 'restart',
      via: 'command',
      undo: 'rollback',
      idempotent: false,
    });
    assert.deepEqual(runner.plan({ service: 'search', action: 'rollback' }), {
      found: true,
      action: 'rollback',
      via: 'command',
      undo: null,
      idempotent: false,
    });
    assert.deepEqual(runner.plan({ service: 'search', action: 'failover' }), {
      found: false,
      configured: ['restart', 'rollback'],
    });
  });
});
