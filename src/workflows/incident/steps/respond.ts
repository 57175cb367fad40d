import { setHandler } from '@temporalio/workflow';
import { hasPatch } from '../release';
import {
  alertNames,
  alertsReceivedSchema,
  applyDelivery,
  firingAlerts,
  type AlertsReceived,
} from '../../../domain/alerts';
import { IncidentErrorType } from '../../../domain/errors';
import {
  acknowledgeSchema,
  alertFiredSchema,
  assignRoleSchema,
  noteSchema,
  severityChangeSchema,
  statusUpdateSchema,
} from '../../../domain/inputs';
import { ROLE_TITLES, severityRank, type Severity } from '../../../domain/severity';
import type { StatusUpdate } from '../../../domain/incident';
import { severityChangeFacts, statusUpdateFacts } from '../../../domain/message-facts';
import { internalStatusUpdate, plainMessage, stakeholderUpdate } from '../../../domain/templates';
import { configuration, lookups } from '../activity-profiles';
import { onCommand, type DeclaredIncident } from '../commands';
import {
  acknowledgeUpdate,
  addNoteUpdate,
  alertFiredSignal,
  alertsReceivedUpdate,
  assignRoleUpdate,
  changeSeverityUpdate,
  postStatusUpdate,
  stateQuery,
  timelineQuery,
} from '../../definitions';
import { parseOrReject, refuse, type Incident } from '../incident';
import { resolveWhenAlertsClear } from './resolve';

/**
 * Status updates emailed before this patch sent stakeholders the internal update (hypothesis included), security
 * incidents too; since, stakeholders get the stakeholder template and the security contact every internal update.
 */
export const STAKEHOLDER_UPDATES_PATCH = 'stakeholder-updates-v1';
/** Notes taken before this patch stayed on the timeline; since, each is also posted in the incident channel. */
export const NOTES_IN_CHANNEL_PATCH = 'notes-in-channel-v1';
/** Incidents since this patch ask for a Communications Lead and an Operations Lead (policy roles.promptLeadsFor). */
export const ROLE_PROMPTS_PATCH = 'role-prompts-v1';

/**
 * Runbooks 000 and 002: a SEV-1/2 is staffed with a Communications Lead and an Operations Lead besides the IC. Asked
 * at declaration and again when someone takes command, of the IC (or the on-call while nobody has command).
 */
export function promptLeads(incident: Incident): void {
  const { state, recorder, notify } = incident;
  if (!state.policy.roles?.promptLeadsFor?.includes(state.severity)) return;
  const missing = (['comms', 'ops'] as const).filter((role) => state.roles[role] === undefined);
  if (missing.length === 0 || !hasPatch(ROLE_PROMPTS_PATCH)) return;
  const asked = state.roles.commander ?? 'primary-oncall';
  const needs = missing.map((role) => (role === 'ops' ? 'an ' : 'a ') + ROLE_TITLES[role]).join(' and ');
  const how = missing.map((role) => `incident assign ${state.id} --role ${role} --user <name> --by <you>`).join('; ');
  recorder.record('role-prompt', 'system', `${state.severity} needs ${needs}: asked ${asked}`, {
    missing: missing.join(','),
    asked,
  });
  notify.chat(plainMessage(state, 'note', `${asked}: this ${state.severity} needs ${needs}. ${how}`), [asked]);
}

/**
 * Who is emailed a status update (runbook 002): stakeholders the impact and the next update, never a hypothesis; for
 * a security incident the security contact gets every update in full and stakeholders only the text marked public.
 */
function emailUpdate(incident: Incident, posted: StatusUpdate, publicText: string | undefined): void {
  const { state, notify } = incident;
  if (state.security) notify.email(['security'], internalStatusUpdate(state, posted));
  const toStakeholders = state.policy.rules.stakeholderEmail === 'all' && (!state.security || Boolean(publicText));
  if (toStakeholders) notify.email(['stakeholders'], stakeholderUpdate(state, posted, publicText));
}

