import type { IncidentState } from '../domain/incident';
import { responseMeasures } from '../domain/response-measures';
import { SEVERITIES, type Severity } from '../domain/severity';

/** A response time over the incidents that reached it: how many, the median and the 90th percentile, in ms. */
export interface PhaseStats {
  incidents: number;
  medianMs: number | null;
  p90Ms: number | null;
}

/** `incident report` and `GET /api/v1/report`: how the team responded to the incidents declared in a window. */
export interface ResponseReport {
  since: string;
  until: string;
  severity: Severity | null;
  service: string | null;
  incidents: number;
  bySeverity: Record<Severity, number>;
  mtta: PhaseStats;
  mttm: PhaseStats;
  mttr: PhaseStats;
  escalations: { total: number; byKind: Record<string, number> };
  missedUpdates: number;
  reopened: number;
  /** Drills declared in the window, left out of every figure above. */
  drillsExcluded: number;
}

/** Linear interpolation between the closest ranks (the median of an even count is the mean of the middle two). */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (sorted.length - 1) * p;
  const low = sorted[Math.floor(rank)]!;
  const high = sorted[Math.ceil(rank)]!;
  return low + (high - low) * (rank - Math.floor(rank));
}

function stats(values: number[]): PhaseStats {
  return { incidents: values.length, medianMs: percentile(values, 0.5), p90Ms: percentile(values, 0.9) };
}

export interface ReportScope {
  since: number;
  until: number;
  severity?: Severity;
  service?: string;
}

/**
 * Sums up the incidents declared in the window (and of the severity and service asked for, as they stand now);
 * drills are counted apart and measured nowhere. Each incident is measured as /metrics measures it.
 */
export function responseReport(incidents: readonly IncidentState[], scope: ReportScope): ResponseReport {
  const inScope = incidents.filter(
    (incident) =>
      incident.declaredAt >= scope.since &&
      incident.declaredAt <= scope.until &&
      (scope.severity === undefined || incident.severity === scope.severity) &&
      (scope.service === undefined || incident.service === scope.service),
  );
  const real = inScope.filter((incident) => !incident.drill);
  const measures = real.map(responseMeasures);
  const present = (values: Array<number | null>) => values.filter((value): value is number => value !== null);
  const byKind: Record<string, number> = {};
  for (const { escalations } of measures) {
    for (const [kind, count] of Object.entries(escalations)) byKind[kind] = (byKind[kind] ?? 0) + count;
  }
  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
  return {
    since: new Date(scope.since).toISOString(),
    until: new Date(scope.until).toISOString(),
    severity: scope.severity ?? null,
    service: scope.service ?? null,
    incidents: real.length,
    bySeverity: Object.fromEntries(
      SEVERITIES.map((severity) => [severity, real.filter((incident) => incident.severity === severity).length]),
    ) as Record<Severity, number>,
    mtta: stats(present(measures.map((m) => m.acknowledgeMs))),
    mttm: stats(present(measures.map((m) => m.mitigateMs))),
    mttr: stats(present(measures.map((m) => m.resolveMs))),
    escalations: { total: sum(Object.values(byKind)), byKind },
    missedUpdates: sum(measures.map((m) => m.missedUpdates)),
    reopened: sum(measures.map((m) => m.reopened)),
    drillsExcluded: inScope.length - real.length,
  };
}
