import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openIncidentState } from '../../src/domain/incident';
import { declareSchema } from '../../src/domain/inputs';
import { packMessage, unpackMessage } from '../../src/domain/packed-message';
import { buildPolicy, incidentPolicyFor } from '../../src/domain/policy';
import {
  declarationMessage,
  incidentSummary,
  plainMessage,
  stakeholderNotification,
  statusReminder,
  type RenderedMessage,
} from '../../src/domain/templates';

const declaration = declareSchema.parse({
  id: 'inc-7',
  title: 'Checkout is down',
  severity: 'SEV-1',
  service: 'checkout',
});
const state = openIncidentState(declaration, incidentPolicyFor(buildPolicy(), 'SEV-1'), Date.UTC(2026, 11, 1, 3));

const rendered: Array<[string, RenderedMessage]> = [
  ['declaration', declarationMessage(state)],
  ['summary', incidentSummary(state)],
  ['note', plainMessage(state, 'note', 'alice acknowledged the incident')],
  ['stakeholder notification', stakeholderNotification(state)],
  ['reminder', statusReminder(state, Date.UTC(2026, 11, 1, 4))],
  ['no fields', { kind: 'note', subject: 'one line', text: 'one line', fields: [] }],
  ['empty', { kind: 'note', subject: 'nothing', text: '', fields: [] }],
  ['empty lead', { kind: 'note', subject: 'x: ', text: '\nA: b', fields: [{ label: 'A', value: 'b' }] }],
  // Text that is not lead-then-fields (a caller's own layout) travels whole.
  ['own layout', { kind: 'note', subject: 's', text: 'A: b\nlead', fields: [{ label: 'A', value: 'b' }] }],
  ['field-like lead', { kind: 'note', subject: 's: A: b', text: 'A: b\nA: b', fields: [{ label: 'A', value: 'b' }] }],
];

describe('a message packed for history', () => {
  for (const [name, message] of rendered) {
    it(`unpacks to the same message: ${name}`, () => {
      assert.deepEqual(unpackMessage(packMessage(message)), message);
    });
  }

  it('leaves out the field lines and the lead the subject repeats', () => {
    const note = plainMessage(state, 'note', 'alice acknowledged the incident');
    const packed = packMessage(note);
    assert.ok(!('text' in packed), JSON.stringify(packed));
    assert.equal(JSON.stringify(packed).split('alice acknowledged').length - 1, 1, JSON.stringify(packed));
    const summary = incidentSummary(state);
    assert.deepEqual(packMessage(summary), { kind: 'summary', subject: summary.subject, fields: summary.fields });
  });

  it('passes a whole message through, as an incident started before packing sends it', () => {
    const whole = declarationMessage(state);
    assert.equal(unpackMessage(whole), whole);
  });
});
