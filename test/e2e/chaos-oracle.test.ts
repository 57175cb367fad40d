import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TimelineEntry } from '../../src/domain/incident';
import type { RecordedEvent } from '../fakes/pagerduty-api';
import type { FakeMessage } from '../fakes/slack-api';
import { CHAOS_POLICY, type CommandRecord, type DrivenIncident } from './chaos-driver';
import {
  appliedTwice,
  checkEscalations,
  duplicatePages,
  duplicatePosts,
  expectation,
  pageDedupKey,
  TOO_CLOSE_MS,
} from './chaos-oracle';

/** The chaos test is only as good as its oracle: each check must fail on the defect it exists to catch. */

const ID = 'chaos-t-01';
const T0 = 1_800_000_000_000;
const KEYS = { 'secondary-oncall': 'k-secondary', 'engineering-manager': 'k-manager', 'primary-oncall': 'k-primary' };

const sent = (command: string, ...times: number[]): CommandRecord => ({
  command,
  attempts: times.map((sentAt) => ({ sentAt })),
  outcome: 'applied',
});

function incident(ackAt: number, resolveAt: number): DrivenIncident {
  return {
    plan: { id: ID, declareAfterMs: 0, ack: 'late', gapsMs: [], lingerMs: 0 },
    declaredAt: T0,
    ackDeadlines: new Map([[1, T0 + CHAOS_POLICY.ackWithinMs]]),
    commands: new Map([
      ['acknowledge', sent('acknowledge', ackAt)],
      ['resolve', sent('resolve', resolveAt)],
    ]),
  };
}

const escalation = (at: number, reason: string, target: string, level: number): TimelineEntry => ({
  at,
  type: 'escalation',
  actor: 'system',
  message: `paged ${target}`,
  data: { reason, target, level },
});

const trigger = (at: number, reason: string, level: number, routingKey: string): RecordedEvent => ({
  at,
  status: 202,
  event: { event_action: 'trigger', dedup_key: pageDedupKey(ID, reason, level), routing_key: routingKey },
});

const message = (text: string, key: string): FakeMessage => ({
  ts: `${key}.0`,
  user: 'UBOT0001',
  text,
  pinned: false,
  metadata: { event_type: 'incident_note', event_payload: { key } },
});

test('an ack issued after the due time makes the escalation due; one before it, not; a retry across it, either', () => {
  const due = T0 + 4_000;
  assert.equal(expectation(due, sent('acknowledge', due + TOO_CLOSE_MS + 1)), 'due');
  assert.equal(expectation(due, sent('acknowledge', due - TOO_CLOSE_MS - 1)), 'not-due');
  assert.equal(expectation(due, sent('acknowledge', due - 3_000, due + 3_000)), 'either');
  // Sent well before the due time, but delivered after it (queued for a worker that was killed): a race.
  const delayed: CommandRecord = {
    command: 'acknowledge',
    attempts: [{ sentAt: due - 3_000, answeredAt: due + 4_000 }],
    outcome: 'applied',
  };
  assert.equal(expectation(due, delayed), 'either');
  const answered: CommandRecord = { ...delayed, attempts: [{ sentAt: due - 3_000, answeredAt: due - 2_000 }] };
  assert.equal(expectation(due, answered), 'not-due');
});

test('a late ack whose escalation fired once passes; missing, doubled or surplus escalations fail', () => {
  const late = incident(T0 + 5_500, T0 + 20_000);
  const fired = escalation(T0 + 4_100, 'ack-timeout', 'secondary-oncall', 1);
  const page = trigger(T0 + 4_150, 'ack-timeout', 1, KEYS['secondary-oncall']);
  const ok = checkEscalations(late, [fired], [page], KEYS);
  assert.deepEqual(ok.failures, []);
  assert.deepEqual(
    ok.lateness.map((row) => [row.firedAt - row.dueAt, row.pagedAt! - row.dueAt]),
    [[100, 150]],
  );

  assert.match(checkEscalations(late, [], [], KEYS).failures.join('\n'), /fired 0× on the timeline/);
  assert.match(checkEscalations(late, [fired, fired], [page], KEYS).failures.join('\n'), /fired 2×/);
  assert.match(checkEscalations(late, [fired], [], KEYS).failures.join('\n'), /reached PagerDuty 0×/);
  const wrongKey = trigger(T0 + 4_150, 'ack-timeout', 1, KEYS['engineering-manager']);
  assert.match(checkEscalations(late, [fired], [wrongKey], KEYS).failures.join('\n'), /wrong routing key/);

  const prompt = incident(T0 + 500, T0 + 20_000);
  assert.match(checkEscalations(prompt, [fired], [page], KEYS).failures.join('\n'), /fired 1× on the timeline/);
  const status = escalation(T0 + 9_000, 'no-status-update', 'engineering-manager', 1);
  assert.match(checkEscalations(late, [fired, status], [page], KEYS).failures.join('\n'), /unexpected escalation/);
});

