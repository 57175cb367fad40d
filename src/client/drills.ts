import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  type Client,
  type ScheduleDescription,
  type ScheduleSpec,
} from '@temporalio/client';
import { formatDuration } from '../domain/duration';
import { drillTitle, type Drill, type DrillsPolicy } from '../domain/policy/drills';
import { drillWorkflow } from '../workflows';
import { drillProgressQuery, drillScheduleId, type DrillReport } from '../workflows/drill/definitions';
import { connectClient } from './connection';
import { IncidentClientError, IncidentClientErrorType, toIncidentClientError } from './errors';

const PREFIX = drillScheduleId('');

/** One row of runbook 002's simulation table: the drill, its last run and its next. */
export interface DrillRow {
  name: string;
  kind: string;
  title: string;
  cadence: string;
  /** False for a Schedule the policy no longer names (another worker has not synced yet). */
  inPolicy: boolean;
  paused: boolean;
  note: string;
  lastRun: {
    at: string;
    workflowId: string;
    /** RUNNING, COMPLETED, FAILED… as Temporal reports the drill's workflow. */
    status: string;
    incidentId: string | null;
    passed: boolean | null;
  } | null;
  nextRun: string | null;
}

export interface SyncResult {
  created: string[];
  updated: string[];
  deleted: string[];
}

function cadence(drill: Drill): string {
  if (drill.cron !== undefined) return `cron ${drill.cron}${drill.timeZone ? ` (${drill.timeZone})` : ''}`;
  return `every ${formatDuration(drill.every ?? 0)}`;
}

function spec(drill: Drill): ScheduleSpec {
  if (drill.cron !== undefined) {
    return { cronExpressions: [drill.cron], ...(drill.timeZone ? { timezone: drill.timeZone } : {}) };
  }
  return { intervals: [{ every: drill.every ?? 0 }] };
}

/**
 * The policy's drills as Temporal Schedules `drill-<name>`, each starting the drill workflow on the incident task
 * queue. Called by every worker at start: creating or updating is idempotent (the spec and action are overwritten,
 * a pause set with `incident drill pause` is kept), and two workers racing to create one both end with one Schedule.
 * A drill removed from the policy has its Schedule deleted, not paused: the policy is the list of drills, a paused
 * leftover would stay in `drill list` and could be run by hand with a plan the worker no longer has; the drill's past
 * runs stay visible as workflows.
 */
export async function syncDrillSchedules(client: Client, drills: DrillsPolicy, taskQueue: string): Promise<SyncResult> {
  const result: SyncResult = { created: [], updated: [], deleted: [] };
  for (const [name, drill] of Object.entries(drills)) {
    const scheduleId = drillScheduleId(name);
    const action = {
      type: 'startWorkflow' as const,
      workflowType: drillWorkflow,
      args: [{ drill: name }] as [{ drill: string }],
      taskQueue,
      workflowId: scheduleId,
    };
    try {
      await client.schedule.create({
        scheduleId,
        spec: spec(drill),
        action,
        // A drill still running when the next is due is not doubled; a worker down at the time does not replay it.
        policies: { overlap: 'SKIP', catchupWindow: '10 minutes' },
      });
      result.created.push(name);
    } catch (error) {
      if (!(error instanceof ScheduleAlreadyRunning)) throw error;
      await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec: spec(drill), action }));
      result.updated.push(name);
    }
  }
  for await (const schedule of client.schedule.list()) {
    const name = schedule.scheduleId.slice(PREFIX.length);
    if (!schedule.scheduleId.startsWith(PREFIX) || name in drills) continue;
    try {
      await client.schedule.getHandle(schedule.scheduleId).delete();
      result.deleted.push(name);
    } catch (error) {
      // Another worker deleted it first.
      if (!(error instanceof ScheduleNotFoundError)) throw error;
    }
  }
  return result;
}

/** `incident drill list|run|pause|resume`: the drills' Schedules and their runs. */
export class DrillService {
  constructor(
    private readonly client: Client,
    private readonly drills: DrillsPolicy,
  ) {}