/** Respond (runbook 000 §2–4): acknowledge, take roles, keep people informed, re-assess severity, take notes. */
export function registerResponseHandlers(declared: DeclaredIncident): void {
  setHandler(stateQuery, () => current(declared).view());
  setHandler(timelineQuery, () => current(declared).state.timeline);

  setHandler(alertFiredSignal, async (input) => {
    const alert = alertFiredSchema.safeParse(input);
    const incident = await declared.ready;
    if (!alert.success || incident.isClosed) return;
    incident.recorder.record('alert-refired', `alert:${alert.data.source}`, alert.data.summary ?? 'alert fired again', {
      ...(alert.data.fingerprint ? { fingerprint: alert.data.fingerprint } : {}),
    });
  });

  onCommand(declared, acknowledgeUpdate, 'acknowledge', acknowledgeSchema, (incident, { by }, at) => {
    const { state, recorder, notify } = incident;
    state.acknowledgedAt = at;
    state.roles.oncall ??= by;
    incident.setStatus('acknowledged');
    recorder.record('acknowledged', by, `acknowledged by ${by}`, undefined, at);
    incident.closePages('acknowledge');
    notify.chat(plainMessage(state, 'note', `${by} acknowledged the incident`));
  });

  onCommand(declared, assignRoleUpdate, 'assignRole', assignRoleSchema, (incident, { role, user, by }, at) => {
    const { state, recorder, notify } = incident;
    state.roles[role] = user;
    recorder.record('role-assigned', by, `${ROLE_TITLES[role]}: ${user}`, { role, user }, at);
    // The person named is @-mentioned (a contact's Slack id, or looked up by email), so they know it is theirs.
    notify.chat(plainMessage(state, 'note', `${user} is now ${ROLE_TITLES[role]}`), [user]);
    notify.summary();
    if (role === 'commander') promptLeads(incident);
  });

  onCommand(declared, postStatusUpdate, 'postStatusUpdate', statusUpdateSchema, (incident, update, at) => {
    const { state, recorder, notify } = incident;
    const posted = {
      at,
      by: update.by,
      impact: update.impact,
      hypothesis: update.hypothesis,
      ...(update.actions ? { actions: update.actions } : {}),
      nextUpdateAt: update.nextUpdateIn === undefined ? null : at + update.nextUpdateIn,
    };
    state.statusUpdates.push(posted);
    // Each update restarts the cadence; a promised "next update" can only bring it forward.
    state.statusClock = { since: at, promisedBy: posted.nextUpdateAt, reminded: false };
    if (state.status === 'acknowledged') incident.setStatus('investigating');
    recorder.record(
      'status-update',
      update.by,
      update.impact,
      {
        hypothesis: update.hypothesis,
        ...(posted.nextUpdateAt === null ? {} : { nextUpdateAt: new Date(posted.nextUpdateAt).toISOString() }),
      },
      at,
    );
    if (notify.byAudience()) {
      const facts = statusUpdateFacts(state, posted, update.userFacing, publicPhase(incident));
      void notify.chatTemplate('internal-update', facts);
      notify.audiences(facts);
    } else {
      notify.chat(internalStatusUpdate(state, posted));
      if (hasPatch(STAKEHOLDER_UPDATES_PATCH)) emailUpdate(incident, posted, update.userFacing);
      else if (state.policy.rules.stakeholderEmail === 'all')
        notify.email(['stakeholders'], internalStatusUpdate(state, posted));
    }
    notify.statusPage(publicPhase(incident), update.userFacing);
  });

  onCommand(
    declared,
    changeSeverityUpdate,
    'changeSeverity',
    severityChangeSchema,
    (incident, { severity, by, reason }, at) => changeSeverity(incident, severity, by, reason, at),
    {
      exclusive: true,
      guard: (incident, { severity }) => {
        if (severity === incident.state.severity) {
          incident.reject(IncidentErrorType.IllegalTransition, `incident is already ${severity}`);
        }
      },
    },
  );

  onCommand(declared, addNoteUpdate, 'addNote', noteSchema, (incident, { text, by }, at) => {
    incident.recorder.record('note', by, text, undefined, at);
    // Runbook 004: what responders capture goes to the channel too, with who wrote it and when.
    if (hasPatch(NOTES_IN_CHANNEL_PATCH)) {
      incident.notify.chat(plainMessage(incident.state, 'note', `${by} (${new Date(at).toISOString()}): ${text}`));
    }
  });
}

/**
 * Re-assesses the severity (runbook 000 §1, 002: the IC's call; a confirmed breach raises it too): the new severity's
 * policy is read, and everything after is synchronous, so the main loop re-plans every timer from it at once.
 */
