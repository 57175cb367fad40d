import { z } from 'zod';
import type { IncidentState } from '../domain/incident';
import { boundedDuration } from '../domain/duration';
import { severitySchema } from '../domain/severity';
import { serviceNameSchema } from '../domain/text';
import { responseReport, type ResponseReport } from '../metrics/report';
import { IncidentClientError, IncidentClientErrorType } from './errors';
import type { IncidentService, IncidentSummary } from './service';

/** What a report is asked for, from the CLI's flags or the API's query string. */
export const reportQuerySchema = z.strictObject({
  since: z
    .string()
    .default('30d')
    .pipe(boundedDuration({ min: '1h', max: '3650d' }))
    .describe('how far back incidents were declared (e.g. 30d, 12h)'),
  severity: severitySchema.optional(),
  service: serviceNameSchema.optional(),
});
export type ReportQuery = z.output<typeof reportQuerySchema>;

/** The incidents read for one report; past it the window must be narrowed (a report never silently drops some). */
export const REPORT_LIMIT = 1000;

/**
 * The report over the incidents themselves: Visibility lists them (newest first, the archive adding those Temporal
 * no longer has), then each is read whole: a closed one from its archived record when there is one (no replay on a
 * worker), an open one by its state query.
 */
export async function incidentReport(
  incidents: IncidentService,
  query: ReportQuery,
  now = Date.now(),
): Promise<ResponseReport> {
  const since = now - query.since;
  const rows = await incidents.list({
    ...(query.severity ? { severities: [query.severity] } : {}),
    ...(query.service ? { services: [query.service] } : {}),
    limit: REPORT_LIMIT,
  });
  const declaredAt = (row: IncidentSummary) => (row.declaredAt === null ? now : Date.parse(row.declaredAt));
  const inWindow = rows.filter((row) => declaredAt(row) >= since);
  if (rows.length >= REPORT_LIMIT && inWindow.length === rows.length) {
    throw new IncidentClientError(
      IncidentClientErrorType.InvalidInput,
      `since: more than ${REPORT_LIMIT} incidents in the window; narrow it (a shorter --since, a --severity or --service)`,
    );
  }
  // p-map is an ES module; this CommonJS build reaches it through import().
  const { default: pMap } = await import('p-map');
  const states = await pMap(inWindow, (row) => readIncident(incidents, row), { concurrency: 8 });
  return responseReport(states, {
    since,
    until: now,
    ...(query.severity ? { severity: query.severity } : {}),
    ...(query.service ? { service: query.service } : {}),
  });
}

async function readIncident(incidents: IncidentService, row: IncidentSummary): Promise<IncidentState> {
  const archived = row.status === 'closed' ? await incidents.archive?.get(row.id) : null;
  return archived?.incident ?? (await incidents.show(row.id));
}

const minutes = (ms: number | null) => (ms === null ? '-' : `${(ms / 60_000).toFixed(1)} min`);

/** The report as `incident report` prints it. */
export function formatReport(report: ResponseReport): string {
  const scope = [report.severity, report.service].filter((part) => part !== null).join(', ');
  const phase = (name: string, stats: ResponseReport['mtta']) =>
    `${name}  median ${minutes(stats.medianMs).padStart(10)}  p90 ${minutes(stats.p90Ms).padStart(10)}  (${stats.incidents} incidents)`;
  const kinds = Object.entries(report.escalations.byKind)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, count]) => `${kind} ${count}`);
  return [
    `Incidents declared ${report.since} to ${report.until}${scope ? ` (${scope})` : ''}: ${report.incidents}` +
      ` (drills excluded: ${report.drillsExcluded})`,
    `By severity   ${Object.entries(report.bySeverity)
      .map(([severity, count]) => `${severity} ${count}`)
      .join('  ')}`,
    phase('MTTA', report.mtta),
    phase('MTTM', report.mttm),
    phase('MTTR', report.mttr),
    `Escalations   ${report.escalations.total}${kinds.length > 0 ? ` (${kinds.join(', ')})` : ''}`,
    `Missed status updates  ${report.missedUpdates}`,
    `Reopened      ${report.reopened}`,
  ].join('\n');
}
