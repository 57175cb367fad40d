import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SmokeTestReport } from '../../src/activities/types';
import { acknowledgeUpdate, resolveUpdate, stateQuery } from '../../src/workflows/definitions';
import { startTimeSkippingHarness, type Harness } from './harness';

const failing: SmokeTestReport = {
  passed: false,
  checks: [{ name: 'login flow', passed: false, latencyMs: 30, reason: 'step 1 (log in): status 500, expected 200' }],
};

describe('resolving without verification (time-skipping)', () => {
  let harness: Harness;
  before(async () => {
    harness = await startTimeSkippingHarness({
      override: () => ({ smokeTests: { run: () => Promise.resolve(failing) } }),
    });
  });
  after(() => harness.stop());

  it('failing checks refuse a resolution as verification-failed; only the IC may resolve unverified, with a reason', async () => {
    const incident = await harness.declare({ severity: 'SEV-2', commander: 'carol' });
    await incident.executeUpdate(acknowledgeUpdate, { args: [{ by: 'alice' }] });

    const refused = await incident.executeUpdate(resolveUpdate, { args: [{ by: 'carol' }] });
    assert.deepEqual(
      refused.added.map((e) => e.type),
      ['smoke-tests', 'verification-failed'],
    );
    assert.equal(refused.status, 'mitigating');

    await assert.rejects(
      incident.executeUpdate(resolveUpdate, { args: [{ by: 'alice', unverified: 'checks are broken' }] }),
      (error: Error & { cause?: Error }) =>
        /by: alice may not resolve: policy roles.permissions.resolve allows the Incident Commander \(carol\)/.test(
          error.cause?.message ?? '',
        ),
    );

    const resolved = await incident.executeUpdate(resolveUpdate, {
      args: [{ by: 'carol', summary: 'flag off', unverified: 'the login check depends on the broken SSO sandbox' }],
    });
    assert.equal(resolved.status, 'resolved');
    const entry = resolved.added.find((e) => e.type === 'resolved');
    assert.match(
      entry?.message ?? '',
      /UNVERIFIED by carol: the login check depends on the broken SSO sandbox; 1 of 1 checks failed/,
    );
    assert.equal(entry?.data?.unverified, 'the login check depends on the broken SSO sandbox');
    assert.equal((await incident.query(stateQuery)).status, 'resolved');
  });
});
