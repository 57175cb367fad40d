import { ActivityFailure, ApplicationFailure, setHandler } from '@temporalio/workflow';
import { hasPatch } from '../release';
import { commandTime } from '../../../domain/command-meta';
import { IncidentErrorType } from '../../../domain/errors';
import { openIncidentState } from '../../../domain/incident';
import { declaredSeverity, declareSchema, type Declaration, type DeclareInput } from '../../../domain/inputs';
import type { IncidentPolicy } from '../../../domain/policy';
import { nextBusinessHoursStart, planDeadlines } from '../../../domain/deadlines';
import { declarationFacts } from '../../../domain/message-facts';
import { announcedHeadline, declarationMessage, stakeholderNotification } from '../../../domain/templates';
import { declareUpdate, type IncidentWorkflowInput } from '../../definitions';
import { configuration, lookups } from '../activity-profiles';
import type { DeclaredIncident } from '../commands';
import { announceSpecialPaths, recordDataLossDeclared } from './checklists';
import { diagnoseAtDeclaration } from './diagnose';
import { Incident, parseOrReject, refuse } from '../incident';
import { promptLeads } from './respond';

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
      // Compared, not parsed: only the start's own request id is a retry, and anything else, well formed or not, is
      // a second declaration. This runs in every incident's first workflow task, where zod is not loaded.
      validator: (request) => {
        const requestId = (request as { requestId?: unknown } | undefined)?.requestId;
        if (input.requestId === undefined || requestId !== input.requestId) {
          refuse(IncidentErrorType.AlreadyDeclared, `incident ${input.declaration.id} already exists`);
        }
      },
    },
  );
}

/**
 * Incidents declared since this patch have their declaration checked by the worker, in the local activity that
 * reads their policy; older ones checked it in the workflow, which loaded zod into every incident's sandbox.
 */
export const DECLARATION_CHECKED_BY_WORKER_PATCH = 'declaration-checked-by-worker-v1';

/** The declaration, checked, and its severity's policy, read by the worker in the first workflow task. */
async function accept(
  input: DeclareInput,
  planned: boolean,
): Promise<{ declaration: Declaration; policy: IncidentPolicy }> {
  if (planned && hasPatch(DECLARATION_CHECKED_BY_WORKER_PATCH)) {
    try {
      const accepted = await lookups.acceptDeclaration(input);
      // Unchanged by checking: what was sent is the declaration (the answer leaves it out of history).
      return { declaration: accepted.declaration ?? (input as Declaration), policy: accepted.policy };
    } catch (error) {
      // A refused declaration fails the incident with the refusal itself, as a check in the workflow would.
      throw error instanceof ActivityFailure && error.cause instanceof ApplicationFailure ? error.cause : error;
    }
  }
  const declaration = parseOrReject(declareSchema, input);
  const severity = declaredSeverity(declaration);
  const policy = await (planned ? lookups : configuration).resolveIncidentPolicy(severity, declaration.service);
  return { declaration, policy };
}

/** Opens the incident: the policy of its severity, the first timeline entries, its search attributes. */
export async function declareIncident(
  input: DeclareInput,
  sentAt: number | undefined,
  planned: boolean,
): Promise<Incident> {
  const { declaration, policy } = await accept(input, planned);
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
  // Incidents since the channel-opening patch open their channel with its checklists and prompts before anything else
  // is sent: the channel's activity starts first, and the page beside it still leaves with this workflow task.
  const opensWithPosts = notify.holdsChannelOpening();
  if (opensWithPosts) {
    announceSpecialPaths(incident);
    promptLeads(incident);
    notify.sendChannelOpening();
  }

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
  if (!opensWithPosts) {
    announceSpecialPaths(incident);
    promptLeads(incident);
  }
}