  async list(): Promise<DrillRow[]> {
    try {
      const names = new Set(Object.keys(this.drills));
      for await (const schedule of this.client.schedule.list()) {
        if (schedule.scheduleId.startsWith(PREFIX)) names.add(schedule.scheduleId.slice(PREFIX.length));
      }
      return await Promise.all([...names].sort().map((name) => this.row(name)));
    } catch (error) {
      throw toIncidentClientError(error);
    }
  }

  /** Runs the drill now, through its Schedule (so the run is in its recent actions, as a scheduled one is). */
  async run(name: string): Promise<void> {
    await this.withSchedule(name, (handle) => handle.trigger());
  }

  async pause(name: string, note: string): Promise<void> {
    await this.withSchedule(name, (handle) => handle.pause(note));
  }

  async resume(name: string, note: string): Promise<void> {
    await this.withSchedule(name, (handle) => handle.unpause(note));
  }

  private async withSchedule(
    name: string,
    act: (handle: ReturnType<Client['schedule']['getHandle']>) => Promise<void>,
  ): Promise<void> {
    try {
      await act(this.client.schedule.getHandle(drillScheduleId(name)));
    } catch (error) {
      if (error instanceof ScheduleNotFoundError) {
        throw new IncidentClientError(
          IncidentClientErrorType.NotFound,
          `no drill named ${name} is scheduled (the worker creates the policy's drills when it starts)`,
        );
      }
      throw toIncidentClientError(error);
    }
  }

  private async row(name: string): Promise<DrillRow> {
    const drill = this.drills[name];
    let description: ScheduleDescription | null = null;
    try {
      description = await this.client.schedule.getHandle(drillScheduleId(name)).describe();
    } catch (error) {
      if (!(error instanceof ScheduleNotFoundError)) throw error;
    }
    const last = description?.info.recentActions.at(-1);
    const next = description?.info.nextActionTimes[0];
    return {
      name,
      kind: drill?.kind ?? '-',
      title: drill ? drillTitle(drill) : '(not in the policy)',
      cadence: drill ? cadence(drill) : '-',
      inPolicy: drill !== undefined,
      paused: description?.state.paused ?? false,
      note: description === null ? 'not scheduled yet: start the worker' : (description.state.note ?? ''),
      lastRun: last ? await this.lastRun(last.takenAt, last.action.workflow) : null,
      nextRun: next && !description?.state.paused ? next.toISOString() : null,
    };
  }

  private async lastRun(
    at: Date,
    run: { workflowId: string; firstExecutionRunId: string },
  ): Promise<NonNullable<DrillRow['lastRun']>> {
    const handle = this.client.workflow.getHandle<typeof drillWorkflow>(run.workflowId, run.firstExecutionRunId);
    const { status } = await handle.describe();
    let report: DrillReport | null = null;
    let incidentId: string | null = null;
    if (status.name === 'COMPLETED') report = await handle.result();
    else if (status.name === 'RUNNING') incidentId = (await handle.query(drillProgressQuery)).incidentId;
    return {
      at: at.toISOString(),
      workflowId: run.workflowId,
      status: status.name,
      incidentId: report?.incidentId ?? incidentId,
      passed: report?.passed ?? null,
    };
  }
}

/**
 * The worker's start-up hook: syncs the policy's drills and says what changed. A failure is reported and the worker
 * goes on: incidents matter more than drills, and the next start (or another worker) syncs again.
 */
export async function syncDrillsAtStart(
  drills: DrillsPolicy,
  taskQueue: string,
  log: (line: string) => void,
): Promise<void> {
  let client: Client | undefined;
  try {
    client = await connectClient();
    const { created, updated, deleted } = await syncDrillSchedules(client, drills, taskQueue);
    const said = [
      ...(created.length > 0 ? [`created ${created.join(', ')}`] : []),
      ...(updated.length > 0 ? [`updated ${updated.join(', ')}`] : []),
      ...(deleted.length > 0 ? [`deleted ${deleted.join(', ')}`] : []),
    ];
    log(`worker: drill schedules ${said.length > 0 ? said.join('; ') : 'none in the policy'}`);
  } catch (error) {
    log(`worker: drill schedules not synced: ${(error as Error).message}`);
  } finally {
    await client?.connection.close();
  }
}
