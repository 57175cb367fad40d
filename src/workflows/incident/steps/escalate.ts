import type { Deadline } from '../../../domain/deadlines';
import { planDeadlines, statusDueAt } from '../../../domain/deadlines';
import { escalationMessage, plainMessage, statusReminder } from '../../../domain/templates';
import type { Incident } from '../incident';
import { firePublicDeadline } from './public-cadence';

/**
 * What happens when a deadline passes. Each handler changes the facts the deadline was derived from,
 * so the same deadline is never planned twice.
 */
export function fireDeadline(incident: Incident, deadline: Deadline): void {
  const { state, recorder, notify } = incident;
  // The next step counts from when this one fired, not from when it fell due: after a worker outage, firing the
  // overdue steps back to back would page the whole ladder before an ack already waiting in Temporal is delivered.
  const now = Date.now();
  switch (deadline.kind) {
    case 'ack-escalation': {
      state.escalation.ackLevel = deadline.level;
      state.escalation.ackClockFrom = now;
      incident.trigger(deadline.target, 'ack-timeout', deadline.level);
      notify.chat(escalationMessage(state, 'ack-timeout', deadline.target, deadline.level), [deadline.target]);
      recorder.record('escalation', 'system', `not acknowledged: paged ${deadline.target}`, {
        level: deadline.level,
        reason: 'ack-timeout',
        target: deadline.target,
        ...lateness(incident, deadline),
      });
      return;
    }
    case 'status-reminder': {
      state.statusClock.reminded = true;
      const owner = state.roles.comms ?? state.roles.commander;
      notify.chat(statusReminder(state, statusDueAt(state) ?? now), owner ? [owner] : undefined);
      recorder.record('status-reminder', 'system', 'status update due', { owner: owner ?? 'unassigned' });
      return;
    }
    case 'status-escalation': {
      state.escalation.statusEscalations += 1;
      state.statusClock = { since: now, promisedBy: null, reminded: false };
      incident.trigger(deadline.target, 'no-status-update', state.escalation.statusEscalations);
      notify.chat(escalationMessage(state, 'no-status-update', deadline.target), [deadline.target]);
      recorder.record('escalation', 'system', `no status update: paged ${deadline.target}`, {
        level: state.escalation.statusEscalations,
        reason: 'no-status-update',
        target: deadline.target,
        ...lateness(incident, deadline),
      });
      return;
    }
    case 'public-reminder':
    case 'public-escalation':
      return firePublicDeadline(incident, deadline, lateness(incident, deadline));
    case 'unresolved-escalation': {
      state.escalation.unresolvedFired = true;
      incident.trigger(deadline.target, 'unresolved', 1);
      notify.chat(escalationMessage(state, 'unresolved', deadline.target), [deadline.target]);
      recorder.record('escalation', 'system', `unresolved: paged ${deadline.target}`, {
        level: 1,
        reason: 'unresolved',
        target: deadline.target,
        ...lateness(incident, deadline),
      });
      return;
    }
    case 'commander-reminder': {
      const clock = state.commanderClock ?? { since: state.declaredAt, reminders: 0 };
      state.commanderClock = { since: now, reminders: clock.reminders + 1 };
      const limit = state.policy.roles?.remindersBeforeEscalation ?? 0;
      if (clock.reminders < limit) {
        const ask = `take command: incident assign ${state.id} --role commander --user <you> --by <you>`;
        recorder.record(
          'commander-reminder',
          'system',
          `no Incident Commander yet: reminded primary-oncall to ${ask}`,
          {
            reminder: clock.reminders + 1,
          },
        );
        notify.chat(plainMessage(state, 'escalation', `No Incident Commander yet. primary-oncall: ${ask}`), [
          'primary-oncall',
        ]);
        return;
      }
      // Like a missed acknowledgement: the severity's first ladder step.
      const target = state.policy.rules.escalationLadder[0]?.target ?? 'secondary-oncall';
      incident.trigger(target, 'no-commander', 1);
      recorder.record(
        'escalation',
        'system',
        `no Incident Commander after ${clock.reminders} reminders: paged ${target}`,
        {
          level: 1,
          reason: 'no-commander',
          target,
        },
      );
      return;
    }
    case 'deferred-page': {
      state.deferredPageAt = null;
      // The ladder counts from this page, not from the night (policies with escalationsWait; see planDeadlines).
      if (state.policy.businessHours.escalationsWait === true) state.escalation.ackClockFrom = now;
      incident.trigger('primary-oncall', 'declared', 0);
      recorder.record('escalation', 'system', 'business hours began: paged primary-oncall', {
        level: 0,
        reason: 'business-hours',
        target: 'primary-oncall',
      });
      return;
    }
  }
}

/**
 * Fires, in order, every deadline that fell due at or before `at`: a command issued after a deadline but delivered
 * late (worker down) must not cancel the escalation its lateness earned. Each firing moves the facts the next plan
 * comes from, so the loop ends; the bound only guards against a policy that plans in a circle.
 */
export function fireDeadlinesDueBy(incident: Incident, at: number): void {
  for (let fired = 0; fired < 100; fired++) {
    const due = planDeadlines(incident.state)[0];
    if (due === undefined || due.at > at) return;
    fireDeadline(incident, due);
  }
}

/** Records when a step was due if it fired more than a second late, so lateness is visible on the timeline. */
function lateness(incident: Incident, deadline: Deadline): { dueAt?: string } {
  if (!incident.planned || Date.now() - deadline.at <= 1000) return {};
  return { dueAt: new Date(deadline.at).toISOString() };
}
