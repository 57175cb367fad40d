import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { configuredRollback } from '../../../src/activities/remediation/rollback';
import { rollbackEnvironment } from '../../../src/config/rollback';

const request = { incidentId: '20250314-k3f9', key: 'incident-20250314-k3f9/mitigation-1', drill: false };
const printEnv = (...names: string[]) => ({
  rollback: {
    command: [process.execPath, '-e', `console.log([${names.map((n) => `process.env.${n}`).join(', ')}].join(' '))`],
  },
});

describe('rollback command', () => {
  test('sees PATH, the incident id and idempotency key: no worker secret', async () => {
    const runner = configuredRollback(
      { checkout: { smokeChecks: [], ...printEnv('SLACK_BOT_TOKEN', 'INCIDENT_ID', 'IDEMPOTENCY_KEY') } },
      { PATH: process.env.PATH, SLACK_BOT_TOKEN: 'xoxb-worker-secret' },
    );

    const result = await runner.run({ ...request, service: 'checkout', mitigationId: 'm1', action: 'rollback' });

    assert.deepEqual(
      result,
      { succeeded: true, detail: `${request.incidentId} ${request.key}` },
      'the token would lead the line',
    );
  });

  test('the environment src/config reads is the worker’s own, copied', () => {
    const env = { PATH: '/bin', DEPLOY_TOKEN: 'x' };
    const read = rollbackEnvironment(env);
    assert.deepEqual(read, env);
    assert.notEqual(read, env);
  });
});
