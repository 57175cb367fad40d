import { formatDuration } from '../../domain/duration';
import type { IncidentState } from '../../domain/incident';
import type { DrillPlan, DrillReport, FloodResult } from '../../workflows/drill/definitions';

/**
 * The drill's report from its incident as it stands (runbook 002: the drill is judged by the same windows as a real
 * incident): time to acknowledge, time to first update, escalations fired, deadlines missed, pass or fail.
 */
export function drillReport(plan: DrillPlan, incident: IncidentState, flood?: FloodResult): DrillReport {
  const { rules } = incident.policy;
  const since = (at: number | null | undefined) => (at === null || at === undefined ? null : at - incident.declaredAt);
  const timeToAcknowledgeMs = since(incident.acknowledgedAt);
  const timeToFirstUpdateMs = since(incident.statusUpdates[0]?.at);
  const escalations = incident.timeline
    .filter((entry) => entry.type === 'escalation')
    .map((entry) => `${String(entry.data?.reason ?? 'escalation')} → ${String(entry.data?.target ?? '?')}`);

  const deadlinesMissed: string[] = [];
  const late = (took: number | null, within: number) => took === null || took > within;
  if (late(timeToAcknowledgeMs, rules.acknowledgeWithin)) {
    deadlinesMissed.push(`acknowledge within ${formatDuration(rules.acknowledgeWithin)}`);
  }
  if (rules.statusUpdates && late(timeToFirstUpdateMs, rules.statusUpdates.every)) {
    deadlinesMissed.push(`first status update within ${formatDuration(rules.statusUpdates.every)}`);
  }
  const resolvedIn = since(incident.resolvedAt);
  if (rules.unresolved && late(resolvedIn, rules.unresolved.after)) {
    deadlinesMissed.push(`resolve within ${formatDuration(rules.unresolved.after)}`);
  }

  const failures: string[] = [];
  let measured: DrillReport['flood'];
  if (flood) {
    // The log flood tests the alerting path: one incident for the burst, and the on-call page decided in time.
    const page = incident.timeline.find(
      (entry) => entry.type === 'notification-sent' && entry.data?.channel === 'pager',
    );
    const pageAfterMs = page ? page.at - flood.firstAlertAt : null;
    measured = {
      deliveries: flood.deliveries,
      incidents: flood.incidents,
      declaredAfterMs: flood.declaredAfterMs,
      pageAfterMs,
    };
    if (flood.incidents !== 1) {
      failures.push(`dedup broke: ${flood.deliveries} alerts opened ${flood.incidents} incident(s)`);
    }
    if (flood.failed > 0) failures.push(`${flood.failed} of ${flood.deliveries} alert deliveries failed`);
    const within = plan.pageWithin ?? 60_000;
    if (pageAfterMs === null || pageAfterMs > within)
      failures.push(`on-call page not decided within ${formatDuration(within)}`);
  } else {
    failures.push(...deadlinesMissed.map((deadline) => `missed: ${deadline}`));
    if (escalations.length > 0) failures.push(`${escalations.length} escalation(s) fired`);
  }

  return {
    drill: plan.name,
    kind: plan.kind,
    incidentId: incident.id,
    timeToAcknowledgeMs,
    timeToFirstUpdateMs,
    escalations,
    deadlinesMissed,
    ...(measured ? { flood: measured } : {}),
    passed: failures.length === 0,
    failures,
  };
}

/** The report as the timeline and the channel show it: a few lines, the verdict first. */
export function drillReportText(report: DrillReport): string {
  const took = (ms: number | null) => (ms === null ? 'never' : formatDuration(ms));
  const lines = [
    `DRILL REPORT (${report.drill}, ${report.kind}): ${report.passed ? 'PASSED' : 'FAILED'}`,
    `time to acknowledge: ${took(report.timeToAcknowledgeMs)}`,
    `time to first update: ${took(report.timeToFirstUpdateMs)}`,
    `escalations fired: ${report.escalations.length === 0 ? 'none' : report.escalations.join(', ')}`,
    `deadlines missed: ${report.deadlinesMissed.length === 0 ? 'none' : report.deadlinesMissed.join(', ')}`,
  ];
  if (report.flood) {
    const { deliveries, incidents, declaredAfterMs, pageAfterMs } = report.flood;
    lines.push(
      `alert flood: ${deliveries} alerts → ${incidents} incident(s) (dedup ${incidents === 1 ? 'held' : 'broke'})`,
      `alert → incident: ${took(declaredAfterMs)}; alert → page: ${took(pageAfterMs)}`,
    );
  }
  if (report.failures.length > 0) lines.push(`why it failed: ${report.failures.join('; ')}`);
  return lines.join('\n');
}
