import { proxySinks, workflowInfo, type Sinks } from '@temporalio/workflow';
import type { IncidentState } from '../../domain/incident';
import type { ResponseFact } from '../../domain/response-measures';

/** Who a fact is about: enough to label it, never the incident's id (one series per incident would not scale). */
export interface ResponseLabels {
  severity: string;
  service: string;
  drill: boolean;
}

/**
 * The worker's metrics, reached through a sink rather than an activity: a sink call is no command, so history and
 * replay are untouched (no patch needed), and the SDK drops sink calls while a workflow replays, so a fact is
 * counted when it happens, not again each time a worker rebuilds the incident from history.
 */
export interface IncidentMetricsSinks extends Sinks {
  incidentMetrics: {
    observe(fact: ResponseFact, labels: ResponseLabels): void;
  };
}

const { incidentMetrics } = proxySinks<IncidentMetricsSinks>();

export function emitResponseFacts(state: IncidentState, facts: readonly ResponseFact[]): void {
  // The SDK would drop these calls anyway; not making them spares a replay (and the replay tests' workers, which
  // register no sinks) the calls and the "unregistered sink" complaints.
  if (workflowInfo().unsafe.isReplaying) return;
  for (const fact of facts) {
    incidentMetrics.observe(fact, { severity: state.severity, service: state.service, drill: state.drill });
  }
}
