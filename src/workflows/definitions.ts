import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Deadline } from '../domain/deadlines';
import type { IncidentState, TimelineEntry } from '../domain/incident';
import type {
  AcknowledgeInput,
  AlertFiredInput,
  AssignRoleInput,
  CloseInput,
  DeclareInput,
  FinishMitigationInput,
  NoteInput,
  ReopenInput,
  ResolveInput,
  SeverityChangeInput,
  StartMitigationInput,
  StatusUpdateInput,
} from '../domain/inputs';

/** Every message the incident workflow understands, shared by the workflow and every client. */

export interface IncidentWorkflowInput {
  declaration: DeclareInput;
  /** Present after continue-as-new: the whole incident, as plain JSON. */
  carried?: IncidentState;
  /** Continue as new past this many history events, even before Temporal suggests it. */
  historyEventLimit?: number;
}

/** The incident as clients see it: the state plus the deadlines it is waiting on. */
export interface IncidentView extends IncidentState {
  deadlines: Deadline[];
  verifying: boolean;
}

export const incidentWorkflowId = (incidentId: string) => `incident-${incidentId}`;

export const acknowledgeUpdate = defineUpdate<IncidentView, [AcknowledgeInput]>('acknowledge');
export const assignRoleUpdate = defineUpdate<IncidentView, [AssignRoleInput]>('assignRole');
export const postStatusUpdate = defineUpdate<IncidentView, [StatusUpdateInput]>('postStatusUpdate');
export const changeSeverityUpdate = defineUpdate<IncidentView, [SeverityChangeInput]>('changeSeverity');
export const startMitigationUpdate = defineUpdate<IncidentView, [StartMitigationInput]>('startMitigation');
export const finishMitigationUpdate = defineUpdate<IncidentView, [FinishMitigationInput]>('finishMitigation');
export const resolveUpdate = defineUpdate<IncidentView, [ResolveInput]>('resolve');
export const reopenUpdate = defineUpdate<IncidentView, [ReopenInput]>('reopen');
export const closeUpdate = defineUpdate<IncidentView, [CloseInput]>('close');
export const addNoteUpdate = defineUpdate<IncidentView, [NoteInput]>('addNote');

/** An alert for an open incident fired again: a fact to record, nothing to answer. */
export const alertFiredSignal = defineSignal<[AlertFiredInput]>('alertFired');

export const stateQuery = defineQuery<IncidentView>('state');
export const timelineQuery = defineQuery<TimelineEntry[]>('timeline');
