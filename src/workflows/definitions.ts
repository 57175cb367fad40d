import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { AlertsReceivedInput } from '../domain/alerts';
import type { CommandMeta } from '../domain/command-meta';
import type { Deadline } from '../domain/deadlines';
import type { IncidentState, TimelineEntry } from '../domain/incident';
import type {
  AcknowledgeInput,
  AlertFiredInput,
  AssignRoleInput,
  CheckItemInput,
  CloseInput,
  ConfirmBreachInput,
  ConfirmIntegrityInput,
  DiagnoseInput,
  DeclareInput,
  FinishMitigationInput,
  NoteInput,
  ReopenInput,
  ResolveInput,
  RollbackInput,
  PageInput,
  SeverityChangeInput,
  StartMitigationInput,
  StatusUpdateInput,
} from '../domain/inputs';
import type { IncidentStatus, Severity } from '../domain/severity';

/** Every message the incident workflow understands, shared by the workflow and every client. */

export interface IncidentWorkflowInput {
  declaration: DeclareInput;
  /** Present after continue-as-new: the whole incident, as plain JSON. */
  carried?: IncidentState;
  /** Continue as new past this many history events, even before Temporal suggests it. */
  historyEventLimit?: number;
  /** The declaring request's id (update-with-start): a retry with the same id gets the same incident back. */
  requestId?: string;
  /** When the declaration was sent (epoch ms, client-stamped), so a worker outage does not push every deadline back. */
  declaredAt?: number;
}

/** The incident as clients see it: the state plus the deadlines it is waiting on. Only ever read by query. */
export interface IncidentView extends IncidentState {
  deadlines: Deadline[];
  verifying: boolean;
}

/**
 * What an update answers: small and flat however long the incident runs, because every result is stored in
 * history. The whole incident stays behind the state query, which costs no history.
 */
export interface CommandResult {
  incidentId: string;
  status: IncidentStatus;
  severity: Severity;
  drill: boolean;
  security: boolean;
  /** The timeline entries this command wrote (deliveries excluded: they land later, on their own). */
  added: TimelineEntry[];
  /** The earliest deadline the incident now waits on, or null when none is pending. */
  next: Deadline | null;
}

/** The declaration's answer: the incident as the workflow holds it, with every deadline it started. */
export interface DeclarationResult extends CommandResult {
  title: string;
  declaredAt: number;
  deadlines: Deadline[];
}

/** What a finished incident returns: the outcome in brief (the whole record stays behind the state query). */
export interface IncidentOutcome {
  incidentId: string;
  severity: Severity;
  status: IncidentStatus;
  declaredAt: number;
  acknowledgedAt: number | null;
  resolvedAt: number | null;
  closedAt: number | null;
}

/** Sent with the start (update-with-start); the request id makes a retried declaration answer the same incident. */
export interface DeclareRequest {
  requestId: string;
}

export const incidentWorkflowId = (incidentId: string) => `incident-${incidentId}`;

/** Each command: its input, then when it was issued. */
type Command<I> = [I, CommandMeta?];

export const declareUpdate = defineUpdate<DeclarationResult, [DeclareRequest]>('declare');
export const acknowledgeUpdate = defineUpdate<CommandResult, Command<AcknowledgeInput>>('acknowledge');
export const assignRoleUpdate = defineUpdate<CommandResult, Command<AssignRoleInput>>('assignRole');
export const postStatusUpdate = defineUpdate<CommandResult, Command<StatusUpdateInput>>('postStatusUpdate');
export const changeSeverityUpdate = defineUpdate<CommandResult, Command<SeverityChangeInput>>('changeSeverity');
export const startMitigationUpdate = defineUpdate<CommandResult, Command<StartMitigationInput>>('startMitigation');
export const finishMitigationUpdate = defineUpdate<CommandResult, Command<FinishMitigationInput>>('finishMitigation');
export const pageUpdate = defineUpdate<CommandResult, Command<PageInput>>('page');
export const rollbackUpdate = defineUpdate<CommandResult, Command<RollbackInput>>('rollback');
export const resolveUpdate = defineUpdate<CommandResult, Command<ResolveInput>>('resolve');
export const reopenUpdate = defineUpdate<CommandResult, Command<ReopenInput>>('reopen');
export const closeUpdate = defineUpdate<CommandResult, Command<CloseInput>>('close');
export const addNoteUpdate = defineUpdate<CommandResult, Command<NoteInput>>('addNote');
export const confirmIntegrityUpdate = defineUpdate<CommandResult, Command<ConfirmIntegrityInput>>('confirmIntegrity');
export const checkItemUpdate = defineUpdate<CommandResult, Command<CheckItemInput>>('checkItem');
export const confirmBreachUpdate = defineUpdate<CommandResult, Command<ConfirmBreachInput>>('confirmBreach');
export const diagnoseUpdate = defineUpdate<CommandResult, Command<DiagnoseInput>>('diagnose');

/** What an alert delivery answers: whether it declared the incident, what it wrote, where the alerts stand. */
export interface AlertsReceivedResult {
  incidentId: string;
  status: IncidentStatus;
  severity: Severity;
  /** This delivery is the one that started the incident (its id was the declaration's request id). */
  declared: boolean;
  added: TimelineEntry[];
  firing: number;
  resolved: number;
}

/**
 * An alert group's delivery (Alertmanager, Grafana), sent with the start of the group's incident. Refused with
 * IllegalTransition only when the incident is closed: the sender then opens the group's next incident.
 */
export const alertsReceivedUpdate = defineUpdate<AlertsReceivedResult, [AlertsReceivedInput]>('alertsReceived');

/** An alert for an open incident fired again (before alertsReceived; kept for running incidents). */
export const alertFiredSignal = defineSignal<[AlertFiredInput]>('alertFired');

export const stateQuery = defineQuery<IncidentView>('state');
export const timelineQuery = defineQuery<TimelineEntry[]>('timeline');
