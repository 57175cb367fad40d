import {
  ApplicationFailure,
  ParentClosePolicy,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { IncidentActivities } from '../../activities';
import { IncidentErrorType } from '../../domain/errors';
import { incidentIdFor } from '../../domain/incident-id';
import { declareSchema, type DeclareInput } from '../../domain/inputs';
import { drillNameSchema } from '../../domain/policy/drills';
import {
  incidentDrillKey,
  incidentServiceKey,
  incidentSeverityKey,
  incidentStatusKey,
} from '../../domain/search-attributes';
import { incidentWorkflowId } from '../definitions';
import { incidentStaticDetails, incidentStaticSummary } from '../incident/details';
import { incidentWorkflow } from '../incident/workflow';
import {
  drillProgressQuery,
  type DrillPlan,
  type DrillProgress,
  type DrillReport,
  type DrillWorkflowInput,
  type FloodResult,
} from './definitions';

/** The drill's plan is the worker's policy: read locally, in the first workflow task, and kept in history. */
const lookups = proxyLocalActivities<IncidentActivities>({
  startToCloseTimeout: '5s',
  retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '5s', maximumAttempts: 10 },
});

/** The burst, the report and the incident's end talk to Temporal: bounded retries, the burst heartbeats. */
const steps = proxyActivities<IncidentActivities>({
  startToCloseTimeout: '5m',
  heartbeatTimeout: '1m',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 5 },
});

/** Pages, as the incident sends them: short calls, retried a few times, never spamming. */
const paging = proxyActivities<IncidentActivities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 8 },
});

/**
 * One run of a scheduled drill (runbook 002): start the drill incident (a SEV-1 declared as a drill, or the incident a
 * burst of synthetic alerts opens), page the drill's participants and nobody else, let the team respond for the
 * drill's length (or until they close it), then write the report on the incident and end it.
 */
export async function drillWorkflow(input: DrillWorkflowInput): Promise<DrillReport> {
  const progress: DrillProgress = { plan: null, incidentId: null, report: null };
  setHandler(drillProgressQuery, () => progress);
  const name = drillNameSchema.safeParse(input.drill);
  if (!name.success) {
    throw ApplicationFailure.nonRetryable(`drill: ${name.error.issues[0]?.message}`, IncidentErrorType.InvalidInput);
  }
  const plan = await lookups.planDrill(name.data);
  progress.plan = plan;
  const key = workflowInfo().workflowId;

  let flood: FloodResult | undefined;
  let closedByTeam: Promise<unknown>;
  let incidentId: string;
  if (plan.kind === 'sev1-fire-drill') {
    incidentId = incidentIdFor(new Date(Date.now()), (bound) => Math.floor(Math.random() * bound));
    ({ ended: closedByTeam } = await declareFireDrill(plan, incidentId));
  } else {
    flood = await steps.floodAlerts({
      runKey: key,
      alerts: plan.alerts ?? 2,
      service: plan.service,
      title: plan.title,
    });
    if (flood.incidentId === null) {
      throw ApplicationFailure.nonRetryable(
        `the alert flood opened no incident (${flood.failed} of ${flood.deliveries} deliveries failed)`,
        'DrillFailed',
      );
    }
    incidentId = flood.incidentId;
    // An alert-declared incident is no child of the drill: the drill only waits for its length.
    closedByTeam = new Promise(() => undefined);
  }
  progress.incidentId = incidentId;

  await pageParticipants(plan, incidentId, 'trigger');
  // A drill incident that fails or is terminated still gets its report: whatever ended it, the drill's time is up.
  await Promise.race([closedByTeam.catch(() => undefined), sleep(plan.runFor)]);
  const report = await steps.reportDrill({ plan, incidentId, key, ...(flood ? { flood } : {}) });
  // A policy that lets nobody but the team end an incident leaves it open: the report says so, the drill completes.
  const ended = await steps.endDrillIncident({ incidentId, key }).then(
    (status) => `incident ${status}`,
    (error: unknown) => `incident left open: ${(error as Error).message}`,
  );
  progress.report = { ...report, ended };
  await pageParticipants(plan, incidentId, 'resolve');
  return progress.report;
}

/**
 * The fire drill's incident is a child of the drill: started from workflow code (deterministic, with the id and the
 * search attributes a declared incident has), linked to its drill in the Web UI, and abandoned rather than cancelled
 * when the drill ends, so it closes on its own timeline. Resolves when the incident's workflow completes.
 */
async function declareFireDrill(plan: DrillPlan, incidentId: string): Promise<{ ended: Promise<unknown> }> {
  const declaration: DeclareInput = {
    id: incidentId,
    title: plan.title,
    severity: 'SEV-1',
    service: plan.service,
    summary: `Scheduled drill "${plan.name}": an exercise, not a real incident. Participants: ${plan.participants.join(', ')}.`,
    source: 'drill',
    declaredBy: 'drill',
    drill: true,
  };
  const parsed = declareSchema.parse(declaration);
  const child = await startChild(incidentWorkflow, {
    workflowId: incidentWorkflowId(incidentId),
    args: [{ declaration, requestId: `drill-${incidentId}`, declaredAt: Date.now() }],
    parentClosePolicy: ParentClosePolicy.ABANDON,
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    memo: { title: parsed.title, declaredAt: new Date(Date.now()).toISOString(), drill: plan.name },
    staticSummary: incidentStaticSummary(parsed),
    staticDetails: incidentStaticDetails(parsed),
    typedSearchAttributes: [
      { key: incidentSeverityKey, value: parsed.severity },
      { key: incidentStatusKey, value: 'declared' },
      { key: incidentServiceKey, value: parsed.service },
      { key: incidentDrillKey, value: 'true' },
    ],
  });
  return { ended: child.result() };
}

/**
 * The drill's page goes to its participants only: the incident itself never pages for a drill (it records the page it
 * would have sent), so who is woken is decided here, from the policy's list. One page per participant.
 */
async function pageParticipants(plan: DrillPlan, incidentId: string, action: 'trigger' | 'resolve'): Promise<void> {
  const key = workflowInfo().workflowId;
  await Promise.all(
    plan.participants.map((target, index) =>
      paging
        .page({
          incidentId,
          key: `${key}/page-${action}-${target}`,
          drill: true,
          action,
          target,
          reason: 'manual',
          level: index + 1,
          summary: `[SEV-1] ${plan.title}`,
          severity: 'SEV-1',
        })
        // A participant the pager cannot reach is in the report's timeline as unacknowledged; the drill goes on.
        .catch(() => undefined),
    ),
  );
}
