import { workflowInfo } from '@temporalio/workflow';
import type { IncidentState, TimelineEntry, TimelineType } from '../../domain/incident';

/** Appends to the timeline and counts changes, so the main loop knows when to re-plan its timers. */
export class Recorder {
  revision = 0;

  constructor(private readonly state: IncidentState) {}

  record(type: TimelineType, actor: string, message: string, data?: TimelineEntry['data'], at = Date.now()): void {
    this.state.timeline.push(data ? { at, type, actor, message, data } : { at, type, actor, message });
    this.changed();
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
