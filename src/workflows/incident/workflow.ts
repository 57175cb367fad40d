import { allHandlersFinished, condition, continueAsNew, workflowInfo } from '@temporalio/workflow';
import { hasPatch } from './release';
import { planDeadlines } from '../../domain/deadlines';
import type { IncidentOutcome, IncidentWorkflowInput } from '../definitions';
import { registerChecklistHandlers } from './steps/checklists';
import { DeclaredIncident } from './commands';
import { announceDeclaration, declareIncident, registerDeclaration } from './steps/declare';
import { registerDiagnoseHandler } from './steps/diagnose';
import { timerSummary } from './details';
import { fireDeadline } from './steps/escalate';
import { Incident } from './incident';
import { registerMitigationHandlers, registerOnDemandPage } from './steps/mitigate';
import { ARCHIVE_ON_CLOSE_PATCH, archiveClosedIncident, registerResolutionHandlers } from './steps/resolve';
import { registerAlertHandlers, registerResponseHandlers } from './steps/respond';

/**
 * Incidents started before this patch re-plan their timer on every timeline entry and look up their policy with
 * a regular activity; they finish that way. Every incident started since plans a timer only when the earliest
 * deadline moves, declares in its first workflow task and records commands at the time they were issued.
 */
export const PLANNED_DEADLINES_PATCH = 'planned-deadlines-v2';

/** Temporal suggests continuing as new well before this; past it, replays of a long incident stop being cheap. */
const DEFAULT_HISTORY_EVENT_LIMIT = 4_096;

/**
 * One incident, from declaration to close, as runbook 000 tells it: declare (channel, page, stakeholders, status
 * page), then hold the clock (escalate when nobody acknowledges, remind and escalate when status updates lapse,
 * escalate when it stays unresolved) while people respond, mitigate, verify and resolve through updates, then close.
 */
export async function incidentWorkflow(input: IncidentWorkflowInput): Promise<IncidentOutcome> {
  const planned = hasPatch(PLANNED_DEADLINES_PATCH);
  const declared = new DeclaredIncident();
  registerDeclaration(declared, input);
  registerResponseHandlers(declared);
  registerAlertHandlers(declared, input.requestId);
  registerMitigationHandlers(declared);
  registerOnDemandPage(declared);
  registerResolutionHandlers(declared);
  registerChecklistHandlers(declared);
  registerDiagnoseHandler(declared);

  const incident = input.carried
    ? new Incident(input.carried, planned)
    : await declareIncident(input.declaration, input.declaredAt, planned);
  declared.set(incident);
  if (!input.carried) announceDeclaration(incident);

  const continueAsNew = () => shouldContinueAsNew(input);
  while (!incident.isClosed && !continueAsNew()) {
    if (planned) await untilEarliestDeadlineMoves(incident, continueAsNew, declared);
    else await untilNextDeadlineOrAnyChange(incident);
  }

  // Let in-flight updates and notifications finish, so nothing is lost at close or at a run boundary. A command
  // that arrives while the notifications settle sends its own, so wait again until both are quiet at once.
  do {
    await condition(allHandlersFinished);
    await incident.notify.settled();
  } while (!allHandlersFinished() || incident.notify.busy());
  if (incident.isClosed && hasPatch(ARCHIVE_ON_CLOSE_PATCH)) await archiveClosedIncident(incident);
  if (!incident.isClosed) await continueAsNewWith(input, incident);
  return incident.outcome();
}

/**
 * Sleeps until the earliest deadline, firing it when it comes; a command that moves the earliest deadline (an ack,
 * a status update, a severity change) wakes the loop to plan again. Anything else (a note, a delivery) leaves the
 * timer alone, so a whole incident starts about one timer per change of plan.
 */
async function untilEarliestDeadlineMoves(
  incident: Incident,
  continueAsNew: () => boolean,
  declared: DeclaredIncident,
): Promise<void> {
  const next = planDeadlines(incident.state)[0];
  incident.notify.details();
  const moved = () => incident.isClosed || continueAsNew() || planDeadlines(incident.state)[0]?.at !== next?.at;
  if (next === undefined) return void (await condition(moved));
  const wait = next.at - Date.now();
  if (wait > 0 && (await condition(moved, wait, { summary: timerSummary(incident.state, next) }))) return;
  // Commands delivered in the same workflow task as the fired timer apply first (an ack sent before the deadline
  // still cancels its escalation); one of them may have moved the plan.
  if (declared.commandsAfterResults) {
    await declared.resultsApplied();
    if (moved()) return;
  }
  // The plan did not move, so the deadline slept for is still the first, and the fired timer in history is the
  // proof that it is due. Comparing with the clock again would not be: a worker has been seen to wake from this
  // timer with the previous task's time, judge the deadline early and plan again, where its replay fired it.
  // One deadline per pass: firing it changes the facts the others are planned from.
  const due = planDeadlines(incident.state)[0];
  if (due !== undefined && due.at <= next.at) fireDeadline(incident, due);
}

/** The loop of incidents started before PLANNED_DEADLINES_PATCH: any timeline entry re-plans the timer. */
async function untilNextDeadlineOrAnyChange(incident: Incident): Promise<void> {
  const seen = incident.recorder.revision;
  const next = planDeadlines(incident.state)[0];
  const changed = () => incident.recorder.revision !== seen || incident.isClosed;
  incident.notify.details();
  if (next === undefined) return void (await condition(changed));
  const wait = next.at - Date.now();
  if (wait > 0 && (await condition(changed, wait, { summary: timerSummary(incident.state, next) }))) return;
  const due = planDeadlines(incident.state)[0];
  if (due !== undefined && due.at <= next.at) fireDeadline(incident, due);
}

function shouldContinueAsNew(input: IncidentWorkflowInput): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength > (input.historyEventLimit ?? DEFAULT_HISTORY_EVENT_LIMIT);
}

/** Carries the incident into a new run; deliveries already recorded in this run's history are not carried again. */
async function continueAsNewWith(input: IncidentWorkflowInput, incident: Incident): Promise<never> {
  const carried = incident.planned ? incident.carriedState() : incident.state;
  return continueAsNew<typeof incidentWorkflow>({ ...input, carried });
}
