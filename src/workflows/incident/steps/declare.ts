import { setHandler } from '@temporalio/workflow';
import { commandTime } from '../../../domain/command-meta';
import { z } from 'zod';
import { IncidentErrorType } from '../../../domain/errors';
import { openIncidentState } from '../../../domain/incident';
import { declaredSeverity, type Declaration } from '../../../domain/inputs';
import { nextBusinessHoursStart, planDeadlines } from '../../../domain/deadlines';
import type { Severity } from '../../../domain/severity';
import { declarationFacts } from '../../../domain/message-facts';
import { announcedHeadline, declarationMessage, stakeholderNotification } from '../../../domain/templates';
import { declareUpdate, type IncidentWorkflowInput } from '../../definitions';
import { configuration, lookups } from '../activity-profiles';
import type { DeclaredIncident } from '../commands';
import { announceSpecialPaths, recordDataLossDeclared } from './checklists';
import { diagnoseAtDeclaration } from './diagnose';
import { Incident, parseOrReject, refuse } from '../incident';
import { promptLeads } from './respond';

const declareRequestSchema = z.object({ requestId: z.string().min(1).max(200) });

/**
 * The declaration's answer, for update-with-start: it completes once the incident exists and its first
 * notifications are scheduled, so the declarer learns the id, status and deadlines in one round trip. A second
 * declaration of the same id is refused unless it repeats the first one's request id (a retry), which answers again.
 */
export function registerDeclaration(declared: DeclaredIncident, input: IncidentWorkflowInput): void {
  setHandler(
    declareUpdate,
    async () => {
      const incident = await declared.ready;
      const { title, declaredAt } = incident.state;
      const deadlines = planDeadlines(incident.state);
      return { ...incident.result(0), added: incident.declarationTimeline(), title, declaredAt, deadlines };
    },
    {
      validator: (request) => {
        const { requestId } = parseOrReject(declareRequestSchema, request);
        if (requestId !== input.requestId) {
          refuse(IncidentErrorType.AlreadyDeclared, `incident ${input.declaration.id} already exists`);
        }
      },
    },
  );
}

/** The severity's policy, read by the worker: in the first workflow task as a local activity, or the old way. */
function policyFor(severity: Severity, service: string, planned: boolean) {
  return (planned ? lookups : configuration).resolveIncidentPolicy(severity, service);
}

/** Opens the incident: the policy of its severity, the first timeline entries, its search attributes. */
export async function declareIncident(
  declaration: Declaration,
  sentAt: number | undefined,
  planned: boolean,
): Promise<Incident> {
  const policy = await policyFor(declaredSeverity(declaration), declaration.service, planned);
  // Declared when it was sent, not when a (possibly restarting) worker first ran it; bounded like any command.
  // (Not workflowInfo().startTime: a worker rebuilding the incident after a server restart was seen to get another.)
  const declaredAt = planned ? commandTime({ issuedAt: sentAt }, Date.now(), 0) : Date.now();
  const state = openIncidentState(declaration, policy, declaredAt);
  const incident = new Incident(state, planned);
  incident.recorder.record(
    'detected',
    `${declaration.source}`,
    `detected via ${declaration.source}`,
    {},
    state.detectedAt,
  );
  incident.recorder.record(
    'declared',
    declaration.declaredBy,
    `declared ${state.severity}: ${state.title}`,
    {
      severity: state.severity,
      service: state.service,
      ...(declaration.commander ? { commander: declaration.commander } : {}),
    },
    state.declaredAt,
  );
  if (declaration.dataLoss) recordDataLossDeclared(incident, declaration.severity);
  incident.publishSearchAttributes();
  incident.declarationEntries = state.timeline.length;
  return incident;
}

/**
 * The declaration's fan-out, each in parallel and none waiting on another: channel, page, stakeholders,
 * status page. Security incidents skip the public page and tell the security contact instead.
 */
export function announceDeclaration(incident: Incident): void {
  const { state, notify, recorder } = incident;
  const rules = state.policy.rules;
  const responders = [
    ...state.policy.chat.responders,
    ...(state.roles.commander ? [state.roles.commander] : []),
    ...(state.security ? ['security'] : []),
  ];
  notify.openChannel(declarationMessage(state), [...new Set(responders)]);

  if (rules.pageOnCall === 'immediately') {
    incident.trigger('primary-oncall', 'declared', 0);
  } else if (rules.pageOnCall === 'business-hours') {
    const opens = nextBusinessHoursStart(Date.now(), state.policy.businessHours);
    if (opens <= Date.now()) {
      incident.trigger('primary-oncall', 'declared', 0);
    } else {
      state.deferredPageAt = opens;
      recorder.record(
        'page-deferred',
        'system',
        `outside business hours: on-call paged at ${new Date(opens).toISOString()}`,
      );
    }
  }

  if (notify.byAudience()) {
    notify.audiences(declarationFacts(state));
    notify.announce(`${announcedHeadline(state)} declared: ${state.service} (incident ${state.id})`);
  } else {
    const audience = [
      ...(rules.stakeholderEmail === 'all' ? ['stakeholders'] : []),
      ...(state.security ? ['security'] : []),
    ];
    if (audience.length > 0) notify.email(audience, stakeholderNotification(state));
  }
  notify.statusPage('investigating');
  diagnoseAtDeclaration(incident);
  announceSpecialPaths(incident);
  promptLeads(incident);
}
