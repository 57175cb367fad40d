import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import type { SmokeTestReport } from '../../src/activities/types';
import {
  acknowledgeUpdate,
  closeUpdate,
  finishMitigationUpdate,
  resolveUpdate,
  startMitigationUpdate,
  stateQuery,
} from '../../src/workflows/definitions';
import { CHECKED_CHECKOUT_POLICY, startTimeSkippingHarness, type Harness } from './harness';

const passing: SmokeTestReport = {
  passed: true,
  checks: [{ name: 'checkout', passed: true, latencyMs: 40, reason: 'status 200' }],
};
const failing: SmokeTestReport = {
  passed: false,
  checks: [{ name: 'checkout', passed: false, latencyMs: 35, reason: 'status 503, expected 200' }],
};

describe('mitigation, verification and resolution (time-skipping)', () => {
  let harness: Harness;
  /** Scripted smoke-test outcomes, consumed in order; the workflow's verification is what is under test here. */
  const smokeResults: SmokeTestReport[] = [];
  const rollbacks: string[] = [];

  beforeEach(async () => {
    harness = await startTimeSkippingHarness({
      policy: CHECKED_CHECKOUT_POLICY,
      override: () => ({
        smokeTests: {
          run: () => Promise.resolve(smokeResults.shift() ?? passing),
        },
        rollback: {
          run: (request) => {
            rollbacks.push(`${request.service}:${request.mitigationId}`);
            return Promise.resolve({ succeeded: true, detail: 'rolled back to deploy 411' });
          },
        },
      }),
    });
  });
  afterEach(() => harness.stop());

  it('a failed smoke test refuses the resolution and puts the incident back to mitigating', async () => {
    const incident = await harness.declare({ severity: 'SEV-1', service: 'checkout' });
    await incident.executeUpdate(acknowledgeUpdate, { args: [{ by: 'alice' }] });
    await incident.executeUpdate(startMitigationUpdate, {
      args: [{ action: 'roll back deploy 412', kind: 'rollback', by: 'bob' }],
    });
    await incident.executeUpdate(finishMitigationUpdate, {
      args: [{ actionId: 'm1', outcome: 'succeeded', by: 'bob' }],
    });
    smokeResults.push(failing);
    const refused = await incident.executeUpdate(resolveUpdate, { args: [{ by: 'alice' }] });
    assert.equal(refused.status, 'mitigating');
    assert.equal((await incident.query(stateQuery)).resolvedAt, null);
    // The answer carries what this command wrote: the failed smoke tests and the refusal.
    assert.deepEqual(
      refused.added.map((e) => e.type),
      ['smoke-tests', 'verification-failed'],
    );
    const smoke = refused.added.filter((e) => e.type === 'smoke-tests');
    assert.equal(smoke.length, 1);
    assert.match(smoke[0]!.message, /checkout FAILED .*status 503/);

    await incident.executeUpdate(startMitigationUpdate, {
      args: [{ action: 'restart pods', kind: 'restart', by: 'bob' }],
    });
    await incident.executeUpdate(finishMitigationUpdate, {
      args: [{ actionId: 'm2', outcome: 'succeeded', by: 'bob' }],
    });
    const resolved = await incident.executeUpdate(resolveUpdate, {
      args: [{ by: 'alice', summary: 'bad deploy 412' }],
    });
    assert.equal(resolved.status, 'resolved');
    assert.equal((await incident.query(stateQuery)).resolutionSummary, 'bad deploy 412');
  });

  it('a mitigation that failed triggers the rollback, then the smoke tests again', async () => {
    const incident = await harness.declare({ severity: 'SEV-2', service: 'search' });
    await incident.executeUpdate(acknowledgeUpdate, { args: [{ by: 'alice' }] });
    await incident.executeUpdate(startMitigationUpdate, {
      args: [{ action: 'enable cache flag', kind: 'feature-flag', by: 'bob' }],
    });
    const after = await incident.executeUpdate(finishMitigationUpdate, {
      args: [{ actionId: 'm1', outcome: 'failed', by: 'bob' }],
    });
    assert.ok(rollbacks.includes('search:m1'), 'the rollback ran for the failed mitigation');
    const order = after.added
      .map((e) => e.type)
      .filter((t) => ['mitigation-finished', 'rollback', 'smoke-tests'].includes(t));
    assert.deepEqual(order, ['mitigation-finished', 'rollback', 'smoke-tests']);
    assert.equal(after.status, 'monitoring', 'rollback worked and smoke tests passed');
  });
});

describe('a notification provider that always fails (time-skipping)', () => {
  it('does not block resolution; failures land on the timeline', async () => {
    const broken = await startTimeSkippingHarness({
      policy: CHECKED_CHECKOUT_POLICY,
      override: () => ({
        chat: {
          openChannel: () => Promise.reject(ApplicationFailure.nonRetryable('Slack rejected the token (invalid_auth)')),
          post: () => Promise.reject(new Error('chat is down')),
          updateSummary: () => Promise.reject(new Error('chat is down')),
          archive: () => Promise.reject(new Error('chat is down')),
        },
        archive: {
          location: 's3://incident-archive',
          put: () => Promise.reject(ApplicationFailure.nonRetryable('the bucket refused the write (AccessDenied)')),
          get: () => Promise.resolve(null),
          list: () => Promise.resolve([]),
        },
        smokeTests: { run: () => Promise.resolve(passing) },
      }),
    });
    try {
      const incident = await broken.declare({ severity: 'SEV-1', service: 'checkout' });
      await incident.executeUpdate(acknowledgeUpdate, { args: [{ by: 'alice' }] });
      await incident.executeUpdate(startMitigationUpdate, {
        args: [{ action: 'failover', kind: 'failover', by: 'bob' }],
      });
      const resolved = await incident.executeUpdate(resolveUpdate, { args: [{ by: 'alice' }] });
      assert.equal(resolved.status, 'resolved');
      await broken.env.sleep('10m');
      const closed = await incident.executeUpdate(closeUpdate, { args: [{ by: 'alice' }] });
      assert.equal(closed.status, 'closed');
      assert.equal((await incident.result()).status, 'closed');
      const result = await incident.query(stateQuery);
      const failures = result.timeline.filter((e) => e.type === 'notification-failed' && e.data?.channel === 'chat');
      assert.ok(failures.length >= 5, `chat failures recorded (${failures.length})`);
      assert.ok(
        failures.some((f) => f.message.includes('invalid_auth')),
        'the permanent reason is readable',
      );
      assert.ok(failures.some((f) => f.message.includes('chat is down')));
      // The record that could not be written says why, not that an activity failed.
      assert.deepEqual(
        result.timeline.filter((e) => e.data?.channel === 'archive').map((e) => [e.type, e.message]),
        [['notification-failed', 'archive: the bucket refused the write (AccessDenied)']],
      );
      const sent = result.timeline.filter((e) => e.type === 'notification-sent').map((e) => e.data?.channel);
      assert.ok(sent.includes('pager') && sent.includes('email'), 'other channels still delivered');
    } finally {
      await broken.stop();
    }
  });
});
