import { workflowInfo } from '@temporalio/workflow';
import type { IncidentState, TimelineEntry, TimelineType } from '../../domain/incident';
import { ResponseTracker } from '../../domain/response-measures';
import { emitResponseFacts } from './metrics';

/**
 * Appends to the timeline and counts changes, so the main loop knows when to re-plan its timers; each entry also
 * goes to the worker's metrics as the response facts it stands for.
 */
export class Recorder {
  revision = 0;
  private readonly measures: ResponseTracker;

  constructor(private readonly state: IncidentState) {
    // A carried incident's earlier entries were counted by the run that wrote them.
    this.measures = new ResponseTracker(state.declaredAt, state.timeline);
  }

  record(type: TimelineType, actor: string, message: string, data?: TimelineEntry['data'], at = Date.now()): void {
    const entry: TimelineEntry = data ? { at, type, actor, message, data } : { at, type, actor, message };
    this.state.timeline.push(entry);
    this.changed();
    emitResponseFacts(this.state, this.measures.observe(entry));
  }

  changed(): void {
    this.revision += 1;
  }
}

/** An idempotency key from the workflow id and a step counter that survives continue-as-new in the state. */
export function nextStepRef(state: IncidentState, step: string): { incidentId: string; key: string; drill: boolean } {
  state.step += 1;
  return { incidentId: state.id, key: `${workflowInfo().workflowId}/${state.step}-${step}`, drill: state.drill };
}
