import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildPolicy, incidentPolicyFor } from '../../../src/domain/policy';

const receives = (severity: 'SEV-1' | 'SEV-2' | 'SEV-3' | 'SEV-4', name = 'stakeholders') =>
  incidentPolicyFor(buildPolicy(), severity).audiences?.find((a) => a.name === name)?.receives;

describe('audiences in the policy', () => {
  it('defaults follow runbook 002: declaration and summary by email, SEV-1 status updates too', () => {
    assert.deepEqual(receives('SEV-1'), ['declaration', 'status-update', 'post-incident-summary']);
    assert.deepEqual(receives('SEV-2'), ['declaration', 'post-incident-summary']);
    assert.deepEqual(receives('SEV-3'), ['post-incident-summary']);
    assert.deepEqual(receives('SEV-4'), []);
    const security = incidentPolicyFor(buildPolicy(), 'SEV-2').audiences?.find((a) => a.name === 'security');
    assert.deepEqual(
      { ...security, receives: security?.receives.length },
      {
        name: 'security',
        email: ['security'],
        slack: [],
        detail: 'internal',
        security: true,
        receives: 0,
      },
    );
  });

  it('a policy names its own audiences, channels and what each hears per severity', () => {
    const policy = buildPolicy({
      audiences: {
        executives: {
          email: ['ceo@example.com'],
          slack: ['#exec', 'U012AB3CD'],
          receives: { 'SEV-1': ['declaration'] },
        },
      },
      announcements: { slack: '#incident-response' },
    });
    assert.deepEqual(incidentPolicyFor(policy, 'SEV-1').audiences, [
      {
        name: 'executives',
        email: ['ceo@example.com'],
        slack: ['#exec', 'U012AB3CD'],
        detail: 'stakeholder',
        security: false,
        receives: ['declaration'],
      },
    ]);
    assert.deepEqual(incidentPolicyFor(policy, 'SEV-2').audiences?.[0]?.receives, []);
    assert.deepEqual(incidentPolicyFor(policy, 'SEV-2').announcements, { slack: '#incident-response' });
  });

  it('refuses what it does not know, naming the field', () => {
    const refused = (content: unknown, pattern: RegExp) =>
      assert.throws(
        () => buildPolicy(content),
        (error: Error) => pattern.test(JSON.stringify(error)),
      );
    refused({ audiences: { leads: { email: ['a@example.com'], pager: true } } }, /pager/);
    refused({ audiences: { leads: { slack: ['#Leads Room'] } } }, /Slack channel/);
    refused({ audiences: { leads: { receives: { 'SEV-1': ['declaration'] } } } }, /at least one email or slack/);
    refused({ audiences: { leads: { email: ['a@example.com'], receives: { 'SEV-1': ['gossip'] } } } }, /receives/);
    refused({ audiences: { leads: { email: ['a@example.com'], receives: { 'SEV-9': ['declaration'] } } } }, /SEV-9/);
    refused({ templates: { 'internal-update': 'update.txt' } }, /\.eta template/);
    refused({ templates: { 'press-release': 'x.eta' } }, /press-release/);
    refused({ services: { checkout: { runbook: 'ftp://x' } } }, /runbook/);
  });
});
