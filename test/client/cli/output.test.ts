import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatList, formatShow, formatTimeline, relative, span } from '../../../src/client/cli/output';
import { listQuery, newIncidentId } from '../../../src/client/service';
import { incidentJson } from '../../../src/client/views';
import type { TimelineEntry } from '../../../src/domain/incident';
import { incidentIdSchema } from '../../../src/domain/inputs';
import { buildPolicy, incidentPolicyFor } from '../../../src/domain/policy';
import type { IncidentView } from '../../../src/workflows/definitions';

const NOW = new Date(2025, 2, 14, 3, 20, 0).getTime();
const MIN = 60_000;

function view(overrides: Partial<IncidentView> = {}): IncidentView {
  const declaredAt = NOW - 14 * MIN;
  return {
    id: '20250314-k3f9',
    title: 'Checkout down',
    service: 'checkout',
    summary: '',
    severity: 'SEV-1',
    status: 'mitigating',
    drill: false,
    security: false,
    source: 'cli',
    detectedAt: declaredAt,
    declaredAt,
    acknowledgedAt: declaredAt + 2 * MIN,
    resolvedAt: null,
    closedAt: null,
    roles: { oncall: 'bob', commander: 'alice' },
    policy: incidentPolicyFor(buildPolicy(), 'SEV-1'),
    escalation: { ackLevel: 0, ackClockFrom: declaredAt, unresolvedFired: false, statusEscalations: 0, openPages: [] },
    statusClock: { since: declaredAt, promisedBy: null, reminded: false },
    deferredPageAt: null,
    mitigations: [{ id: 'm1', action: 'roll back 4711', kind: 'rollback', startedBy: 'bob', startedAt: NOW - MIN }],
    statusUpdates: [],
    publicUpdates: [],
    timeline: [
      { at: declaredAt, type: 'declared', actor: 'cli', message: 'declared SEV-1: Checkout down' },
      { at: declaredAt + 1000, type: 'notification-sent', actor: 'system', message: 'pager: primary-oncall' },
      { at: declaredAt + 2 * MIN, type: 'acknowledged', actor: 'bob', message: 'acknowledged by bob' },
    ],
    chatChannel: '#inc-20250314-k3f9-checkout-down',
    resolutionSummary: null,
    step: 3,
    deadlines: [
      { kind: 'unresolved-escalation', at: NOW + MIN, target: 'engineering-manager' },
      { kind: 'status-reminder', at: NOW + 4 * MIN },
    ],
    verifying: false,
    ...overrides,
  };
}

void test('generated ids are valid incident ids that sort by day', () => {
  const early = newIncidentId(new Date('2025-03-14T23:59:00Z'));
  const late = newIncidentId(new Date('2025-03-15T00:01:00Z'));
  assert.match(early, /^20250314-[a-z0-9]{4}$/);
  assert.ok(incidentIdSchema.safeParse(early).success && incidentIdSchema.safeParse(late).success);
  assert.ok(early < late);
  assert.notEqual(newIncidentId(), newIncidentId(), 'random suffix');
});

void test('the list query filters by type and attributes and skips runs that continued as new', () => {
  assert.equal(listQuery(), 'WorkflowType = "incidentWorkflow" AND ExecutionStatus != "ContinuedAsNew"');
  assert.equal(
    listQuery({ statuses: ['mitigating', 'monitoring'], severities: ['SEV-1'] }),
    'WorkflowType = "incidentWorkflow" AND ExecutionStatus != "ContinuedAsNew"' +
      ' AND IncidentStatus IN ("mitigating", "monitoring") AND IncidentSeverity IN ("SEV-1")',
  );
});

void test('relative times read at a glance', () => {
  assert.equal(span(45_000), '45s');
  assert.equal(span(4 * MIN), '4m');
  assert.equal(span(125 * MIN), '2h 5m');
  assert.equal(span(76 * 60 * MIN), '3d 4h');
  assert.equal(relative(NOW + 4 * MIN, NOW), 'in 4m');
  assert.equal(relative(NOW - 90 * 1000, NOW), '2m ago');
  assert.equal(relative(NOW + 200, NOW), 'now');
});

void test('show: header, roles, what happens next and when, and the story without delivery noise', () => {
  const text = formatShow(view(), NOW);
  const lines = text.split('\n');
  assert.equal(lines[0], '20250314-k3f9 · SEV-1 · MITIGATING');
  assert.equal(lines[1], 'Checkout down');
  assert.match(text, /^roles: +commander alice · oncall bob$/m);
  assert.match(text, /^mitigation m1 \(rollback, running since 03:19:00\): roll back 4711$/m);
  assert.match(
    text,
    /^ {2}in 60s +03:21:00 {2}still unresolved: escalate to engineering-manager\n {2}in 4m +03:24:00 {2}status update due/m,
  );
  assert.match(text, /recent \(all 3 events: incident timeline 20250314-k3f9\):\n {2}03:06:00 {2}declared/);
  assert.doesNotMatch(text, /pager: primary-oncall/);
  assert.match(
    formatShow(view({ drill: true, security: true }), NOW),
    /^20250314-k3f9 · SEV-1 · MITIGATING · DRILL · SECURITY\n/,
  );
});

void test('timeline: one aligned line per entry, with a date line when it spans days', () => {
  const entries: TimelineEntry[] = [
    { at: NOW - 5 * 60 * MIN, type: 'declared', actor: 'cli', message: 'declared SEV-3: Slow search' },
    { at: NOW, type: 'note', actor: 'alice', message: 'still slow' },
  ];
  assert.deepEqual(formatTimeline(entries, NOW), [
    '-- 2025-03-13 --',
    '22:20:00  declared  cli    declared SEV-3: Slow search',
    '-- 2025-03-14 --',
    '03:20:00  note      alice  still slow',
  ]);
  assert.deepEqual(formatTimeline(entries.slice(1), NOW), ['03:20:00  note  alice  still slow']);
});

void test('list: a table, and the execution status when Temporal ended the workflow otherwise', () => {
  const row = {
    id: 'a1',
    workflowId: 'incident-a1',
    title: 'Checkout down',
    severity: 'SEV-1',
    status: 'mitigating',
    service: 'checkout',
    drill: false,
    declaredAt: new Date(NOW - 14 * MIN).toISOString(),
    execution: 'TERMINATED',
  };
  assert.equal(
    formatList([row], NOW),
    [
      'ID  SEV    STATUS                   SERVICE   DECLARED  TITLE',
      'a1  SEV-1  mitigating (terminated)  checkout  14m ago   Checkout down',
    ].join('\n'),
  );
  assert.equal(formatList([], NOW), 'no incidents match');
});

void test('JSON: ISO times everywhere a script looks', () => {
  const json = incidentJson(view());
  assert.equal(json.declaredAt, new Date(NOW - 14 * MIN).toISOString());
  assert.equal(json.resolvedAt, null);
  assert.deepEqual(json.deadlines[0], {
    kind: 'unresolved-escalation',
    at: new Date(NOW + MIN).toISOString(),
    target: 'engineering-manager',
  });
  assert.deepEqual(json.timeline[2], {
    at: new Date(NOW - 12 * MIN).toISOString(),
    type: 'acknowledged',
    actor: 'bob',
    message: 'acknowledged by bob',
  });
  assert.equal(json.mitigations[0]?.startedAt, new Date(NOW - MIN).toISOString());
  assert.ok(!('escalation' in json) && !('step' in json), 'workflow bookkeeping stays private');
});
