import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { buildPolicy } from '../../../src/domain/policy';
import { describeIssues } from '../../../src/domain/inputs';

/** The policy's `drills` section: strict, each refusal naming its field. */

function refusal(drills: unknown): string {
  try {
    buildPolicy({ drills });
  } catch (error) {
    if (error instanceof z.ZodError) return describeIssues(error);
    throw error;
  }
  assert.fail('the policy was accepted');
}

describe('policy drills', () => {
  it('reads a fire drill and a log flood with their defaults', () => {
    const { drills } = buildPolicy({
      drills: {
        friday: { kind: 'sev1-fire-drill', cron: '0 14 * * FRI', timeZone: 'Europe/Berlin', participants: ['alice'] },
        flood: { kind: 'log-flood', every: '7d', participants: ['alice', 'bob'] },
      },
    });
    assert.deepEqual(drills.friday, {
      kind: 'sev1-fire-drill',
      cron: '0 14 * * FRI',
      timeZone: 'Europe/Berlin',
      participants: ['alice'],
      service: 'drill',
      runFor: 30 * 60_000,
    });
    assert.equal(drills.flood?.kind === 'log-flood' && drills.flood.alerts, 50);
    assert.equal(drills.flood?.every, 7 * 24 * 3_600_000);
    assert.deepEqual(buildPolicy({}).drills, {});
  });

  it('refuses what a schedule could not run, naming the field', () => {
    const base = { kind: 'sev1-fire-drill', participants: ['alice'] };
    assert.match(refusal({ d: base }), /^drills\.d\.cron: give exactly one of cron or every/);
    assert.match(
      refusal({ d: { ...base, cron: '0 14 * *', every: '1d' } }),
      /^drills\.d\.cron: write five cron fields/,
    );
    assert.match(
      refusal({ d: { ...base, every: '1d', timeZone: 'Europe/Berlin' } }),
      /drills\.d\.timeZone: a time zone/,
    );
    assert.match(
      refusal({ d: { ...base, every: '1d', participants: [] } }),
      /drills\.d\.participants: name at least one/,
    );
    assert.match(refusal({ d: { ...base, every: '1d', kind: 'chaos' } }), /drills\.d\.kind: kind must be one of/);
    assert.match(refusal({ d: { ...base, every: '1d', extra: 1 } }), /drills\.d: Unrecognized key/);
    assert.match(refusal({ 'Bad Name': { ...base, every: '1d' } }), /use 1-40 lowercase letters/);
    assert.match(refusal({ d: { ...base, kind: 'log-flood', every: '1d', alerts: 1 } }), /drills\.d\.alerts: a flood/);
  });
});
