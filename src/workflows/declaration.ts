import { openIncidentState } from '../domain/incident';
import type { Declaration } from '../domain/inputs';
import { nextBusinessHoursStart } from '../domain/deadlines';
import { declarationMessage, plainMessage, stakeholderNotification } from '../domain/templates';
import { configuration, documents } from './activity-profiles';
import { Incident } from './incident-entity';

/** Opens the incident: the policy of its severity, the first timeline entries, its search attributes. */
export async function declareIncident(declaration: Declaration): Promise<Incident> {
  const policy = await configuration.resolveIncidentPolicy(declaration.severity);
  const state = openIncidentState(declaration, policy, Date.now());
  const incident = new Incident(state);
  incident.recorder.record(
    'detected',
    `${declaration.source}`,
    `detected via ${declaration.source}`,
    {},
    state.detectedAt,
  );
  incident.recorder.record('declared', declaration.declaredBy, `declared ${state.severity}: ${state.title}`, {
    severity: state.severity,
    service: state.service,
    ...(declaration.commander ? { commander: declaration.commander } : {}),
  });
  incident.publishSearchAttributes();
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

  const audience = [
    ...(rules.stakeholderEmail === 'all' ? ['stakeholders'] : []),
    ...(state.security ? ['security'] : []),
  ];
  if (audience.length > 0) notify.email(audience, stakeholderNotification(state));
  notify.statusPage('investigating');
  if (rules.diagnostics) collectDiagnostics(incident);
}

/** Runbook 003's collection step: a snapshot stored as an artifact; only its reference and summary come back. */
function collectDiagnostics(incident: Incident): void {
  const { state, recorder, notify } = incident;
  notify.background('diagnostics', async (ref) => {
    const report = await documents.collectDiagnostics({ ...ref, service: state.service, severity: state.severity });
    recorder.record('diagnostics', 'system', report.summary, { artifact: report.artifact });
    notify.chat(plainMessage(state, 'note', `diagnostics: ${report.summary} (${report.artifact})`));
  });
}