export async function changeSeverity(
  incident: Incident,
  severity: Severity,
  by: string,
  reason: string | undefined,
  at: number,
): Promise<void> {
  const { state, recorder, notify } = incident;
  const policy = await (incident.planned ? lookups : configuration).resolveIncidentPolicy(severity, state.service);
  const previous = state.severity;
  const upgraded = severityRank(severity) < severityRank(previous);
  // Everything below is synchronous, so the main loop re-plans every timer from the new policy at once.
  state.severity = severity;
  state.policy = policy;
  if (upgraded) state.escalation.unresolvedFired = false;
  recorder.record(
    'severity-changed',
    by,
    `${previous} → ${severity}${reason ? `: ${reason}` : ''}`,
    { from: previous, to: severity },
    at,
  );
  incident.publishSearchAttributes();
  notify.summary();
  notify.chat(plainMessage(state, 'severity-change', `severity changed ${previous} → ${severity} by ${by}`));
  if (notify.byAudience()) notify.audiences(severityChangeFacts(state, previous));
  const paged = state.escalation.openPages.some((p) => p.reason === 'declared');
  if (upgraded && policy.rules.pageOnCall === 'immediately' && !paged && state.acknowledgedAt === null) {
    state.deferredPageAt = null;
    incident.trigger('primary-oncall', 'declared', 0);
  }
  if (upgraded && state.publicUpdates.length === 0) notify.statusPage(publicPhase(incident));
}

/**
 * Alert intake: each delivery of the incident's alert group, sent with the group's start (update-with-start), so
 * the first delivery declares and every later one lands here. What changed goes on the timeline; when the last
 * firing alert resolves, the policy says whether to tell the Incident Commander or to verify and resolve.
 *
 * @param declaringRequestId the start's request id: the delivery that declared the incident carries it.
 */
export function registerAlertHandlers(declared: DeclaredIncident, declaringRequestId: string | undefined): void {
  setHandler(
    alertsReceivedUpdate,
    async (input) => {
      const incident = await declared.ready;
      await declared.resultsApplied();
      const delivery = parseOrReject(alertsReceivedSchema, input);
      const mark = incident.state.timeline.length;
      if (!incident.isClosed) recordAlerts(declared, incident, delivery);
      const { id, status, severity, alerts } = incident.state;
      const firing = firingAlerts(alerts).length;
      return {
        incidentId: id,
        status,
        severity,
        declared: delivery.deliveryId === declaringRequestId,
        added: incident.result(mark).added,
        firing,
        resolved: (alerts?.tracked.length ?? 0) - firing,
      };
    },
    {
      validator: (input) => {
        parseOrReject(alertsReceivedSchema, input);
        const incident = declared.current;
        if (incident?.isClosed) {
          refuse(IncidentErrorType.IllegalTransition, `incident ${incident.state.id} is closed`);
        }
      },
    },
  );
}

function recordAlerts(declared: DeclaredIncident, incident: Incident, delivery: AlertsReceived): void {
  const { state, recorder, notify } = incident;
  const { state: alerts, changes } = applyDelivery(state.alerts, delivery, Date.now());
  state.alerts = alerts;
  const actor = `alert:${delivery.source}`;
  const facts = (changed: typeof changes.joined) => ({
    count: changed.length,
    alerts: changed
      .slice(0, 5)
      .map((alert) => alert.fingerprint)
      .join(','),
  });
  if (changes.joined.length > 0) {
    recorder.record('alert-joined', actor, `firing: ${alertNames(changes.joined)}`, facts(changes.joined));
  }
  if (changes.refired.length > 0) {
    recorder.record('alert-refired', actor, `fired again: ${alertNames(changes.refired)}`, facts(changes.refired));
    notify.chat(plainMessage(state, 'note', `alert fired again: ${alertNames(changes.refired)}`));
  }
  if (changes.resolved.length > 0) {
    recorder.record('alert-resolved', actor, `resolved: ${alertNames(changes.resolved)}`, facts(changes.resolved));
  }
  if (!changes.allResolved) return;
  const count = alerts.tracked.length;
  recorder.record('alerts-all-resolved', actor, count === 1 ? 'the alert resolved' : `all ${count} alerts resolved`);
  if (state.status === 'resolved') return;
  const commander = state.roles.commander ?? state.roles.oncall;
  if ((state.policy.alerts?.onAllResolved ?? 'notify') === 'resolve') {
    notify.background('alerts-cleared', () =>
      declared.lifecycle.runExclusive(() => resolveWhenAlertsClear(incident, actor)),
    );
    return;
  }
  const ask = `${commander ? `${commander}: ` : ''}verify recovery and resolve (incident resolve ${state.id})`;
  notify.chat(plainMessage(state, 'note', `all alerts resolved; ${ask}`), commander ? [commander] : undefined);
}

export function publicPhase(incident: Incident): 'investigating' | 'identified' | 'monitoring' {
  const { status } = incident.state;
  return status === 'mitigating' ? 'identified' : status === 'monitoring' ? 'monitoring' : 'investigating';
}

function current(declared: DeclaredIncident): Incident {
  if (!declared.current) throw new Error('the incident is still being declared; ask again in a moment');
  return declared.current;
}
