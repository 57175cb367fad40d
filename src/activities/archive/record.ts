import type { IncidentState } from '../../domain/incident';

/** How long each phase took, in milliseconds from the declaration; null for a phase the incident never reached. */
export interface IncidentDurations {
  toAcknowledgeMs: number | null;
  /** To the first mitigation that succeeded, or to resolution when none was recorded. */
  toMitigateMs: number | null;
  toResolveMs: number | null;
  toCloseMs: number | null;
}

/** What the archive keeps of a closed incident: the whole state (timeline, public updates) and what it adds up to. */
export interface ArchivedIncident {
  version: 1;
  archivedAt: string;
  incident: IncidentState;
  durations: IncidentDurations;
  /** Where the postmortem draft was written (a file or an issue URL), when one was. */
  postmortem: string | null;
}

export function incidentDurations(state: IncidentState): IncidentDurations {
  const since = (at: number | null | undefined) => (at === null || at === undefined ? null : at - state.declaredAt);
  const mitigated = state.mitigations
    .filter((m) => m.outcome === 'succeeded' && m.finishedAt !== undefined)
    .map((m) => m.finishedAt!)
    .sort((a, b) => a - b)[0];
  return {
    toAcknowledgeMs: since(state.acknowledgedAt),
    toMitigateMs: since(mitigated ?? state.resolvedAt),
    toResolveMs: since(state.resolvedAt),
    toCloseMs: since(state.closedAt),
  };
}

export function archivedIncident(state: IncidentState, archivedAt: Date): ArchivedIncident {
  const postmortem = state.timeline.filter((e) => e.type === 'postmortem').at(-1)?.data?.location;
  return {
    version: 1,
    archivedAt: archivedAt.toISOString(),
    incident: state,
    durations: incidentDurations(state),
    postmortem: typeof postmortem === 'string' ? postmortem : null,
  };
}

/** Where closed incidents are kept once Temporal's retention has removed them. Writes are idempotent per incident. */
export interface IncidentArchive {
  /** Where it is kept, for the timeline (a path or an s3:// URL). */
  readonly location: string;
  put(record: ArchivedIncident): Promise<{ destination: string }>;
  get(incidentId: string): Promise<ArchivedIncident | null>;
  list(): Promise<ArchivedIncident[]>;
}

/** One object per incident; ids are already restricted to a safe alphabet by the declaration schema. */
export function archiveKey(incidentId: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(incidentId) || incidentId.startsWith('.')) {
    throw new Error(`not an incident id: ${JSON.stringify(incidentId)}`);
  }
  return `${incidentId}.json`;
}
