import { setHandler } from '@temporalio/workflow';
import { IncidentErrorType } from '../domain/errors';
import {
  acknowledgeSchema,
  alertFiredSchema,
  assignRoleSchema,
  noteSchema,
  severityChangeSchema,
  statusUpdateSchema,
} from '../domain/inputs';
import { ROLE_TITLES, severityRank } from '../domain/severity';
import { internalStatusUpdate, plainMessage } from '../domain/templates';
import { configuration } from './activity-profiles';
import { onCommand, type IncidentSlot } from './commands';
import {
  acknowledgeUpdate,
  addNoteUpdate,
  alertFiredSignal,
  assignRoleUpdate,
  changeSeverityUpdate,
  postStatusUpdate,
  stateQuery,
  timelineQuery,
} from './definitions';
import type { Incident } from './incident-entity';
import { registerResolutionHandlers } from './resolution';

/** Wires every message to the incident. Validators run before anything is written to history. */
export function registerHandlers(slot: IncidentSlot): void {
  setHandler(stateQuery, () => declared(slot).view());
  setHandler(timelineQuery, () => declared(slot).state.timeline);

  setHandler(alertFiredSignal, async (input) => {
    const alert = alertFiredSchema.safeParse(input);
    const incident = await slot.ready;
    if (!alert.success || incident.isClosed) return;
    incident.recorder.record('alert-refired', `alert:${alert.data.source}`, alert.data.summary ?? 'alert fired again', {
      ...(alert.data.fingerprint ? { fingerprint: alert.data.fingerprint } : {}),
    });
  });

  onCommand(slot, acknowledgeUpdate, 'acknowledge', acknowledgeSchema, (incident, { by }) => {
    const { state, recorder, notify } = incident;
    state.acknowledgedAt = Date.now();
    state.roles.oncall ??= by;
    incident.setStatus('acknowledged');
    recorder.record('acknowledged', by, `acknowledged by ${by}`);
    incident.closePages('acknowledge');
    notify.chat(plainMessage(state, 'note', `${by} acknowledged the incident`));
    return incident.view();
  });

  onCommand(slot, assignRoleUpdate, 'assignRole', assignRoleSchema, (incident, { role, user, by }) => {
    const { state, recorder, notify } = incident;
    state.roles[role] = user;
    recorder.record('role-assigned', by, `${ROLE_TITLES[role]}: ${user}`, { role, user });
    notify.chat(plainMessage(state, 'note', `${user} is now ${ROLE_TITLES[role]}`));
    notify.summary();
    return incident.view();
  });

  onCommand(slot, postStatusUpdate, 'postStatusUpdate', statusUpdateSchema, (incident, update) => {
    const { state, recorder, notify } = incident;
    const now = Date.now();
    const posted = {
      at: now,
      by: update.by,
      impact: update.impact,
      hypothesis: update.hypothesis,
      ...(update.actions ? { actions: update.actions } : {}),
      nextUpdateAt: update.nextUpdateIn === undefined ? null : now + update.nextUpdateIn,
    };
    state.statusUpdates.push(posted);
    // Each update restarts the cadence; a promised "next update" can only bring it forward.
    state.statusClock = { since: now, promisedBy: posted.nextUpdateAt, reminded: false };
    if (state.status === 'acknowledged') incident.setStatus('investigating');
    recorder.record('status-update', update.by, update.impact, {
      hypothesis: update.hypothesis,
      ...(posted.nextUpdateAt === null ? {} : { nextUpdateAt: new Date(posted.nextUpdateAt).toISOString() }),
    });
    notify.chat(internalStatusUpdate(state, posted));
    if (state.policy.rules.stakeholderEmail === 'all')
      notify.email(['stakeholders'], internalStatusUpdate(state, posted));
    notify.statusPage(publicPhase(incident), update.userFacing);
    return incident.view();
  });

  onCommand(
    slot,
    changeSeverityUpdate,
    'changeSeverity',
    severityChangeSchema,
    async (incident, { severity, by, reason }) => {
      const { state, recorder, notify } = incident;
      const policy = await configuration.resolveIncidentPolicy(severity);
      const previous = state.severity;
      const upgraded = severityRank(severity) < severityRank(previous);
      // Everything below is synchronous, so the main loop re-plans every timer from the new policy at once.
      state.severity = severity;
      state.policy = policy;
      if (upgraded) state.escalation.unresolvedFired = false;
      recorder.record('severity-changed', by, `${previous} → ${severity}${reason ? `: ${reason}` : ''}`, {
        from: previous,
        to: severity,
      });
      incident.publishSearchAttributes();
      notify.summary();
      notify.chat(plainMessage(state, 'severity-change', `severity changed ${previous} → ${severity} by ${by}`));
      const paged = state.escalation.openPages.some((p) => p.reason === 'declared');
      if (upgraded && policy.rules.pageOnCall === 'immediately' && !paged && state.acknowledgedAt === null) {
        state.deferredPageAt = null;
        incident.trigger('primary-oncall', 'declared', 0);
      }
      if (upgraded && state.publicUpdates.length === 0) notify.statusPage(publicPhase(incident));
      return incident.view();
    },
    (incident, { severity }) => {
      if (severity === incident.state.severity) {
        incident.reject(IncidentErrorType.IllegalTransition, `incident is already ${severity}`);
      }
    },
  );

  onCommand(slot, addNoteUpdate, 'addNote', noteSchema, (incident, { text, by }) => {
    incident.recorder.record('note', by, text);
    return incident.view();
  });

  registerResolutionHandlers(slot);
}

function publicPhase(incident: Incident): 'investigating' | 'identified' | 'monitoring' {
  const { status } = incident.state;
  return status === 'mitigating' ? 'identified' : status === 'monitoring' ? 'monitoring' : 'investigating';
}

function declared(slot: IncidentSlot): Incident {
  if (!slot.current) throw new Error('the incident is still being declared; ask again in a moment');
  return slot.current;
}
