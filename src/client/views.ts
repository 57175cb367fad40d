import { firingAlerts, type AlertsState, type TrackedAlert } from '../domain/alerts';
import type { Deadline } from '../domain/deadlines';
import type { Mitigation, PublicUpdate, StatusUpdate, TimelineEntry } from '../domain/incident';
import type { CommandResult, DeclarationResult, IncidentView } from '../workflows/definitions';

/**
 * The incident as machine-readable JSON (`--json`, and the HTTP API): ISO 8601 times instead of epoch
 * milliseconds, durations in the policy as milliseconds, and the deadlines the workflow is waiting on.
 */
export interface IncidentJson {
  id: string;
  title: string;
  severity: string;
  status: string;
  service: string;
  summary: string;
  drill: boolean;
  security: boolean;
  source: string;
  detectedAt: string;
  declaredAt: string;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  roles: IncidentView['roles'];
  chatChannel: string | null;
  resolutionSummary: string | null;
  verifying: boolean;
  deadlines: DeadlineJson[];
  mitigations: Array<Omit<Mitigation, 'startedAt' | 'finishedAt'> & { startedAt: string; finishedAt?: string }>;
  statusUpdates: Array<Omit<StatusUpdate, 'at' | 'nextUpdateAt'> & { at: string; nextUpdateAt: string | null }>;
  publicUpdates: Array<Omit<PublicUpdate, 'at'> & { at: string }>;
  policy: IncidentView['policy'];
  /** The alert group's alerts (alert intake), or null for an incident no alert reached. */
  alerts: AlertsJson | null;
  timeline: TimelineEntryJson[];
}

export interface AlertsJson {
  source: AlertsState['source'];
  firing: number;
  resolved: number;
  /** Alerts not tracked (past the per-incident bound, or left out by the sender). */
  dropped: number;
  allResolvedAt: string | null;
  tracked: Array<
    Omit<TrackedAlert, 'startsAt' | 'endsAt' | 'changedAt'> & {
      startsAt: string;
      endsAt: string | null;
      changedAt: string;
    }
  >;
}

export function alertsJson(alerts: AlertsState | undefined): AlertsJson | null {
  if (alerts === undefined) return null;
  const firing = firingAlerts(alerts).length;
  return {
    source: alerts.source,
    firing,
    resolved: alerts.tracked.length - firing,
    dropped: alerts.dropped,
    allResolvedAt: isoOrNull(alerts.allResolvedAt),
    tracked: alerts.tracked.map((alert) => ({
      ...alert,
      startsAt: iso(alert.startsAt),
      endsAt: isoOrNull(alert.endsAt),
      changedAt: iso(alert.changedAt),
    })),
  };
}

export type DeadlineJson = Omit<Deadline, 'at'> & { at: string };
export type TimelineEntryJson = Omit<TimelineEntry, 'at'> & { at: string };

export const iso = (epochMs: number): string => new Date(epochMs).toISOString();
const isoOrNull = (epochMs: number | null | undefined): string | null =>
  epochMs === null || epochMs === undefined ? null : iso(epochMs);

export function timelineJson(entries: readonly TimelineEntry[]): TimelineEntryJson[] {
  return entries.map((entry) => ({ ...entry, at: iso(entry.at) }));
}

export function incidentJson(view: IncidentView): IncidentJson {
  return {
    id: view.id,
    title: view.title,
    severity: view.severity,
    status: view.status,
    service: view.service,
    summary: view.summary,
    drill: view.drill,
    security: view.security,
    source: view.source,
    detectedAt: iso(view.detectedAt),
    declaredAt: iso(view.declaredAt),
    acknowledgedAt: isoOrNull(view.acknowledgedAt),
    resolvedAt: isoOrNull(view.resolvedAt),
    closedAt: isoOrNull(view.closedAt),
    roles: view.roles,
    chatChannel: view.chatChannel,
    resolutionSummary: view.resolutionSummary,
    verifying: view.verifying,
    deadlines: view.deadlines.map((deadline) => ({ ...deadline, at: iso(deadline.at) })),
    mitigations: view.mitigations.map(({ startedAt, finishedAt, ...m }) => ({
      ...m,
      startedAt: iso(startedAt),
      ...(finishedAt === undefined ? {} : { finishedAt: iso(finishedAt) }),
    })),
    statusUpdates: view.statusUpdates.map((u) => ({ ...u, at: iso(u.at), nextUpdateAt: isoOrNull(u.nextUpdateAt) })),
    publicUpdates: view.publicUpdates.map((u) => ({ ...u, at: iso(u.at) })),
    policy: view.policy,
    alerts: alertsJson(view.alerts),
    timeline: timelineJson(view.timeline),
  };
}

/** A command's answer as JSON: what it wrote to the timeline and the deadline the incident waits on next. */
export function commandResultJson(result: CommandResult) {
  const { incidentId, next, added, ...rest } = result;
  // `id`, as in `show --json`, so a script reads the same field from every command.
  return {
    id: incidentId,
    ...rest,
    added: timelineJson(added),
    next: next === null ? null : { ...next, at: iso(next.at) },
  };
}

/** The declaration's answer as JSON, with every deadline the incident started. */
export function declarationJson(result: DeclarationResult) {
  const { deadlines, declaredAt, ...rest } = result;
  return {
    ...commandResultJson(rest),
    declaredAt: iso(declaredAt),
    deadlines: deadlines.map((deadline) => ({ ...deadline, at: iso(deadline.at) })),
  };
}

/** What a mitigation that runs did (rollback, `--run`, Slack's Run action): each step of its saga, one line each. */
export function sagaLines(result: CommandResult): string[] {
  return result.added
    .filter((e) => ['action-run', 'smoke-tests', 'mitigation-finished', 'escalation'].includes(e.type))
    .map((e) => `${e.type === 'smoke-tests' ? 'smoke tests' : e.type}: ${e.message}`);
}
