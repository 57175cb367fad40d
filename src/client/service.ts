import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { QueryNotRegisteredError, WorkflowNotFoundError, WorkflowUpdateStage } from '@temporalio/client';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { z } from 'zod';
import type { TimelineEntry } from '../domain/incident';
import {
  acknowledgeSchema,
  assignRoleSchema,
  closeSchema,
  declareSchema,
  finishMitigationSchema,
  describeIssues,
  incidentIdSchema,
  noteSchema,
  reopenSchema,
  resolveSchema,
  severityChangeSchema,
  startMitigationSchema,
  statusUpdateSchema,
  type AcknowledgeInput,
  type AssignRoleInput,
  type CloseInput,
  type DeclareInput,
  type FinishMitigationInput,
  type NoteInput,
  type ReopenInput,
  type ResolveInput,
  type SeverityChangeInput,
  type StartMitigationInput,
  type StatusUpdateInput,
} from '../domain/inputs';
import { incidentServiceKey, incidentSeverityKey, incidentStatusKey } from '../domain/search-attributes';
import type { IncidentStatus, Severity } from '../domain/severity';
import { incidentWorkflow } from '../workflows';
import {
  acknowledgeUpdate,
  addNoteUpdate,
  assignRoleUpdate,
  changeSeverityUpdate,
  closeUpdate,
  finishMitigationUpdate,
  incidentWorkflowId,
  postStatusUpdate,
  reopenUpdate,
  resolveUpdate,
  startMitigationUpdate,
  stateQuery,
  timelineQuery,
  type IncidentView,
} from '../workflows/definitions';
import { IncidentClientError, IncidentClientErrorType, toIncidentClientError } from './errors';

export interface IncidentServiceOptions {
  taskQueue: string;
  /** How long to wait for the incident worker to take a command or answer a query. */
  answerTimeoutMs?: number;
}

export interface ListFilter {
  statuses?: readonly IncidentStatus[];
  severities?: readonly Severity[];
  limit?: number;
}

/** One row of `incident list`, read from Visibility (search attributes and memo) without querying each incident. */
export interface IncidentSummary {
  id: string;
  workflowId: string;
  title: string;
  severity: string;
  status: string;
  service: string;
  declaredAt: string | null;
  /** Temporal's view of the workflow: RUNNING, COMPLETED, or TERMINATED/FAILED when something went wrong. */
  execution: string;
}

const WORKFLOW_ID_PREFIX = incidentWorkflowId('');

/** A short id that sorts by day and reads aloud on a bridge call: `20250314-k3f9`. */
export function newIncidentId(now = new Date()): string {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '');
  const suffix = Array.from({ length: 4 }, () => randomInt(36).toString(36)).join('');
  return `${day}-${suffix}`;
}

/** The Visibility query for `incident list`; values come from validated enums, so quoting is safe. */
export function listQuery(filter: ListFilter = {}): string {
  const clauses = [`WorkflowType = "${incidentWorkflow.name}"`, 'ExecutionStatus != "ContinuedAsNew"'];
  const anyOf = (field: string, values: readonly string[] | undefined) => {
    if (values && values.length > 0) clauses.push(`${field} IN (${values.map((v) => `"${v}"`).join(', ')})`);
  };
  anyOf(incidentStatusKey.name, filter.statuses);
  anyOf(incidentSeverityKey.name, filter.severities);
  return clauses.join(' AND ');
}

/**
 * The incident commands over a Temporal client, shared by the CLI and the HTTP API. Every input is validated
 * here too, and every failure comes out as an IncidentClientError whose type says what kind of failure it is.
 */
export class IncidentService {
  private readonly answerTimeoutMs: number;

  constructor(
    private readonly client: Client,
    private readonly options: IncidentServiceOptions,
  ) {
    this.answerTimeoutMs = options.answerTimeoutMs ?? 20_000;
  }

  /**
   * Starts the incident's workflow and returns once it answers, so the next command (say, an ack) finds its
   * handlers in place and a missing worker is reported now rather than discovered later.
   */
  async declare(input: DeclareInput, options: { historyEventLimit?: number } = {}): Promise<IncidentView> {
    const declaration = validate(declareSchema, input);
    let handle: WorkflowHandle<typeof incidentWorkflow>;
    try {
      handle = await this.client.workflow.start(incidentWorkflow, {
        taskQueue: this.options.taskQueue,
        workflowId: incidentWorkflowId(declaration.id),
        args: [{ declaration: input, ...options }],
        // An incident id names one incident for as long as Temporal remembers it, open or closed.
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        memo: { title: declaration.title, declaredAt: new Date().toISOString() },
        typedSearchAttributes: [
          { key: incidentSeverityKey, value: declaration.severity },
          { key: incidentStatusKey, value: 'declared' satisfies IncidentStatus },
          { key: incidentServiceKey, value: declaration.service },
        ],
      });
    } catch (error) {
      throw toIncidentClientError(error, declaration.id);
    }
    try {
      return await this.untilAnswering(handle);
    } catch (error) {
      const cause = toIncidentClientError(error, declaration.id);
      if (cause.type !== IncidentClientErrorType.Unavailable) throw cause;
      throw new IncidentClientError(
        IncidentClientErrorType.Unavailable,
        `incident ${declaration.id} is declared, but no worker has picked it up: is the incident worker running on task queue "${this.options.taskQueue}"? It proceeds as soon as one is.`,
        { cause: error },
      );
    }
  }

  acknowledge(id: string, input: AcknowledgeInput): Promise<IncidentView> {
    return this.update(id, acknowledgeUpdate, acknowledgeSchema, input);
  }

