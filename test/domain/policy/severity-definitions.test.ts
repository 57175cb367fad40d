import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openIncidentState } from '../../../src/domain/incident';
import { declareSchema } from '../../../src/domain/inputs';
import { buildPolicy, incidentPolicyFor } from '../../../src/domain/policy';
import { severityGuide } from '../../../src/domain/policy/severity-definitions';
import { declarationMessage } from '../../../src/domain/templates';

describe('severity definitions in the policy (runbooks 001, 003)', () => {
  it('default to the runbooks, and a policy overrides them per severity', () => {
    const defaults = buildPolicy().severities;
    assert.match(defaults['SEV-1'].meaning ?? '', /data loss or corruption/);
    assert.ok(defaults['SEV-1'].examples?.includes('Security breach confirmed'));
    const ours = buildPolicy({ severities: { 'SEV-3': { meaning: 'One customer affected', examples: ['a tenant'] } } });
    assert.equal(ours.severities['SEV-3'].meaning, 'One customer affected');
    assert.deepEqual(ours.severities['SEV-3'].examples, ['a tenant']);
    assert.equal(ours.severities['SEV-3'].acknowledgeWithin, 30 * 60_000, 'the rest of SEV-3 keeps its defaults');
    assert.throws(
      () => buildPolicy({ severities: { 'SEV-2': { meaning: '' } } }),
      /severities\.SEV-2\.meaning|meaning/,
    );
  });

  it('show in declare --help and in the declaration message', () => {
    const guide = severityGuide(buildPolicy().severities).join('\n');
    assert.match(guide, /^ {2}SEV-4 {2}Cosmetic, no functional impact/m);
    assert.match(guide, /e\.g\. One endpoint slow; UI rendering bug/);
    const declaration = declareSchema.parse({ id: 'inc-1', title: 'Checkout down', severity: 'SEV-2' });
    const state = openIncidentState(declaration, incidentPolicyFor(buildPolicy(), 'SEV-2'), 0);
    assert.match(declarationMessage(state).text, /^Meaning: Major feature unavailable or significant degradation$/m);
  });
});
