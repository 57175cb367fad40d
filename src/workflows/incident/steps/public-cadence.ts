import type { Deadline } from '../../../domain/deadlines';
import { escalationMessage, publicUpdateReminder } from '../../../domain/templates';
import type { Incident } from '../incident';

type PublicDeadline = Extract<Deadline, { kind: 'public-reminder' | 'public-escalation' }>;

/**
 * The status page's own cadence (runbook 003: every 5 minutes for a SEV-1), when it falls due before the internal
 * one: remind the owner of public updates (Communications Lead, else the IC), then page when it stays missed. Each
 * firing moves the public clock, so the same deadline is never planned twice.
 */
export function firePublicDeadline(
  incident: Incident,
  deadline: PublicDeadline,
  lateness: Record<string, string>,
): void {
  const { state, recorder, notify } = incident;
  if (deadline.kind === 'public-reminder') {
    state.publicClock = { since: state.publicClock?.since ?? state.declaredAt, remindedFor: deadline.at };
    const owner = state.roles.comms ?? state.roles.commander;
    notify.chat(publicUpdateReminder(state, deadline.at), owner ? [owner] : undefined);
    recorder.record('status-reminder', 'system', 'status page update due', {
      owner: owner ?? 'unassigned',
      channel: 'status-page',
    });
    return;
  }
  state.escalation.statusEscalations += 1;
  state.publicClock = { since: Date.now(), remindedFor: null };
  incident.trigger(deadline.target, 'no-status-update', state.escalation.statusEscalations);
  notify.chat(escalationMessage(state, 'no-public-update', deadline.target), [deadline.target]);
  recorder.record('escalation', 'system', `no status page update: paged ${deadline.target}`, {
    level: state.escalation.statusEscalations,
    reason: 'no-public-update',
    target: deadline.target,
    ...lateness,
  });
}
