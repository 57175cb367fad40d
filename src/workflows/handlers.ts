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
import { severityRank, ROLE_TITLES } from '../domain/severity';
import { internalStatusUpdate, plainMessage } from '../domain/templates';
import { configuration } from './activity-profiles';
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
export function registerHandlers(incident: Incident): void {
  const { state, recorder, notify } = incident;

  setHandler(stateQuery, () => incident.view());
  setHandler(timelineQuery, () => state.timeline);

  setHandler(alertFiredSignal, (input) => {
    const alert = alertFiredSchema.safeParse(input);
    if (!alert.success || incident.isClosed) return;
    recorder.record('alert-refired', `alert:${alert.data.source}`, alert.data.summary ?? 'alert fired again', {
      ...(alert.data.fingerprint ? { fingerprint: alert.data.fingerprint } : {}),
    });
  });

  setHandler(
    acknowledgeUpdate,
    (input) => {
      const { by } = acknowledgeSchema.parse(input);
      state.acknowledgedAt = Date.now();
      state.roles.oncall ??= by;
      incident.setStatus('acknowledged');
      recorder.record('acknowledged', by, `acknowledged by ${by}`);
      incident.closePages('acknowledge');
      notify.chat(plainMessage(state, 'note', `${by} acknowledged the incident`));
      return incident.view();
    },
    { validator: (input) => void incident.check('acknowledge', acknowledgeSchema, input) },
  );

  setHandler(
    assignRoleUpdate,
    (input) => {
      const { role, user, by } = assignRoleSchema.parse(input);
      state.roles[role] = user;
      recorder.record('role-assigned', by, `${ROLE_TITLES[role]}: ${user}`, { role, user });
      notify.chat(plainMessage(state, 'note', `${user} is now ${ROLE_TITLES[role]}`));
      return incident.view();
    },
    { validator: (input) => void incident.check('assignRole', assignRoleSchema, input) },
  );

  setHandler(
    postStatusUpdate,
    (input) => {
      const update = statusUpdateSchema.parse(input);
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
      notify.statusPage(
        state.status === 'mitigating' ? 'identified' : state.status === 'monitoring' ? 'monitoring' : 'investigating',
        update.userFacing,
      );
      return incident.view();
    },
    { validator: (input) => void incident.check('postStatusUpdate', statusUpdateSchema, input) },
  );

  setHandler(
    changeSeverityUpdate,
    async (input) => {
      const { severity, by, reason } = severityChangeSchema.parse(input);
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
      notify.chat(plainMessage(state, 'severity-change', `severity changed ${previous} → ${severity} by ${by}`));
      const paged = state.escalation.openPages.some((p) => p.reason === 'declared');
      if (upgraded && policy.rules.pageOnCall === 'immediately' && !paged && state.acknowledgedAt === null) {
        state.deferredPageAt = null;
        incident.trigger('primary-oncall', 'declared', 0);
      }
      if (upgraded && state.publicUpdates.length === 0) notify.statusPage('investigating');
      return incident.view();
    },
    {
      validator: (input) => {
        const { severity } = incident.check('changeSeverity', severityChangeSchema, input);
        if (severity === state.severity)
          incident.reject(IncidentErrorType.IllegalTransition, `incident is already ${severity}`);
      },
    },
  );

  setHandler(
    addNoteUpdate,
    (input) => {
      const { text, by } = noteSchema.parse(input);
      recorder.record('note', by, text);
      return incident.view();
    },
    { validator: (input) => void incident.check('addNote', noteSchema, input) },
  );

  registerResolutionHandlers(incident);
}