test('a second ladder step is due a step after the first fired, so a late first step delays it', () => {
  const due1 = T0 + CHAOS_POLICY.ackWithinMs;
  // The first step fired 40 s late, once a worker was back; the ack came a second later, before the second step.
  const firedLate = {
    ...escalation(T0 + 44_000, 'ack-timeout', 'secondary-oncall', 1),
    data: { reason: 'ack-timeout', target: 'secondary-oncall', level: 1, dueAt: new Date(due1).toISOString() },
  };
  const pages = [trigger(T0 + 44_100, 'ack-timeout', 1, KEYS['secondary-oncall'])];
  const acked = checkEscalations(incident(T0 + 45_000, T0 + 20_000), [firedLate], pages, KEYS);
  assert.deepEqual(acked.failures, []);
  assert.deepEqual(
    acked.lateness.map((row) => row.firedAt - row.dueAt),
    [40_000],
  );
  // Without an ack, the second step is due at 44 + 5 s: not firing it is caught.
  const silent = checkEscalations(incident(T0 + 60_000, T0 + 20_000), [firedLate], pages, KEYS);
  assert.match(silent.failures.join('\n'), /ack-timeout\/engineering-manager\/2 .* fired 0×/);
});

test('a resolution after the unresolved clock ran out makes that escalation due', () => {
  const slow = incident(T0 + 500, T0 + CHAOS_POLICY.unresolvedMs + 2_000);
  const verdict = checkEscalations(slow, [], [], KEYS);
  assert.match(verdict.failures.join('\n'), /unresolved\/engineering-manager\/1 .* fired 0×/);
});

test('a chat step posted twice, or the same text twice, is a double post', () => {
  const declared = message('Incident declared', 'incident-x/1-chat');
  const ack = message('pat acknowledged the incident', 'incident-x/2-chat');
  assert.deepEqual(duplicatePosts('inc-x', [declared, ack]), []);
  assert.match(
    duplicatePosts('inc-x', [declared, ack, { ...ack, ts: '9.0' }]).join('\n'),
    /step incident-x\/2-chat posted 2×/,
  );
  const sameText = message('pat acknowledged the incident', 'incident-x/3-chat');
  assert.match(duplicatePosts('inc-x', [declared, ack, sameText]).join('\n'), /posted 2×: pat acknowledged/);
  const summary = {
    ...message('Status: declared', 'incident-x/0-summary'),
    metadata: { event_type: 'incident_summary' },
  };
  assert.deepEqual(
    duplicatePosts('inc-x', [summary, { ...summary, ts: '8.0' }]),
    [],
    'the summary is matched by key only',
  );
});

test('a page triggered twice is a double page unless a worker died right after the first; reopened is always', () => {
  const first = trigger(T0, 'declared', 0, KEYS['primary-oncall']);
  const again = trigger(T0 + 30_000, 'declared', 0, KEYS['primary-oncall']);
  assert.match(duplicatePages([first, again], []).join('\n'), /triggered 2× with no crash/);
  assert.deepEqual(duplicatePages([first, again], [{ at: T0 + 200, what: 'worker' }]), []);
  assert.match(duplicatePages([first, again], [{ at: T0 + 200, what: 'server' }]).join('\n'), /triggered 2×/);
  const resolve: RecordedEvent = { ...first, at: T0 + 10_000, event: { ...first.event, event_action: 'resolve' } };
  assert.match(
    duplicatePages([first, resolve, again], [{ at: T0 + 200, what: 'worker' }]).join('\n'),
    /opened 2× in PagerDuty/,
  );
});

test('a command applied twice shows twice on the timeline', () => {
  const entry = (type: TimelineEntry['type']): TimelineEntry => ({ at: T0, type, actor: 'pat', message: type });
  const once = ['declared', 'acknowledged', 'role-assigned', 'status-update'] as const;
  const rest = ['mitigation-started', 'mitigation-finished', 'resolved', 'closed'] as const;
  const timeline = [...once, ...rest].map(entry);
  assert.deepEqual(appliedTwice(ID, timeline), []);
  assert.deepEqual(appliedTwice(ID, [...timeline, entry('status-update')]), [
    `${ID}: 2× status-update on the timeline`,
  ]);
});
