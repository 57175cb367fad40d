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
  test('inherits the environment src/config hands it, plus the incident id and idempotency key', async () => {
    const runner = configuredRollback(
      { checkout: { smokeChecks: [], ...printEnv('FROM_CONFIG', 'INCIDENT_ID', 'IDEMPOTENCY_KEY') } },
      { FROM_CONFIG: 'injected' },
    );

    const result = await runner.run({ ...request, service: 'checkout', mitigationId: 'm1', action: 'rollback' });

    assert.deepEqual(result, { succeeded: true, detail: `injected ${request.incidentId} ${request.key}` });
  });

  test('the environment src/config reads is the worker’s own, copied', () => {
    const env = { PATH: '/bin', DEPLOY_TOKEN: 'x' };
    const read = rollbackEnvironment(env);
    assert.deepEqual(read, env);
    assert.notEqual(read, env);
  });
});
