import { hasPatch } from '../release';
import type { AnnotationRequest, DiagnosticsReport, IncidentRef } from '../../../activities/types';
import { diagnoseSchema } from '../../../domain/inputs';
import type { Mitigation } from '../../../domain/incident';
import { plainMessage, type RenderedMessage } from '../../../domain/templates';
import { diagnoseUpdate } from '../../definitions';
import { documents, notifications } from '../activity-profiles';
import { onCommand, type DeclaredIncident } from '../commands';
import { rootMessage } from '../deliveries';
import type { Incident } from '../incident';
import { nextStepRef } from '../recorder';

/**
 * Incidents since this patch mark the service's Grafana dashboard at declaration, after each mitigation and at
 * resolution, and collect diagnostics after each mitigation too; the ones before finish without, as they started.
 */
export const DIAGNOSTICS_PATCH = 'diagnostics-v1';

/** Runbook 003's collection step at declaration, and the dashboard mark that dates the incident on every graph. */
export function diagnoseAtDeclaration(incident: Incident): void {
  const { state } = incident;
  if (hasPatch(DIAGNOSTICS_PATCH)) annotate(incident, 'declared', `declared: ${state.title}`, state.declaredAt);
  if (state.policy.rules.diagnostics) collectInBackground(incident, 'at declaration');
}

/** After a mitigation's outcome is known: mark it on the dashboard and see what the tools say now. */
export function diagnoseAfterMitigation(incident: Incident, mitigation: Mitigation): void {
  if (!hasPatch(DIAGNOSTICS_PATCH)) return;
  const outcome = mitigation.outcome ?? 'finished';
  annotate(incident, 'mitigation', `${mitigation.id} ${outcome}: ${mitigation.action}`, mitigation.finishedAt ?? null);
  if (incident.state.policy.rules.diagnostics) collectInBackground(incident, `after mitigation ${mitigation.id}`);
}

export function annotateResolution(incident: Incident): void {
  if (!hasPatch(DIAGNOSTICS_PATCH)) return;
  const { state } = incident;
  annotate(incident, 'resolved', `resolved: ${state.resolutionSummary ?? state.title}`, state.resolvedAt);
}

/** `incident diagnose ID`: collected now, and answered once the summary is on the timeline. */
export function registerDiagnoseHandler(declared: DeclaredIncident): void {
  onCommand(declared, diagnoseUpdate, 'diagnose', diagnoseSchema, async (incident, { by, reason }) => {
    const ref = nextStepRef(incident.state, 'diagnostics');
    try {
      await collect(incident, ref, `requested by ${by}${reason ? `: ${reason}` : ''}`, by);
    } catch (error) {
      // On the timeline as diagnostics, so the one who asked is answered with the failure, not with nothing.
      incident.recorder.record('diagnostics', by, `failed: ${rootMessage(error)}`, { failed: true });
    }
  });
}

function collectInBackground(incident: Incident, when: string): void {
  incident.notify.background('diagnostics', (ref) => collect(incident, ref, when));
}

/** Only the summary, the links and the artifact's path come back: the findings stay in the artifact. */
async function collect(incident: Incident, ref: IncidentRef, when: string, actor = 'system'): Promise<void> {
  const { state, recorder, notify } = incident;
  // The first diagnostics that answered named the tools that are not configured (unconfigured: said so, once).
  const notConfiguredSaid = state.timeline.some((e) => e.type === 'diagnostics' && e.data?.failed !== true);
  const report = await documents.collectDiagnostics({
    ...ref,
    service: state.service,
    severity: state.severity,
    notConfiguredSaid,
  });
  recorder.record('diagnostics', actor, report.summary, { artifact: report.artifact, when });
  // Diagnostics that finish after the close stay on the timeline: the closing note is the channel's last word.
  if (!incident.isClosed) notify.chat(diagnosticsMessage(incident, report, when));
}

/** The summary first (the channel's preview), then when it was taken, each link and the artifact. */
function diagnosticsMessage(incident: Incident, report: DiagnosticsReport, when: string): RenderedMessage {
  const message = plainMessage(incident.state, 'note', `diagnostics: ${report.summary}`);
  const fields = [
    { label: 'Taken', value: when },
    ...(report.links ?? []).map((link) => ({ label: link.label, value: link.url })),
    { label: 'Artifact', value: report.artifact },
  ];
  return {
    ...message,
    text: [message.text, ...fields.map((field) => `${field.label}: ${field.value}`)].join('\n'),
    fields: [...message.fields, ...fields],
  };
}

/** A dashboard mark, in the background; a service without a dashboard is skipped (the diagnostics say so). */
function annotate(incident: Incident, event: AnnotationRequest['event'], what: string, at: number | null): void {
  const { state, recorder } = incident;
  // Known from the policy the incident started with: no activity to learn there is no dashboard to mark. Incidents
  // whose recorded policy predates the answer ask, as they did (their history has those activities).
  if (state.policy.dashboard === false) return;
  const text = `${state.drill ? '[DRILL] ' : ''}[${state.severity}] ${state.id} ${what}`;
  incident.notify.background('annotation', async (ref) => {
    const receipt = await notifications.annotateDashboard({
      ...ref,
      service: state.service,
      at: at ?? Date.now(),
      event,
      text,
    });
    if (receipt.annotated) {
      recorder.record('notification-sent', 'system', `grafana: ${receipt.detail}`, { channel: 'grafana' });
    }
  });
}
