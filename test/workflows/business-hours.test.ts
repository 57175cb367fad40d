import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { stateQuery } from '../../src/workflows/definitions';
import { startTimeSkippingHarness, TEST_POLICY, type Harness } from './harness';

/**
 * A SEV-3 outside business hours (Europe/Berlin, Monday to Friday 09:00-17:00): the primary page waits for the
 * morning and nobody else is paged before it; the ladder counts from that page. Time is the test server's, moved
 * to each scenario's wall-clock instant first.
 */
const policy = {
  ...TEST_POLICY,
  businessHours: { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00', timeZone: 'Europe/Berlin' },
};

describe('business hours in a time zone (time-skipping)', () => {
  let harness: Harness | undefined;
  afterEach(async () => harness?.stop());

  async function sev3At(declaredAt: string) {
    harness = await startTimeSkippingHarness({ policy });
    const now = await harness.env.currentTimeMs();
    const target = Date.parse(declaredAt);
    assert.ok(target > now, `the scenario starts in the future (${declaredAt})`);
    await harness.env.sleep(target - now);
    return harness.declare({ severity: 'SEV-3', title: 'Search is slow' });
  }

  async function pagesUntil(incident: Awaited<ReturnType<typeof sev3At>>, until: string) {
    const env = (harness as Harness).env;
    await env.sleep(Date.parse(until) - (await env.currentTimeMs()));
    const state = await incident.query(stateQuery);
    return {
      deferred: state.timeline.filter((e) => e.type === 'page-deferred').map((e) => e.message),
      pages: state.timeline
        .filter((e) => e.type === 'escalation')
        .map((e) => `${String(e.data?.target)}@${new Date(e.at).toISOString().slice(0, 16)}`),
    };
  }

  it('a SEV-3 at 03:12 pages nobody in the night; primary at 09:00, secondary at 09:30 (CET)', async () => {
    const incident = await sev3At('2026-12-03T02:12:00Z'); // Thursday 03:12 in Berlin
    const { deferred, pages } = await pagesUntil(incident, '2026-12-03T08:45:00Z');
    assert.deepEqual(deferred, ['outside business hours: on-call paged at 2026-12-03T08:00:00.000Z']);
    const beforeOpening = pages.filter((p) => p.split('@')[1]! < '2026-12-03T08:00');
    assert.deepEqual(beforeOpening, [], 'no page in the night');
    assert.ok(pages.includes('primary-oncall@2026-12-03T08:00'), pages.join(', '));
    assert.ok(pages.includes('secondary-oncall@2026-12-03T08:30'), pages.join(', '));
  });

  it('Friday evening waits for Monday 09:00, and so does the whole ladder', async () => {
    const incident = await sev3At('2026-12-04T17:00:00Z'); // Friday 18:00 in Berlin
    const { pages } = await pagesUntil(incident, '2026-12-07T08:45:00Z');
    assert.deepEqual(
      pages.filter((p) => p.split('@')[1]! < '2026-12-07T08:00'),
      [],
      'nobody paged over the weekend',
    );
    assert.ok(pages.includes('primary-oncall@2026-12-07T08:00'), pages.join(', '));
    assert.ok(pages.includes('secondary-oncall@2026-12-07T08:30'), pages.join(', '));
  });

  it('across the switch to summer time, 09:00 is 09:00 CEST (07:00 UTC), not 08:00 UTC', async () => {
    const incident = await sev3At('2027-03-27T21:00:00Z'); // Saturday 22:00 CET; clocks go forward Sunday 02:00
    const { deferred, pages } = await pagesUntil(incident, '2027-03-29T07:45:00Z');
    assert.deepEqual(deferred, ['outside business hours: on-call paged at 2027-03-29T07:00:00.000Z']);
    assert.ok(pages.includes('primary-oncall@2027-03-29T07:00'), pages.join(', '));
    assert.ok(pages.includes('secondary-oncall@2027-03-29T07:30'), pages.join(', '));
    assert.deepEqual(
      pages.filter((p) => p.split('@')[1]! < '2027-03-29T07:00'),
      [],
    );
  });
});
