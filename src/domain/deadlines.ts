import type { IncidentState } from './incident';
import { escalationWait } from './policy';
import type { BusinessHours } from './policy';
import { isOpen } from './lifecycle';

/**
 * Every deadline is derived from facts in the state (absolute times), never stored on its own.
 * Whatever changes the facts (an ack, an update, a severity change) therefore re-plans every timer at once,
 * and a continue-as-new boundary moves none of them.
 */
export type Deadline =
  | { kind: 'ack-escalation'; at: number; level: number; target: string }
  | { kind: 'status-reminder'; at: number }
  | { kind: 'status-escalation'; at: number; target: string }
  | { kind: 'unresolved-escalation'; at: number; target: string }
  | { kind: 'deferred-page'; at: number };

export function planDeadlines(state: IncidentState): Deadline[] {
  const deadlines: Deadline[] = [];
  const { rules } = state.policy;

  if (state.acknowledgedAt === null && isOpen(state.status)) {
    const level = state.escalation.ackLevel;
    const wait = escalationWait(rules, level);
    const step = rules.escalationLadder[level];
    if (wait !== undefined && step) {
      deadlines.push({
        kind: 'ack-escalation',
        at: state.escalation.ackClockFrom + wait,
        level: level + 1,
        target: step.target,
      });
    }
  }

  if (rules.statusUpdates && isOpen(state.status)) {
    const due = statusDueAt(state);
    if (due !== null) {
      deadlines.push(
        state.statusClock.reminded
          ? {
              kind: 'status-escalation',
              at: due + rules.statusUpdates.escalateAfter,
              target: rules.statusUpdates.target,
            }
          : { kind: 'status-reminder', at: due },
      );
    }
  }

  if (rules.unresolved && !state.escalation.unresolvedFired && isOpen(state.status)) {
    deadlines.push({
      kind: 'unresolved-escalation',
      at: state.declaredAt + rules.unresolved.after,
      target: rules.unresolved.target,
    });
  }

  if (state.deferredPageAt !== null && state.acknowledgedAt === null && isOpen(state.status)) {
    deadlines.push({ kind: 'deferred-page', at: state.deferredPageAt });
  }

  return deadlines.sort((a, b) => a.at - b.at);
}

/** When the next status update is due, or null when this severity has no cadence. */
export function statusDueAt(state: IncidentState): number | null {
  const cadence = state.policy.rules.statusUpdates;
  if (!cadence) return null;
  const byCadence = state.statusClock.since + cadence.every;
  const promised = state.statusClock.promisedBy;
  return promised !== null && promised < byCadence ? promised : byCadence;
}

/** The first moment at or after `now` inside business hours (UTC offset fixed by the policy). */
export function nextBusinessHoursStart(now: number, hours: BusinessHours): number {
  const offsetMs = hours.utcOffsetMinutes * 60_000;
  const [startH, startM] = hours.start.split(':').map(Number) as [number, number];
  const [endH, endM] = hours.end.split(':').map(Number) as [number, number];
  const startMinute = startH * 60 + startM;
  const endMinute = endH * 60 + endM;
  for (let dayOffset = 0; dayOffset <= 7; dayOffset++) {
    const local = new Date(now + offsetMs + dayOffset * 86_400_000);
    const isoDay = local.getUTCDay() === 0 ? 7 : local.getUTCDay();
    if (!hours.days.includes(isoDay)) continue;
    const dayStart = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate()) - offsetMs;
    const opens = dayStart + startMinute * 60_000;
    const closes = dayStart + endMinute * 60_000;
    if (now < opens) return opens;
    if (now < closes) return now;
  }
  return now;
}
