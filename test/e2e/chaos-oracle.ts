import type { TimelineEntry } from '../../src/domain/incident';
import type { RecordedEvent } from '../fakes/pagerduty-api';
import type { FakeMessage } from '../fakes/slack-api';
import { CHAOS_POLICY, type CommandRecord, type DrivenIncident } from './chaos-driver';

/**
 * What the chaos test concludes from what the driver did and what the fakes received. Pure functions, so the
 * test of the oracle itself (chaos-oracle.test.ts) can show it catches a double post, a double page and a
 * missed or surplus escalation without running any chaos.
 */

/** Within this of a due time, an ack or a resolution is too close to call: the escalation may fire or not. */
export const TOO_CLOSE_MS = 500;

export type Expectation = 'due' | 'not-due' | 'either';

export interface ExpectedEscalation {
  incidentId: string;
  reason: 'ack-timeout' | 'unresolved';
  target: string;
  level: number;
  dueAt: number;
  expectation: Expectation;
}

/**
 * Due when the person first issued the command that stops the clock after the due time; not due when the incident
 * had the command before it: the last attempt was answered (so the workflow had applied it) before the due time.
 * A command sent before the due time but delivered after it (the worker it was queued for was killed, the server
 * was down) races the deadline's timer, and by design a late delivery does not hide an escalation that fell due
 * (src/domain/command-meta.ts): it may count either way, as may a command retried across the due time.
 */
export function expectation(dueAt: number, stopper: CommandRecord | undefined): Expectation {
  const first = stopper?.attempts[0]?.sentAt;
  const last = stopper?.attempts.at(-1);
  if (first === undefined || last === undefined) return 'due';
  if (first > dueAt + TOO_CLOSE_MS) return 'due';
  if ((last.answeredAt ?? last.sentAt) < dueAt - TOO_CLOSE_MS) return 'not-due';
  return 'either';
}

/** The escalations the policy plans for a driven incident, each with whether it was due. */
export function expectedEscalations(incident: DrivenIncident, timeline: TimelineEntry[]): ExpectedEscalation[] {
  const { id } = incident.plan;
  const ack = incident.commands.get('acknowledge');
  const fired = escalationEntries(timeline);
  const recordedDue = (level: number) => fired.find((e) => e.reason === 'ack-timeout' && e.level === level)?.dueAt;
  const level1Due = incident.ackDeadlines.get(1) ?? incident.declaredAt + CHAOS_POLICY.ackWithinMs;
  // The ladder's next step counts from when the previous one fired (a late step delays the next one with it).
  const level1Fired = timeline.find(
    (e) => e.type === 'escalation' && e.data?.reason === 'ack-timeout' && Number(e.data.level) === 1,
  )?.at;
  const level2Due =
    incident.ackDeadlines.get(2) ?? recordedDue(2) ?? (level1Fired ?? level1Due) + CHAOS_POLICY.ladderStepMs;
  const unresolvedDue = incident.declaredAt + CHAOS_POLICY.unresolvedMs;
  const of = (
    reason: ExpectedEscalation['reason'],
    target: string,
    level: number,
    dueAt: number,
    stopper: CommandRecord | undefined,
  ): ExpectedEscalation => ({ incidentId: id, reason, target, level, dueAt, expectation: expectation(dueAt, stopper) });
  return [
    of('ack-timeout', 'secondary-oncall', 1, level1Due, ack),
    of('ack-timeout', 'engineering-manager', 2, level2Due, ack),
    of('unresolved', 'engineering-manager', 1, unresolvedDue, incident.commands.get('resolve')),
  ];
}

export interface FiredEscalation {
  at: number;
  reason: string;
  target: string;
  level: number;
  /** When it fell due, as the workflow records it for a step that fired late; otherwise it fired on time. */
  dueAt: number;
}

export function escalationEntries(timeline: TimelineEntry[]): FiredEscalation[] {
  return timeline
    .filter((entry) => entry.type === 'escalation')
    .map((entry) => ({
      at: entry.at,
      reason: String(entry.data?.reason),
      target: String(entry.data?.target),
      level: Number(entry.data?.level),
      dueAt: typeof entry.data?.dueAt === 'string' ? Date.parse(entry.data.dueAt) : entry.at,
    }));
}

export const escalationKey = (e: { reason: string; target: string; level: number }) =>
  `${e.reason}/${e.target}/${e.level}`;

export const pageDedupKey = (incidentId: string, reason: string, level: number) =>
  `incident-${incidentId}-${reason}-${level}`;

export interface LatenessRow {
  incidentId: string;
  escalation: string;
  dueAt: number;
  /** When the timeline says it fired. */
  firedAt: number;
  /** When the fake PagerDuty received its trigger. */
  pagedAt: number | undefined;
}

export interface EscalationVerdict {
  failures: string[];
  lateness: LatenessRow[];
}

/**
 * Every due escalation fired exactly once on the timeline and reached PagerDuty as one trigger on its target's
 * routing key; nothing fired that was not due; nothing else escalated (the status cadence is an hour away).
 */
