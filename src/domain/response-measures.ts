import type { IncidentState, TimelineEntry } from './incident';

/**
 * How the response to an incident is measured, read off its timeline. The worker's /metrics observes these facts as
 * the entries are written, and `incident report` folds whole timelines through the same tracker, so the two agree.
 */

export type ResponsePhase = 'acknowledge' | 'mitigate' | 'resolve';

export type ResponseFact =
  | { kind: 'declared' }
  /** Milliseconds from the declaration; each phase is measured once per incident, the first time it is reached. */
  | { kind: 'phase'; phase: ResponsePhase; ms: number }
  /** The escalation's reason as the timeline records it (ack-timeout, no-status-update, unresolved, manual, ...). */
  | { kind: 'escalation'; reason: string }
  /** A status update not posted by its due time (the reminder fired), internal or for the status page. */
  | { kind: 'missed-update'; audience: 'internal' | 'public' }
  /** A delivery that failed for good after its retries, by the channel it went through (chat, email, pager, ...). */
  | { kind: 'notification-failed'; channel: string }
  | { kind: 'reopened' }
  | { kind: 'closed' };

/** Escalations to the IC after a failed mitigation carry no reason of their own on the timeline. */
const MITIGATION_FAILED = 'mitigation-failed';

/**
 * Turns timeline entries into response facts, remembering which phases were already reached. A reopened incident is
 * resolved once as far as time to resolve goes (the first resolution) and counted as reopened besides; time to
 * mitigate is the first mitigation that succeeded, or the first resolution when none was recorded before it.
 */
export class ResponseTracker {
  private acknowledged = false;
  private mitigated = false;
  private resolved = false;

  /** @param earlier the entries already on the timeline (a carried incident's), which are not observed again. */
  constructor(
    private readonly declaredAt: number,
    earlier: readonly TimelineEntry[] = [],
  ) {
    for (const entry of earlier) this.observe(entry);
  }

  observe(entry: TimelineEntry): ResponseFact[] {
    const since = entry.at - this.declaredAt;
    switch (entry.type) {
      case 'declared':
        return [{ kind: 'declared' }];
      case 'acknowledged':
        return this.reach('acknowledged', 'acknowledge', since);
      case 'mitigation-finished':
        return entry.data?.outcome === 'succeeded' && !this.resolved ? this.reach('mitigated', 'mitigate', since) : [];
      case 'resolved':
        return [...this.reach('mitigated', 'mitigate', since), ...this.reach('resolved', 'resolve', since)];
      case 'escalation': {
        const reason = entry.data?.reason;
        return [{ kind: 'escalation', reason: typeof reason === 'string' ? reason : MITIGATION_FAILED }];
      }
      case 'status-reminder':
        return [{ kind: 'missed-update', audience: entry.data?.channel === 'status-page' ? 'public' : 'internal' }];
      case 'notification-failed':
        return [{ kind: 'notification-failed', channel: String(entry.data?.channel ?? 'unknown') }];
      case 'reopened':
        return [{ kind: 'reopened' }];
      case 'closed':
        return [{ kind: 'closed' }];
      default:
        return [];
    }
  }

  private reach(flag: 'acknowledged' | 'mitigated' | 'resolved', phase: ResponsePhase, ms: number): ResponseFact[] {
    if (this[flag]) return [];
    this[flag] = true;
    return [{ kind: 'phase', phase, ms: Math.max(0, ms) }];
  }
}

/** One incident's response, summed over its whole timeline: what `incident report` aggregates. */
export interface ResponseMeasures {
  acknowledgeMs: number | null;
  mitigateMs: number | null;
  resolveMs: number | null;
  escalations: Record<string, number>;
  missedUpdates: number;
  reopened: number;
}

export function responseMeasures(state: Pick<IncidentState, 'declaredAt' | 'timeline'>): ResponseMeasures {
  const measures: ResponseMeasures = {
    acknowledgeMs: null,
    mitigateMs: null,
    resolveMs: null,
    escalations: {},
    missedUpdates: 0,
    reopened: 0,
  };
  const tracker = new ResponseTracker(state.declaredAt);
  for (const fact of state.timeline.flatMap((entry) => tracker.observe(entry))) {
    if (fact.kind === 'phase') measures[`${fact.phase}Ms`] = fact.ms;
    else if (fact.kind === 'escalation')
      measures.escalations[fact.reason] = (measures.escalations[fact.reason] ?? 0) + 1;
    else if (fact.kind === 'missed-update') measures.missedUpdates += 1;
    else if (fact.kind === 'reopened') measures.reopened += 1;
  }
  return measures;
}
