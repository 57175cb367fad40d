import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextBusinessHoursStart } from '../../src/domain/business-hours';
import { buildPolicy } from '../../src/domain/policy';

const berlin = { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00', timeZone: 'Europe/Berlin' };
const next = (at: string, hours: Parameters<typeof nextBusinessHoursStart>[1] = berlin) =>
  new Date(nextBusinessHoursStart(Date.parse(at), hours)).toISOString();

describe('business hours in an IANA time zone', () => {
  it('opens at 09:00 local in winter (UTC+1) and in summer (UTC+2)', () => {
    assert.equal(next('2026-12-03T02:12:00Z'), '2026-12-03T08:00:00.000Z');
    assert.equal(next('2027-06-03T02:12:00Z'), '2027-06-03T07:00:00.000Z');
  });
  it('inside hours is now; after hours and weekends wait for the next working morning', () => {
    assert.equal(next('2026-12-03T10:00:00Z'), '2026-12-03T10:00:00.000Z');
    assert.equal(next('2026-12-03T16:00:00Z'), '2026-12-04T08:00:00.000Z');
    assert.equal(next('2026-12-04T17:00:00Z'), '2026-12-07T08:00:00.000Z');
  });
  it('crosses both daylight-saving changes', () => {
    assert.equal(next('2027-03-27T21:00:00Z'), '2027-03-29T07:00:00.000Z'); // into CEST
    assert.equal(next('2026-10-24T21:00:00Z'), '2026-10-26T08:00:00.000Z'); // back to CET
    const fixed = { ...berlin, timeZone: undefined, utcOffsetMinutes: 60 };
    assert.equal(next('2027-03-27T21:00:00Z', fixed), '2027-03-29T08:00:00.000Z', 'a fixed offset is an hour late');
  });
  it('other zones: New York, and Kolkata with a half-hour offset', () => {
    assert.equal(next('2026-12-03T02:00:00Z', { ...berlin, timeZone: 'America/New_York' }), '2026-12-03T14:00:00.000Z');
    assert.equal(next('2026-12-03T00:00:00Z', { ...berlin, timeZone: 'Asia/Kolkata' }), '2026-12-03T03:30:00.000Z');
  });
  it('the policy refuses an unknown zone, and both a zone and an offset', () => {
    assert.throws(
      () => buildPolicy({ businessHours: { ...berlin, timeZone: 'Europe/Berln' } }),
      /not an IANA time zone/,
    );
    assert.throws(
      () => buildPolicy({ businessHours: { ...berlin, utcOffsetMinutes: 60 } }),
      /give timeZone or utcOffsetMinutes, not both/,
    );
    assert.equal(buildPolicy({ businessHours: berlin }).businessHours.escalationsWait, true);
  });
});
