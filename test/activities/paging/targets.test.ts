import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escalationMatrix, pageTargets } from '../../../src/activities/paging/targets';
import { buildPolicy } from '../../../src/domain/policy';

const policy = buildPolicy({
  contacts: {
    'db-oncall': { name: 'Database on-call', email: ['db@example.com'], slackUserId: 'U0DB12345' },
    'secondary-oncall': { email: ['second@example.com'] },
  },
  severities: { 'SEV-1': { escalationLadder: [{ target: 'secondary-oncall' }, { target: 'vp', after: '10m' }] } },
});

describe('page targets and the escalation matrix', () => {
  it('targets are the contacts, primary-oncall and whoever a ladder or escalation names', () => {
    assert.deepEqual(pageTargets(policy), [
      'db-oncall',
      'engineering-manager',
      'primary-oncall',
      'secondary-oncall',
      'team-lead',
      'vp',
    ]);
  });
  it('the matrix says who, how and when, per severity', () => {
    const sev1 = escalationMatrix(policy, 'SEV-1');
    assert.deepEqual(sev1, [
      'SEV-1 (page on-call: immediately)',
      '  page     primary-oncall',
      '  +5m      secondary-oncall: second@example.com if not acknowledged',
      '  +15m     vp if not acknowledged',
      '  +20m     engineering-manager if no status update',
      '  +15m     engineering-manager if unresolved',
      'other contacts',
      '  db-oncall (Database on-call): db@example.com, slack U0DB12345',
    ]);
    assert.equal(escalationMatrix(policy, 'SEV-4')[1], '  page     nobody is paged at declaration');
  });
});