  assignRole(id: string, input: AssignRoleInput): Promise<IncidentView> {
    return this.update(id, assignRoleUpdate, assignRoleSchema, input);
  }

  postStatusUpdate(id: string, input: StatusUpdateInput): Promise<IncidentView> {
    return this.update(id, postStatusUpdate, statusUpdateSchema, input);
  }

  changeSeverity(id: string, input: SeverityChangeInput): Promise<IncidentView> {
    return this.update(id, changeSeverityUpdate, severityChangeSchema, input);
  }

  startMitigation(id: string, input: StartMitigationInput): Promise<IncidentView> {
    return this.update(id, startMitigationUpdate, startMitigationSchema, input);
  }

  finishMitigation(id: string, input: FinishMitigationInput): Promise<IncidentView> {
    return this.update(id, finishMitigationUpdate, finishMitigationSchema, input);
  }

  resolve(id: string, input: ResolveInput): Promise<IncidentView> {
    return this.update(id, resolveUpdate, resolveSchema, input);
  }

  reopen(id: string, input: ReopenInput): Promise<IncidentView> {
    return this.update(id, reopenUpdate, reopenSchema, input);
  }

  close(id: string, input: CloseInput): Promise<IncidentView> {
    return this.update(id, closeUpdate, closeSchema, input);
  }

  addNote(id: string, input: NoteInput): Promise<IncidentView> {
    return this.update(id, addNoteUpdate, noteSchema, input);
  }

  async show(id: string): Promise<IncidentView> {
    const handle = this.handle(checkIncidentId(id));
    try {
      return await this.client.withDeadline(Date.now() + this.answerTimeoutMs, () => handle.query(stateQuery));
    } catch (error) {
      throw toIncidentClientError(error, id);
    }
  }

  async timeline(id: string): Promise<TimelineEntry[]> {
    const handle = this.handle(checkIncidentId(id));
    try {
      return await this.client.withDeadline(Date.now() + this.answerTimeoutMs, () => handle.query(timelineQuery));
    } catch (error) {
      throw toIncidentClientError(error, id);
    }
  }

  /** Newest first, as Visibility orders them; deduplicated across continue-as-new by the query itself. */
  async list(filter: ListFilter = {}): Promise<IncidentSummary[]> {
    const limit = filter.limit ?? 100;
    const rows: IncidentSummary[] = [];
    try {
      for await (const execution of this.client.workflow.list({ query: listQuery(filter), pageSize: limit })) {
        const memo = execution.memo ?? {};
        rows.push({
          id: execution.workflowId.slice(WORKFLOW_ID_PREFIX.length),
          workflowId: execution.workflowId,
          title: typeof memo.title === 'string' ? memo.title : '',
          severity: execution.typedSearchAttributes.get(incidentSeverityKey) ?? '',
          status: execution.typedSearchAttributes.get(incidentStatusKey) ?? '',
          service: execution.typedSearchAttributes.get(incidentServiceKey) ?? '',
          declaredAt: typeof memo.declaredAt === 'string' ? memo.declaredAt : execution.startTime.toISOString(),
          execution: execution.status.name,
        });
        if (rows.length >= limit) break;
      }
    } catch (error) {
      throw toIncidentClientError(error);
    }
    return rows;
  }

  private handle(incidentId: string): WorkflowHandle<typeof incidentWorkflow> {
    return this.client.workflow.getHandle<typeof incidentWorkflow>(incidentWorkflowId(incidentId));
  }

  private async update<I>(
    id: string,
    definition: UpdateDefinition<IncidentView, [I]>,
    schema: z.ZodType<unknown, I>,
    input: I,
  ): Promise<IncidentView> {
    const incidentId = checkIncidentId(id);
    validate(schema, input);
    const handle = this.handle(incidentId);
    try {
      // Bounded wait for the worker to accept or reject; the command itself (smoke tests, rollback) may run longer.
      const accepted = await this.client.withDeadline(Date.now() + this.answerTimeoutMs, () =>
        handle.startUpdate(definition, { args: [input], waitForStage: WorkflowUpdateStage.ACCEPTED }),
      );
      return await accepted.result();
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw await this.whyNotFound(handle, incidentId);
      throw toIncidentClientError(error, incidentId);
    }
  }

  /** Temporal answers "not found" both for an unknown id and for a workflow that has ended (a closed incident). */
  private async whyNotFound(handle: WorkflowHandle, incidentId: string): Promise<IncidentClientError> {
    try {
      const { status } = await this.client.withDeadline(Date.now() + this.answerTimeoutMs, () => handle.describe());
      const ended = status.name === 'COMPLETED' ? 'is closed' : `has ended (${status.name.toLowerCase()})`;
      return new IncidentClientError(IncidentClientErrorType.Rejected, `incident ${incidentId} ${ended}`, {
        reason: 'Closed',
      });
    } catch (error) {
      return toIncidentClientError(error, incidentId);
    }
  }

  private async untilAnswering(handle: WorkflowHandle<typeof incidentWorkflow>): Promise<IncidentView> {
    const deadline = Date.now() + this.answerTimeoutMs;
    for (;;) {
      try {
        return await this.client.withDeadline(deadline, () => handle.query(stateQuery));
      } catch (error) {
        // Until its first activity returns, the new workflow has not registered its handlers yet.
        if (!(error instanceof QueryNotRegisteredError) || Date.now() >= deadline) throw error;
        await sleep(100);
      }
    }
  }
}

function validate<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success)
    throw new IncidentClientError(IncidentClientErrorType.InvalidInput, describeIssues(parsed.error));
  return parsed.data;
}

function checkIncidentId(id: string): string {
  return validate(z.object({ id: incidentIdSchema }), { id }).id;
}
