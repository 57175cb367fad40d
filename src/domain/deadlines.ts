import type { IncidentState } from './incident';
import type { BusinessHours, SeverityPolicy } from './policy';
import { isOpen } from './lifecycle';
import { nextBusinessHoursStart as nextOpening } from './business-hours';

/**
 * Every deadline is derived from facts in the state (absolute times), never stored on its own.
 * Whatever changes the facts (an ack, an update, a severity change) therefore re-plans every timer at once,
 * and a continue-as-new boundary moves none of them.
 */
export type Deadline =
  | { kind: 'ack-escalation'; at: number; level: number; target: string }
  | { kind: 'status-reminder'; at: number }
  | { kind: 'status-escalation'; at: number; target: string }
  | { kind: 'public-reminder'; at: number }
  | { kind: 'public-escalation'; at: number; target: string }
  | { kind: 'unresolved-escalation'; at: number; target: string }
  | { kind: 'deferred-page'; at: number }
  | { kind: 'commander-reminder'; at: number };

/**
 * How long to wait without acknowledgement before ladder step `level` (0-based). Kept here, away from the policy's schema,
 * so workflow code can use it without building that schema in every incident's sandbox.
 */
export function escalationWait(rules: SeverityPolicy, level: number): number | undefined {
  const step = rules.escalationLadder[level];
  if (!step) return undefined;
  return level === 0 ? rules.acknowledgeWithin : (step.after ?? rules.acknowledgeWithin);
}

export function planDeadlines(state: IncidentState): Deadline[] {
  const deadlines: Deadline[] = [];
  const { rules } = state.policy;
  // A severity that does not page at once escalates in business hours only, its ladder counting from the page.
  const hold = state.policy.businessHours.escalationsWait === true && rules.pageOnCall !== 'immediately';
  const inHours = (at: number) => (hold ? nextOpening(at, state.policy.businessHours) : at);
  const ackClockFrom = hold
    ? Math.max(state.escalation.ackClockFrom, state.deferredPageAt ?? 0)
    : state.escalation.ackClockFrom;

  if (state.acknowledgedAt === null && isOpen(state.status)) {
    const level = state.escalation.ackLevel;
    const wait = escalationWait(rules, level);
    const step = rules.escalationLadder[level];
    if (wait !== undefined && step) {
      deadlines.push({
        kind: 'ack-escalation',
        at: inHours(ackClockFrom + wait),
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
              at: inHours(due + rules.statusUpdates.escalateAfter),
              target: rules.statusUpdates.target,
            }
          : { kind: 'status-reminder', at: due },
      );
    }
  }

  const publicDue = publicDueAt(state);
  const publicCadence = rules.publicUpdates;
  if (publicDue !== null && publicCadence) {
    deadlines.push(
      state.publicClock?.remindedFor === publicDue
        ? { kind: 'public-escalation', at: publicDue + publicCadence.escalateAfter, target: publicCadence.target }
        : { kind: 'public-reminder', at: publicDue },
    );
  }

  if (rules.unresolved && !state.escalation.unresolvedFired && isOpen(state.status)) {
    deadlines.push({
      kind: 'unresolved-escalation',
      at: inHours(state.declaredAt + rules.unresolved.after),
      target: rules.unresolved.target,
    });
  }

  // Nobody has taken command: remind the on-call, then escalate like a missed acknowledgement (policy `roles`).
  const roles = state.policy.roles;
  const within = roles?.takeCommandWithin ?? null;
  if (roles && within !== null && state.roles.commander === undefined && isOpen(state.status)) {
    const clock = state.commanderClock ?? { since: state.declaredAt, reminders: 0 };
    if (clock.reminders <= roles.remindersBeforeEscalation) {
      deadlines.push({ kind: 'commander-reminder', at: clock.since + within });
    }
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

/**
 * When the status page is next owed an update by its own cadence, or null when nothing is owed apart from the
 * internal cadence: a severity without a public cadence (or an incident declared before there was one), an incident
 * that publishes nothing (security, drill, no status page), or a public update due no sooner than the internal one
 * (every status update also updates the page, so the internal reminder asks for both).
 */
export function publicDueAt(state: IncidentState): number | null {
  const due = publicCadenceDueAt(state);
  if (due === null) return null;
  const internal = statusDueAt(state);
  return internal !== null && internal <= due ? null : due;
}

/** The next time the public page hears from the incident: its own cadence or the internal one, whichever is first. */
export function nextPublicUpdateAt(state: IncidentState): number | null {
  const own = publicCadenceDueAt(state);
  const internal = statusDueAt(state);
  if (own === null) return internal;
  return internal === null ? own : Math.min(own, internal);
}

/**
 * The public cadence counts from the latest of: the last public update, the public clock's last move (an
 * escalation), and the internal clock's start (an internal escalation restarts both).
 */
function publicCadenceDueAt(state: IncidentState): number | null {
  const cadence = state.policy.rules.publicUpdates;
  if (!cadence || !state.policy.rules.statusPage || state.security || state.drill || !isOpen(state.status)) {
    return null;
  }
  const since = Math.max(
    state.publicUpdates.at(-1)?.at ?? state.declaredAt,
    state.publicClock?.since ?? state.declaredAt,
    state.statusClock.since,
  );
  return since + cadence.every;
}

/** The first moment at or after `now` inside business hours, in the policy's time zone (business-hours.ts). */
export function nextBusinessHoursStart(now: number, hours: BusinessHours): number {
  return nextOpening(now, hours);
}
