import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatRequest } from '../../../src/activities/types';
import { planDeadlines } from '../../../src/domain/deadlines';
import { openIncidentState, type IncidentState } from '../../../src/domain/incident';
import { declareSchema, type DeclareInput } from '../../../src/domain/inputs';
import { buildPolicy, incidentPolicyFor } from '../../../src/domain/policy';
import type { Severity } from '../../../src/domain/severity';
import {
  activitySummary,
  clip,
  incidentCurrentDetails,
  incidentStaticDetails,
  incidentStaticSummary,
  pageSummary,
  SUMMARY_MAX,
  timerSummary,
} from '../../../src/workflows/incident/details';

const MINUTE = 60_000;
const T0 = Date.parse('2026-11-23T10:00:00Z');

const declaration = (input: Partial<DeclareInput> = {}) =>
  declareSchema.parse({ id: 'inc-7', title: 'Checkout is down', severity: 'SEV-1', service: 'checkout', ...input });

function incident(overrides: Partial<IncidentState> = {}, severity: Severity = 'SEV-1'): IncidentState {
  const declared = declaration({ severity, security: overrides.security ?? false });
  return { ...openIncidentState(declared, incidentPolicyFor(buildPolicy(), severity), T0), ...overrides };
}

const details = (state: IncidentState) => incidentCurrentDetails(state, planDeadlines(state)[0]);

describe('the static summary and details', () => {
  it('the summary names severity, service and title on one line', () => {
    assert.equal(incidentStaticSummary(declaration()), 'SEV-1 · checkout · Checkout is down');
    assert.equal(
      incidentStaticSummary(declaration({ drill: true, severity: 'SEV-3' })),
      '[DRILL] SEV-3 · checkout · Checkout is down',
    );
  });

  it('a long title is cut to the summary limit, and Markdown in it stays text', () => {
    const summary = incidentStaticSummary(declaration({ title: `[pay](https://evil.example) ${'x'.repeat(150)}` }));
    assert.equal(Array.from(summary).length, SUMMARY_MAX);
    assert.ok(summary.endsWith('…'));
    assert.ok(summary.includes('\\[pay\\](https://evil.example)'), summary);
  });

  it('the details say what was declared; a security incident keeps its summary out of them', () => {
    const open = incidentStaticDetails(declaration({ summary: 'card payments fail', commander: 'alice' }));
    assert.match(open, /\*\*Incident:\*\* inc-7: Checkout is down/);
    assert.match(open, /\*\*Incident Commander:\*\* alice/);
    assert.match(open, /card payments fail/);
    const security = incidentStaticDetails(declaration({ summary: 'attacker used key AKIA123', security: true }));
    assert.doesNotMatch(security, /AKIA123/);
    assert.match(security, /Security incident/);
  });
});

describe('the current details', () => {
  it('a fresh SEV-1: declared, no commander, the ack window next, no public update yet', () => {
    assert.equal(
      details(incident()),
      [
        '**Status:** declared · SEV-1 · checkout · **IC:** unassigned',
        '**Next deadline:** 2026-11-23 10:05 UTC: SEV-1 ack window (5m) → page secondary-oncall',
        '**Last public update:** none yet',
      ].join('\n\n'),
    );
  });

  it('follows the commander, the status, the next deadline and the last public update', () => {
    const state = incident({
      status: 'investigating',
      acknowledgedAt: T0 + MINUTE,
      roles: { commander: 'alice' },
      publicUpdates: [
        { at: T0, phase: 'investigating', message: 'first' },
        { at: T0 + 2 * MINUTE, phase: 'identified', message: 'We found the *bad* deploy.' },
      ],
    });
    const shown = details(state);
    assert.match(shown, /\*\*Status:\*\* investigating/);
    assert.match(shown, /\*\*IC:\*\* alice/);
    assert.match(shown, /Next deadline:\*\* 2026-11-23 10:15 UTC: status update due → remind alice/);
    assert.match(
      shown,
      /Last public update:\*\* 2026-11-23 10:02 UTC \(identified\): We found the \\\*bad\\\* deploy\./,
    );
  });

  it('never shows a status update: a security incident publishes nothing, and says so', () => {
    const state = incident({
      security: true,
      statusUpdates: [{ at: T0, by: 'bob', impact: 'keys leaked', hypothesis: 'stolen laptop', nextUpdateAt: null }],
    });
    const shown = details(state);
    assert.doesNotMatch(shown, /stolen laptop|keys leaked/);
    assert.match(shown, /Last public update:\*\* none: security incidents are never published/);
  });

  it('a closed incident has no next deadline; a SEV-3 says it has no status page', () => {
    assert.match(details(incident({ status: 'closed', closedAt: T0 })), /Next deadline:\*\* none: closed/);
    assert.match(details(incident({}, 'SEV-3')), /Last public update:\*\* none: SEV-3 has no status page/);
  });

  it('is the same text for the same state, so an unchanged incident is not set again', () => {
    assert.equal(details(incident()), details(incident()));
  });
});

describe('what each activity and timer is for', () => {
  it('a page says who and why, with the window that lapsed', () => {
    const state = incident();
    assert.equal(pageSummary(state, 'trigger', 'primary-oncall', 'declared', 0), 'page primary-oncall: SEV-1 declared');
    assert.equal(
      pageSummary(state, 'trigger', 'secondary-oncall', 'ack-timeout', 1),
      'page secondary-oncall: not acknowledged in 5m',
    );
    assert.equal(
      pageSummary(state, 'trigger', 'engineering-manager', 'unresolved', 1),
      'page engineering-manager: unresolved after 15m',
    );
    assert.equal(
      pageSummary(state, 'acknowledge', 'primary-oncall', 'declared', 0),
      'acknowledge the page to primary-oncall',
    );
  });

  it('the deadline timer names the deadline and what happens when it passes', () => {
    const state = incident();
    const [ack] = planDeadlines(state);
    assert.ok(ack);
    assert.equal(timerSummary(state, ack), 'deadline: SEV-1 ack window (5m) → page secondary-oncall');
  });

  it('activities are summarized from their requests, within the limit', () => {
    const ref = { incidentId: 'inc-7', key: 'k', drill: false };
    const message = { kind: 'status-update' as const, subject: 's', text: 'secret hypothesis', fields: [] };
    const chat: ChatRequest = { ...ref, channel: 'C0123', message, mention: ['alice'] };
    assert.equal(activitySummary('postToChat', [chat]), 'post status update to #inc-inc-7, mention alice');
    assert.equal(activitySummary('resolveIncidentPolicy', ['SEV-2']), 'read the SEV-2 policy');
    assert.equal(activitySummary('runSmokeTests', [{ ...ref, service: 'checkout' }]), 'run smoke tests for checkout');
    const many = { ...chat, mention: Array.from({ length: 40 }, (_, i) => `person-${i}`) };
    assert.equal(Array.from(activitySummary('postToChat', [many])).length, SUMMARY_MAX);
  });

  it('clip cuts whole code points', () => {
    assert.equal(clip('🔥🔥🔥', 2), '🔥…');
    assert.equal(clip('short'), 'short');
  });
});
