import type { IncidentState, TimelineEntry } from '../../src/domain/incident';
import type { Severity } from '../../src/domain/severity';
import type { ResponseReport } from '../../src/metrics/report';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

type Step = [TimelineEntry['type'], number, TimelineEntry['data']?];

/** A closed incident whose timeline is the steps, each at its minute after the declaration. */
function closed(
  id: string,
  severity: Severity,
  declaredAt: number,
  steps: Step[],
  extra: { service?: string; drill?: boolean } = {},
): IncidentState {
  const timeline: TimelineEntry[] = [
    { at: declaredAt, type: 'declared', actor: 'alice', message: 'declared' },
    ...steps.map(([type, minutes, data]) => ({
      at: declaredAt + minutes * MINUTE,
      type,
      actor: 'system',
      message: type,
      ...(data ? { data } : {}),
    })),
  ];
  const at = (type: TimelineEntry['type']) => timeline.filter((e) => e.type === type).at(-1)?.at ?? null;
  // Only what the report and the archive's readers look at; the rest of a real state is beside the point here.
  return {
    id,
    title: `incident ${id}`,
    service: extra.service ?? 'checkout',
    severity,
    status: 'closed',
    drill: extra.drill ?? false,
    declaredAt,
    detectedAt: declaredAt,
    acknowledgedAt: at('acknowledged'),
    resolvedAt: at('resolved'),
    closedAt: at('closed'),
    mitigations: [],
    statusUpdates: [],
    publicUpdates: [],
    timeline,
  } as unknown as IncidentState;
}

/**
 * Five incidents as of `now`: three real ones of checkout in the last 30 days, with MTTA 4/8/12 min, MTTM 20/50/40
 * and MTTR 30/50/90 (the third reopened, then resolved again at 120: its first resolution counts), two escalations
 * and one missed status update; a drill and an incident from 40 days ago, both left out.
 */
export function reportFixtures(now: number): IncidentState[] {
  return [
    closed('fx-a', 'SEV-1', now - 3 * DAY, [
      ['acknowledged', 4],
      ['mitigation-finished', 20, { outcome: 'succeeded' }],
      ['resolved', 30],
      ['closed', 31],
    ]),
    closed('fx-b', 'SEV-1', now - 10 * DAY, [
      ['escalation', 5, { reason: 'ack-timeout', level: 1 }],
      ['acknowledged', 8],
      ['status-reminder', 15],
      ['escalation', 20, { reason: 'no-status-update', level: 1 }],
      ['mitigation-finished', 45, { outcome: 'failed' }],
      ['resolved', 50],
      ['closed', 55],
    ]),
    closed('fx-c', 'SEV-2', now - 20 * DAY, [
      ['acknowledged', 12],
      ['mitigation-finished', 40, { outcome: 'succeeded' }],
      ['resolved', 90],
      ['reopened', 100],
      ['mitigation-finished', 110, { outcome: 'succeeded' }],
      ['resolved', 120],
      ['closed', 125],
    ]),
    closed(
      'fx-drill',
      'SEV-1',
      now - 2 * DAY,
      [
        ['acknowledged', 1],
        ['resolved', 10],
        ['closed', 11],
      ],
      { drill: true },
    ),
    closed('fx-old', 'SEV-2', now - 40 * DAY, [
      ['acknowledged', 100],
      ['resolved', 300],
      ['closed', 301],
    ]),
  ];
}

/** What the report over the fixtures says, in minutes. */
export const EXPECTED = {
  incidents: 3,
  bySeverity: { 'SEV-1': 2, 'SEV-2': 1, 'SEV-3': 0, 'SEV-4': 0 },
  mtta: { incidents: 3, median: 8, p90: 11.2 },
  mttm: { incidents: 3, median: 40, p90: 48 },
  mttr: { incidents: 3, median: 50, p90: 82 },
  escalations: { total: 2, byKind: { 'ack-timeout': 1, 'no-status-update': 1 } },
  missedUpdates: 1,
  reopened: 1,
  drillsExcluded: 1,
};

export const minutesOf = (ms: number | null) => (ms === null ? null : Math.round((ms / MINUTE) * 1000) / 1000);

/** The report's figures in minutes, the shape EXPECTED is written in. */
export function inMinutes(report: ResponseReport) {
  const phase = ({ incidents, medianMs, p90Ms }: ResponseReport['mtta']) => ({
    incidents,
    median: minutesOf(medianMs),
    p90: minutesOf(p90Ms),
  });
  const { incidents, bySeverity, escalations, missedUpdates, reopened, drillsExcluded } = report;
  return {
    incidents,
    bySeverity,
    mtta: phase(report.mtta),
    mttm: phase(report.mttm),
    mttr: phase(report.mttr),
    escalations,
    missedUpdates,
    reopened,
    drillsExcluded,
  };
}