export function checkEscalations(
  incident: DrivenIncident,
  timeline: TimelineEntry[],
  pages: RecordedEvent[],
  routingKeys: Record<string, string>,
): EscalationVerdict {
  const { id } = incident.plan;
  const failures: string[] = [];
  const lateness: LatenessRow[] = [];
  const fired = escalationEntries(timeline);
  const expected = expectedEscalations(incident, timeline);
  const known = new Set(expected.map(escalationKey));
  for (const surplus of fired.filter((e) => !known.has(escalationKey(e)))) {
    failures.push(`${id}: unexpected escalation ${escalationKey(surplus)} at ${iso(surplus.at)}`);
  }
  const triggers = pages.filter((p) => p.event.event_action === 'trigger' && p.status === 202);
  for (const due of expected) {
    const key = escalationKey(due);
    const onTimeline = fired.filter((e) => escalationKey(e) === key);
    const paged = triggers.filter((p) => p.event.dedup_key === pageDedupKey(id, due.reason, due.level));
    const wanted = due.expectation === 'due' ? [1] : due.expectation === 'not-due' ? [0] : [0, 1];
    const about = `${id}: ${key} (due ${iso(due.dueAt)}, ${due.expectation})`;
    if (!wanted.includes(onTimeline.length)) failures.push(`${about} fired ${onTimeline.length}× on the timeline`);
    // A second trigger may be a retry after a crash; the page check decides whether that reached a person twice.
    if (!wanted.includes(Math.min(paged.length, 1))) failures.push(`${about} reached PagerDuty ${paged.length}×`);
    for (const page of paged) {
      if (page.event.routing_key !== routingKeys[due.target]) {
        failures.push(`${about} was paged on the wrong routing key`);
      }
    }
    const entry = onTimeline[0];
    if (entry) {
      lateness.push({
        incidentId: id,
        escalation: key,
        dueAt: due.dueAt,
        firedAt: entry.at,
        pagedAt: paged[0]?.at,
      });
      if (entry.at < due.dueAt) failures.push(`${about} fired early, at ${iso(entry.at)}`);
    }
  }
  return { failures, lateness };
}

/** The timeline entries one command writes: each once, however often the driver had to send it. */
const ONCE_PER_INCIDENT: TimelineEntry['type'][] = [
  'declared',
  'acknowledged',
  'role-assigned',
  'status-update',
  'mitigation-started',
  'mitigation-finished',
  'resolved',
  'closed',
];

export function appliedTwice(incidentId: string, timeline: TimelineEntry[]): string[] {
  return ONCE_PER_INCIDENT.flatMap((type) => {
    const n = timeline.filter((entry) => entry.type === type).length;
    return n === 1 ? [] : [`${incidentId}: ${n}× ${type} on the timeline`];
  });
}

export interface Kill {
  at: number;
  what: 'worker' | 'server';
}

/**
 * No page reached a person twice: one alert per dedup key, opened once. A trigger sent again for an alert that
 * is still open is deduplicated by PagerDuty, and counts only when a worker was killed right after the first
 * one arrived (the activity could not report it delivered).
 */
export function duplicatePages(pages: RecordedEvent[], kills: Kill[], windowMs = 1_000): string[] {
  const failures: string[] = [];
  const byKey = group(
    pages.filter((p) => p.event.event_action === 'trigger' && p.status === 202),
    (p) => `${p.event.dedup_key}|${p.event.routing_key}`,
  );
  for (const [key, triggers] of byKey) {
    if (triggers.length < 2) continue;
    const first = triggers[0]!.at;
    const crash = kills.find((k) => k.what === 'worker' && k.at >= first && k.at <= first + windowMs);
    const dedupKey = key.split('|')[0];
    if (!crash) failures.push(`${dedupKey} was triggered ${triggers.length}× with no crash to explain a retry`);
  }
  const opened = new Map<string, number>();
  const openNow = new Set<string>();
  for (const page of pages) {
    if (page.status !== 202 || page.event.dedup_key === undefined) continue;
    const key = page.event.dedup_key;
    const action = page.event.event_action;
    // Mirrors the fake's alert state: a trigger on a resolved (or unknown) alert opens it.
    if (action === 'trigger' && !openNow.has(key)) {
      opened.set(key, (opened.get(key) ?? 0) + 1);
      openNow.add(key);
    } else if (action === 'resolve') {
      openNow.delete(key);
    }
  }
  for (const [key, times] of opened) {
    if (times < 2) continue;
    const events = pages.filter((p) => p.event.dedup_key === key);
    const sequence = events.map((p) => `${p.event.event_action} +${p.at - events[0]!.at} ms`).join(', ');
    failures.push(`${key} was opened ${times}× in PagerDuty: a person was paged twice (${sequence})`);
  }
  return failures;
}

/** No message was posted twice: each step key once per channel, and no two people-visible posts alike. */
export function duplicatePosts(channel: string, messages: FakeMessage[]): string[] {
  const failures: string[] = [];
  const keyed = messages.filter((m) => typeof m.metadata?.event_payload?.key === 'string');
  for (const [key, same] of group(keyed, (m) => String(m.metadata?.event_payload?.key))) {
    if (same.length > 1) failures.push(`#${channel}: step ${key} posted ${same.length}×`);
  }
  // The summary is one message edited in place; every other post says something new.
  const posts = messages.filter((m) => m.metadata?.event_type !== 'incident_summary');
  for (const [text, same] of group(posts, (m) => m.text)) {
    if (same.length > 1) failures.push(`#${channel}: posted ${same.length}×: ${text.slice(0, 100)}`);
  }
  return failures;
}

function group<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    groups.set(k, [...(groups.get(k) ?? []), item]);
  }
  return groups;
}

function iso(at: number): string {
  return new Date(at).toISOString().slice(11, 23);
}
