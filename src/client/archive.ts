import type { ArchivedIncident, IncidentArchive } from '../activities/archive/record';
import { incidentWorkflowId, type IncidentView } from '../workflows/definitions';
import type { IncidentSummary, ListFilter } from './service';

/**
 * Reads of closed incidents that Temporal no longer has (its retention removed them, or someone deleted the
 * workflow): the archive answers what the workflow's query and Visibility would have.
 */
export function archivedView({ incident }: ArchivedIncident): IncidentView {
  return { ...incident, deadlines: [], verifying: false };
}

export function archivedSummary({ incident }: ArchivedIncident): IncidentSummary {
  return {
    id: incident.id,
    workflowId: incidentWorkflowId(incident.id),
    title: incident.title,
    severity: incident.severity,
    status: incident.status,
    service: incident.service,
    drill: incident.drill,
    declaredAt: new Date(incident.declaredAt).toISOString(),
    execution: 'ARCHIVED',
  };
}

function matches(row: IncidentSummary, filter: ListFilter): boolean {
  const anyOf = (values: readonly string[] | undefined, value: string) =>
    values === undefined || values.length === 0 || values.includes(value);
  return (
    anyOf(filter.statuses, row.status) &&
    anyOf(filter.severities, row.severity) &&
    anyOf(filter.services, row.service) &&
    (filter.state !== 'open' || row.status !== 'closed') &&
    (filter.state !== 'closed' || row.status === 'closed') &&
    (filter.drill === undefined || row.drill === filter.drill)
  );
}

/** Visibility's rows, then the archived incidents it no longer lists, newest first, up to the limit. */
export async function withArchived(
  rows: IncidentSummary[],
  archive: IncidentArchive,
  filter: ListFilter,
  limit: number,
): Promise<IncidentSummary[]> {
  const listed = new Set(rows.map((row) => row.id));
  const archived = (await archive.list())
    .map(archivedSummary)
    .filter((row) => !listed.has(row.id) && matches(row, filter));
  return [...rows, ...archived].sort((a, b) => (b.declaredAt ?? '').localeCompare(a.declaredAt ?? '')).slice(0, limit);
}
