import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { factsFor, templateFor, type MessageFacts } from '../../src/domain/message-facts';
import type { IncidentAudience } from '../../src/domain/policy/audiences';

const UPDATE: MessageFacts = {
  event: 'status-update',
  incidentId: 'inc-1',
  headline: '[SEV-2] Credential stuffing on login',
  severity: 'SEV-2',
  service: 'login',
  status: 'investigating',
  drill: false,
  security: false,
  declaredAt: '2026-12-01T03:12:00.000Z',
  impact: 'logins fail for 5%',
  hypothesis: 'HYPOTHESIS',
  actions: 'blocking IPs',
  postedBy: 'sam',
  publicText: 'Some customers cannot log in.',
  phase: 'investigating',
  nextUpdate: '2026-12-01T03:42:00.000Z',
};
const audience = (detail: IncidentAudience['detail'], security = false): IncidentAudience => ({
  name: detail,
  email: ['x@example.com'],
  slack: [],
  detail,
  security,
  receives: ['status-update'],
});

describe('what each audience may read', () => {
  it('by detail: internal in full, stakeholders without hypothesis, actions or names, public only public text', () => {
    assert.deepEqual(factsFor(audience('internal'), UPDATE), UPDATE);
    assert.equal(templateFor(audience('internal'), UPDATE), 'internal-update');
    const stakeholders = factsFor(audience('stakeholder'), UPDATE);
    assert.equal(stakeholders?.impact, 'logins fail for 5%');
    assert.ok(!/HYPOTHESIS|blocking|sam/.test(JSON.stringify(stakeholders)));
    assert.equal(templateFor(audience('stakeholder'), UPDATE), 'stakeholder-notification');
    const customers = factsFor(audience('public'), UPDATE);
    assert.equal(customers?.impact, 'Some customers cannot log in.');
    assert.ok(!/HYPOTHESIS|blocking|sam|5%/.test(JSON.stringify(customers)));
    assert.equal(templateFor(audience('public'), UPDATE), 'user-facing-update');
  });

  it('a security incident: the security audience reads it all; the rest only public text, without the title', () => {
    const breach = { ...UPDATE, security: true };
    assert.deepEqual(factsFor(audience('stakeholder', true), breach), breach);
    assert.equal(templateFor(audience('stakeholder', true), breach), 'internal-update');
    for (const detail of ['internal', 'stakeholder', 'public'] as const) {
      const seen = factsFor(audience(detail), breach);
      assert.equal(seen?.headline, '[SEV-2] Security incident', detail);
      assert.ok(!/HYPOTHESIS|blocking|sam|5%|Credential/.test(JSON.stringify(seen)), detail);
      assert.equal(factsFor(audience(detail), { ...breach, publicText: undefined }), null, 'nothing public: nothing');
    }
  });
});
