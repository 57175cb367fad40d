import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { SmokeTestReport } from '../../src/activities/types';
import { acknowledgeUpdate, resolveUpdate, stateQuery, type IncidentView } from '../../src/workflows/definitions';
import { CHECKED_CHECKOUT_POLICY, refusedWith, startTimeSkippingHarness, type Harness } from './harness';

const failing: SmokeTestReport = {
  passed: false,
  checks: [{ name: 'login flow', passed: false, latencyMs: 30, reason: 'step 1 (log in): status 500, expected 200' }],
};

describe('resolving without verification (time-skipping)', () => {
  let harness: Harness;
  before(async () => {
    harness = await startTimeSkippingHarness({
      policy: CHECKED_CHECKOUT_POLICY,
      // Checkout's check fails; a service the policy gives no checks gets none, as the embedded tester answers.
      override: () => ({
        smokeTests: {
          run: ({ service }) => Promise.resolve(service === 'checkout' ? failing : { passed: true, checks: [] }),
        },
      }),
    });
  });
  after(() => harness.stop());

  it('failing checks refuse a resolution as verification-failed; only the IC may resolve unverified, with a reason', async () => {
    const incident = await harness.declare({ severity: 'SEV-2', commander: 'carol', service: 'checkout' });
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

  it('a service with no checks resolves only unverified, by the IC; the timeline and the postmortem say so', async () => {
    const incident = await harness.declare({ severity: 'SEV-2', commander: 'carol', service: 'ledger' });
    await incident.executeUpdate(acknowledgeUpdate, { args: [{ by: 'alice' }] });
    await assert.rejects(
      incident.executeUpdate(resolveUpdate, { args: [{ by: 'carol', summary: 'replayed the queue' }] }),
      refusedWith(/^unverified: ledger has no smoke checks, .*--unverified --reason/),
    );
    assert.equal((await incident.query(stateQuery)).status, 'acknowledged', 'the refusal changed nothing');

    const resolved = await incident.executeUpdate(resolveUpdate, {
      args: [{ by: 'carol', summary: 'replayed the queue', unverified: 'balances checked by hand' }],
    });
    assert.equal(resolved.status, 'resolved');
    const entry = resolved.added.find((e) => e.type === 'resolved');
    assert.match(entry?.message ?? '', /UNVERIFIED by carol: balances checked by hand; no checks configured/);
    assert.deepEqual(entry?.data, { unverified: 'balances checked by hand', checksPassed: true, checks: 0 });

    const postmortem = await eventuallyPostmortem(incident);
    const markdown = await readFile(String(postmortem.data?.location), 'utf8');
    assert.match(markdown, /UNVERIFIED by carol: balances checked by hand/);
    assert.match(markdown, /Add smoke checks for ledger/);
  });
});

/** The postmortem is drafted in the background after the resolution. */
async function eventuallyPostmortem(incident: { query: (q: typeof stateQuery) => Promise<IncidentView> }) {
  for (let i = 0; i < 100; i++) {
    const entry = (await incident.query(stateQuery)).timeline.find((e) => e.type === 'postmortem');
    if (entry) return entry;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail('no postmortem on the timeline');
}
