import { allHandlersFinished, condition, continueAsNew, workflowInfo } from '@temporalio/workflow';
import { planDeadlines } from '../domain/deadlines';
import { declareSchema } from '../domain/inputs';
import { announceDeclaration, declareIncident } from './declaration';
import type { IncidentView, IncidentWorkflowInput } from './definitions';
import { fireDeadline } from './escalations';
import { IncidentSlot } from './commands';
import { registerHandlers } from './handlers';
import { Incident, parseOrReject } from './incident-entity';

const DEFAULT_HISTORY_EVENT_LIMIT = 10_000;

/**
 * One incident, from declaration to close. People drive it through updates (acknowledge, assign, post status,
 * mitigate, resolve, close); the workflow holds the clock: it escalates when nobody acknowledges, reminds and
 * escalates when status updates lapse, and escalates when the incident stays unresolved.
 */
export async function incidentWorkflow(input: IncidentWorkflowInput): Promise<IncidentView> {
  const slot = new IncidentSlot();
  registerHandlers(slot);
  const incident = input.carried ? new Incident(input.carried) : await declareIncident(parseDeclaration(input));
  slot.set(incident);
  if (!input.carried) announceDeclaration(incident);

  while (!incident.isClosed && !shouldContinueAsNew(input)) {
    await untilNextDeadlineOrChange(incident);
  }

  // Let in-flight updates and notifications finish, so nothing is lost at close or at a run boundary.
  await condition(allHandlersFinished);
  await incident.notify.settled();
  if (!incident.isClosed) {
    await continueAsNew<typeof incidentWorkflow>({ ...input, carried: incident.state });
  }
  return incident.view();
}

/** Sleeps until the earliest deadline or until something changes the plan, then fires whatever is due. */
async function untilNextDeadlineOrChange(incident: Incident): Promise<void> {
  const seen = incident.recorder.revision;
  const next = planDeadlines(incident.state)[0];
  const changed = () => incident.recorder.revision !== seen || incident.isClosed;
  if (next === undefined) {
    await condition(changed);
    return;
  }
  const wait = next.at - Date.now();
  if (wait > 0 && (await condition(changed, wait))) return;
  // One deadline per pass: firing it changes the facts the others are planned from.
  const due = planDeadlines(incident.state)[0];
  if (due !== undefined && due.at <= Date.now()) fireDeadline(incident, due);
}

function shouldContinueAsNew(input: IncidentWorkflowInput): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength > (input.historyEventLimit ?? DEFAULT_HISTORY_EVENT_LIMIT);
}

function parseDeclaration(input: IncidentWorkflowInput) {
  return parseOrReject(declareSchema, input.declaration);
}
