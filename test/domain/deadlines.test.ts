import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextBusinessHoursStart, planDeadlines } from '../../src/domain/deadlines';
import { openIncidentState, type IncidentState } from '../../src/domain/incident';
import { declareSchema } from '../../src/domain/inputs';
import { buildPolicy, incidentPolicyFor } from '../../src/domain/policy';

const MINUTE = 60_000;
const T0 = Date.parse('2026-11-23T03:12:00Z');

function incident(overrides: Partial<IncidentState> = {}): IncidentState {
  const declaration = declareSchema.parse({ id: 'x1', title: 'Checkout down', severity: 'SEV-1', service: 'checkout' });
  return { ...openIncidentState(declaration, incidentPolicyFor(buildPolicy(), 'SEV-1'), T0), ...overrides };
}

const plan = (state: IncidentState) => planDeadlines(state).map((d) => `${d.kind}@${(d.at - T0) / MINUTE}`);

describe('deadline planning', () => {
  it('a fresh SEV-1 waits on the ack window, an IC, the cadence and the unresolved escalation', () => {
    assert.deepEqual(plan(incident()), [
      'ack-escalation@5',
      'commander-reminder@10',
      'status-reminder@15',
      'unresolved-escalation@15',
    ]);
  });

  it('after a reminder, the next status deadline is the escalation after the grace period', () => {
    const reminded = incident({
      status: 'investigating',
      acknowledgedAt: T0,
      statusClock: { since: T0, promisedBy: null, reminded: true },
    });
    // Nobody has taken command yet: the default policy reminds the on-call to at 10 minutes.
    assert.deepEqual(plan(reminded), ['commander-reminder@10', 'unresolved-escalation@15', 'status-escalation@20']);
  });

  it('a resolved incident waits on nothing', () => {
    assert.deepEqual(plan(incident({ status: 'resolved', resolvedAt: T0 + 30 * MINUTE })), []);
  });
});

describe('business hours', () => {
  const hours = { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00', utcOffsetMinutes: 0 };
  it('Monday 03:12 UTC defers to 09:00 the same day', () => {
    assert.equal(new Date(nextBusinessHoursStart(T0, hours)).toISOString(), '2026-11-23T09:00:00.000Z');
  });
  it('within hours is now', () => {
    const noon = Date.parse('2026-11-24T12:00:00Z');
    assert.equal(nextBusinessHoursStart(noon, hours), noon);
  });
  it('Friday evening defers to Monday morning, honouring the offset', () => {
    const friday = Date.parse('2026-11-27T18:00:00Z');
    assert.equal(new Date(nextBusinessHoursStart(friday, hours)).toISOString(), '2026-11-30T09:00:00.000Z');
    const berlin = { ...hours, utcOffsetMinutes: 60 };
    assert.equal(new Date(nextBusinessHoursStart(friday, berlin)).toISOString(), '2026-11-30T08:00:00.000Z');
  });
});
