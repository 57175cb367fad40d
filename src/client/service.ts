import { randomInt, randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation, WorkflowNotFoundError, WorkflowUpdateStage } from '@temporalio/client';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { z } from 'zod';
import type { CommandMeta } from '../domain/command-meta';
import { incidentIdFor } from '../domain/incident-id';
import type { TimelineEntry } from '../domain/incident';
import {
  acknowledgeSchema,
  assignRoleSchema,
  checkItemSchema,
  closeSchema,
  confirmBreachSchema,
  confirmIntegritySchema,
  declaredSeverity,
  declareSchema,
  diagnoseSchema,
  finishMitigationSchema,
  rollbackSchema,
  pageSchema,
  describeIssues,
  incidentIdSchema,
  noteSchema,
  reopenSchema,
  resolveSchema,
  severityChangeSchema,
  startMitigationSchema,
  statusUpdateSchema,
  type DeclareInput,
} from '../domain/inputs';
import {
  incidentDrillKey,
  incidentServiceKey,
  incidentSeverityKey,
  incidentStatusKey,
} from '../domain/search-attributes';
import type { IncidentStatus, Severity } from '../domain/severity';
import { serviceNameSchema } from '../domain/text';
import { incidentWorkflow } from '../workflows';
import { incidentStaticDetails, incidentStaticSummary } from '../workflows/incident/details';
import {
  acknowledgeUpdate,
  addNoteUpdate,
  assignRoleUpdate,
  changeSeverityUpdate,
  checkItemUpdate,
  closeUpdate,
  confirmBreachUpdate,
  confirmIntegrityUpdate,
  declareUpdate,
  diagnoseUpdate,
  finishMitigationUpdate,
  rollbackUpdate,
  pageUpdate,
  incidentWorkflowId,
  postStatusUpdate,
  reopenUpdate,
  resolveUpdate,
  startMitigationUpdate,
  stateQuery,
  timelineQuery,
  type CommandResult,
  type DeclarationResult,
  type IncidentView,
} from '../workflows/definitions';
import type { IncidentArchive } from '../activities/archive/record';
import { archivedView, withArchived } from './archive';
import { PostmortemService } from './postmortems';
import { IncidentClientError, IncidentClientErrorType, toIncidentClientError } from './errors';

export interface IncidentServiceOptions {
  taskQueue: string;
  /** How long to wait for the incident worker to take a command or answer a query. */
  answerTimeoutMs?: number;
  /** Where closed incidents are kept past Temporal's retention: show, timeline and list read it as well. */
  archive?: IncidentArchive;
}

export interface ListFilter {
  statuses?: readonly IncidentStatus[];
  severities?: readonly Severity[];
  services?: readonly string[];
  /** Only open incidents (not closed), or only closed ones. */
  state?: 'open' | 'closed';
  drill?: boolean;
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
  drill: boolean;
  declaredAt: string | null;
  /** Temporal's view of the workflow: RUNNING, COMPLETED, or TERMINATED/FAILED when something went wrong. */
  execution: string;
}

const WORKFLOW_ID_PREFIX = incidentWorkflowId('');

/** How long a declaration waits on a worker that is polling but slow to answer (saturated, not missing). */
const BUSY_WORKER_WAIT_MS = 120_000;

/** A fresh incident id for today: `20250314-k3f9`. */
export function newIncidentId(now = new Date()): string {
  return incidentIdFor(now, (bound) => randomInt(bound));
}

/** The Visibility query for `incident list`; values are validated enums and service names, so quoting is safe. */
export function listQuery(filter: ListFilter = {}): string {
  const clauses = [`WorkflowType = "${incidentWorkflow.name}"`, 'ExecutionStatus != "ContinuedAsNew"'];
  const anyOf = (field: string, values: readonly string[] | undefined) => {
    if (values && values.length > 0) clauses.push(`${field} IN (${values.map((v) => `"${v}"`).join(', ')})`);
  };
  anyOf(incidentStatusKey.name, filter.statuses);
  anyOf(incidentSeverityKey.name, filter.severities);
  anyOf(
    incidentServiceKey.name,
    filter.services?.map((service) => serviceNameSchema.parse(service)),
  );
  if (filter.state === 'open') clauses.push(`${incidentStatusKey.name} != "closed"`);
  if (filter.state === 'closed') clauses.push(`${incidentStatusKey.name} = "closed"`);
  if (filter.drill !== undefined) clauses.push(`${incidentDrillKey.name} = "${String(filter.drill)}"`);
  return clauses.join(' AND ');
}

/** Every command an incident takes: its update and the schema its input must pass, in one table. */
export const COMMANDS = {
  acknowledge: { update: acknowledgeUpdate, schema: acknowledgeSchema },
  assignRole: { update: assignRoleUpdate, schema: assignRoleSchema },
  postStatusUpdate: { update: postStatusUpdate, schema: statusUpdateSchema },
  changeSeverity: { update: changeSeverityUpdate, schema: severityChangeSchema },
  startMitigation: { update: startMitigationUpdate, schema: startMitigationSchema },
  finishMitigation: { update: finishMitigationUpdate, schema: finishMitigationSchema },
  rollback: { update: rollbackUpdate, schema: rollbackSchema },
  page: { update: pageUpdate, schema: pageSchema },
  resolve: { update: resolveUpdate, schema: resolveSchema },
  reopen: { update: reopenUpdate, schema: reopenSchema },
  close: { update: closeUpdate, schema: closeSchema },
  addNote: { update: addNoteUpdate, schema: noteSchema },
  confirmIntegrity: { update: confirmIntegrityUpdate, schema: confirmIntegritySchema },
  checkItem: { update: checkItemUpdate, schema: checkItemSchema },
  confirmBreach: { update: confirmBreachUpdate, schema: confirmBreachSchema },
  diagnose: { update: diagnoseUpdate, schema: diagnoseSchema },
} as const;
export type CommandName = keyof typeof COMMANDS;
export type CommandInput<C extends CommandName> = z.input<(typeof COMMANDS)[C]['schema']>;

export interface RequestOptions {
  /**
   * Names this request: sending it again with the same id applies it at most once (Temporal deduplicates updates
   * by id), so a command that timed out can be retried safely. Generated when absent.
   */
  requestId?: string;
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
   * Starts the incident's workflow and declares it in one round trip (update-with-start): the answer comes once
   * the workflow holds the incident, so the next command (say, an ack) finds it, and a missing worker is reported
   * now rather than discovered later. Retried with the same request id, it answers the same incident again.
   */
  async declare(
    input: DeclareInput,
    options: RequestOptions & { historyEventLimit?: number } = {},
  ): Promise<DeclarationResult> {
    const declaration = validate(declareSchema, input);
    const requestId = options.requestId ?? randomUUID();
    const sentAt = Date.now();
    // An operation is good for one call; a retry needs its own.
    const start = () => this.startOperation(input, requestId, sentAt, options.historyEventLimit);
    const declare = (waitMs: number) =>
      this.client.withDeadline(Date.now() + waitMs, () =>
        this.client.workflow.executeUpdateWithStart(declareUpdate, {
          args: [{ requestId }],
          updateId: requestId,
          startWorkflowOperation: start(),
        }),
      );
    try {
      return await declare(this.answerTimeoutMs);
    } catch (error) {
      const cause = toIncidentClientError(error, declaration.id);
      if (cause.type !== IncidentClientErrorType.Unavailable) throw cause;
      if (!(await this.workerPolling())) {
        throw new IncidentClientError(
          IncidentClientErrorType.Unavailable,
          `incident ${declaration.id} may be declared, but no worker is polling task queue "${this.options.taskQueue}": is the incident worker running? The incident proceeds as soon as one is.`,
          { cause: error, requestId },
        );
      }
    }
    // A worker polls but is slow (saturated, restarting): ask again with the same request id. Temporal attaches the
    // retry to the declaration still in flight, or, if a server restart lost it, the incident answers it anew.
    try {
      return await declare(BUSY_WORKER_WAIT_MS);
    } catch (error) {
      throw toIncidentClientError(error, declaration.id);
    }
  }

  /** Starts the incident `input` declares, for update-with-start; a running incident takes the update instead. */
  private startOperation(input: DeclareInput, requestId: string, sentAt: number, historyEventLimit?: number) {
    const parsed = declareSchema.parse(input);
    // Opened as the workflow opens it (data loss is SEV-1), so the Web UI and search agree from the start.
    const declaration = { ...parsed, severity: declaredSeverity(parsed) };
    return new WithStartWorkflowOperation(incidentWorkflow, {
      taskQueue: this.options.taskQueue,
      workflowId: incidentWorkflowId(declaration.id),
      args: [{ declaration: input, requestId, declaredAt: sentAt, historyEventLimit }],
      // A running incident answers a retry of its own declaration and refuses any other; a closed one keeps its id.
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      memo: { title: declaration.title, declaredAt: new Date().toISOString() },
      // The Web UI's headline and card for the incident; the workflow keeps its current details up to date.
      staticSummary: incidentStaticSummary(declaration),
      staticDetails: incidentStaticDetails(declaration),
      typedSearchAttributes: [
        { key: incidentSeverityKey, value: declaration.severity },
        { key: incidentStatusKey, value: 'declared' satisfies IncidentStatus },
        { key: incidentServiceKey, value: declaration.service },
        { key: incidentDrillKey, value: String(declaration.drill) },
      ],
    });
  }

  /**
   * Sends an update to incident `id` and answers its result: for senders that are not people, whose inputs are
   * their own schema (alert intake). With `startWith`, an incident not running under that id is declared first, in
   * the same round trip (update-with-start; a running one just takes the update). Failures come out as
   * IncidentClientErrors; an id whose incident has ended is Rejected with reason AlreadyExists (with a start) or
   * Closed (without).
   */
  async sendUpdate<R, I>(
    id: string,
    update: UpdateDefinition<R, [I]>,
    input: I,
    options: { updateId: string; startWith?: Omit<DeclareInput, 'id'> },
  ): Promise<R> {
    const incidentId = checkIncidentId(id);
    const { startWith, updateId } = options;
    try {
      return await this.client.withDeadline(Date.now() + this.answerTimeoutMs, () =>
        startWith === undefined
          ? this.handle(incidentId).executeUpdate(update, { args: [input], updateId })
          : this.client.workflow.executeUpdateWithStart(update, {
              args: [input],
              updateId,
              startWorkflowOperation: this.startOperation({ ...startWith, id: incidentId }, updateId, Date.now()),
            }),
      );
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw await this.whyNotFound(this.handle(incidentId), incidentId);
      throw toIncidentClientError(error, incidentId);
    }
  }

  /** Whether Temporal answers and a worker polls the incident task queue: what `/readyz` reports. */
  async readiness(): Promise<{ temporal: boolean; workerPolling: boolean; detail: string }> {
    try {
      await this.client.withDeadline(Date.now() + this.answerTimeoutMs, () =>
        this.client.workflowService.getSystemInfo({}),
      );
    } catch (error) {
      const { message } = error instanceof Error ? error : new Error(String(error));
      return { temporal: false, workerPolling: false, detail: `Temporal does not answer: ${message}` };
    }
    const polling = await this.workerPolling();
    return {
      temporal: true,
      workerPolling: polling,
      detail: polling ? 'ready' : `no worker is polling task queue "${this.options.taskQueue}"`,
    };
  }

  private async workerPolling(): Promise<boolean> {
    try {
      const { pollers } = await this.client.withDeadline(Date.now() + this.answerTimeoutMs, () =>
        this.client.workflowService.describeTaskQueue({
          namespace: this.client.options.namespace,
          taskQueue: { name: this.options.taskQueue },
          taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        }),
      );
      return (pollers ?? []).length > 0;
    } catch {
      // Asking was a courtesy to say why; when Temporal cannot answer that either, report the incident as unanswered.
      return false;
    }
  }

  /**
   * Sends one command to an incident and answers with what it changed. The command is stamped with the time it was
   * issued, so a late delivery (a worker restarting) is recorded when the person acted, not when the worker woke.
   */
  async command<C extends CommandName>(
    name: C,
    id: string,
    input: CommandInput<C>,
    options: RequestOptions = {},
  ): Promise<CommandResult> {
    const incidentId = checkIncidentId(id);
    const { update, schema } = COMMANDS[name] as unknown as {
      update: UpdateDefinition<CommandResult, [CommandInput<C>, CommandMeta?]>;
      schema: z.ZodType;
    };
    validate(schema, input);
    const requestId = options.requestId ?? randomUUID();
    const handle = this.handle(incidentId);
    try {
      // Bounded wait for the worker to accept or reject; the command itself (smoke tests, rollback) may run longer.
      const accepted = await this.client.withDeadline(Date.now() + this.answerTimeoutMs, () =>
        handle.startUpdate(update, {
          args: [input, { issuedAt: Date.now() }],
          updateId: requestId,
          waitForStage: WorkflowUpdateStage.ACCEPTED,
        }),
      );
      return await accepted.result();
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw await this.whyNotFound(handle, incidentId);
      const failure = toIncidentClientError(error, incidentId);
      if (failure.type !== IncidentClientErrorType.Unavailable) throw failure;
      throw new IncidentClientError(
        IncidentClientErrorType.Unavailable,
        `${failure.message}\nThe command may still apply when the worker answers.`,
        { cause: error, requestId },
      );
    }
  }

  async show(id: string): Promise<IncidentView> {
    const handle = this.handle(checkIncidentId(id));
    try {
      return await this.client.withDeadline(Date.now() + this.answerTimeoutMs, () => handle.query(stateQuery));
    } catch (error) {
      const archived = await this.archived(error, id);
      if (archived) return archived;
      throw toIncidentClientError(error, id);
    }
  }

  /** The Temporal client itself, for the drills' Schedules (src/client/drills.ts) over the same connection. */
  temporalClient(): Client {
    return this.client;
  }

  /** Where closed incidents are kept past Temporal's retention, when one is configured. */
  get archive(): IncidentArchive | undefined {
    return this.options.archive;
  }

  /** The incident's postmortem and action items, over the same connection. */
  postmortems(): PostmortemService {
    return new PostmortemService(this.client, this.answerTimeoutMs);
  }

  /** A closed incident Temporal no longer has, from the archive; null when it is not there either. */
  private async archived(error: unknown, id: string): Promise<IncidentView | null> {
    if (!(error instanceof WorkflowNotFoundError) || this.options.archive === undefined) return null;
    const record = await this.options.archive.get(id);
    return record && archivedView(record);
  }

  async timeline(id: string): Promise<TimelineEntry[]> {
    const handle = this.handle(checkIncidentId(id));
    try {
      return await this.client.withDeadline(Date.now() + this.answerTimeoutMs, () => handle.query(timelineQuery));
    } catch (error) {
      const archived = await this.archived(error, id);
      if (archived) return archived.timeline;
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
          drill: execution.typedSearchAttributes.get(incidentDrillKey) === 'true',
          declaredAt: typeof memo.declaredAt === 'string' ? memo.declaredAt : execution.startTime.toISOString(),
          execution: execution.status.name,
        });
        if (rows.length >= limit) break;
      }
    } catch (error) {
      throw toIncidentClientError(error);
    }
    return this.options.archive ? withArchived(rows, this.options.archive, filter, limit) : rows;
  }

  /** Whether an incident with this id was ever started, open or ended; one describe, no query. */
  async exists(id: string): Promise<boolean> {
    const handle = this.handle(checkIncidentId(id));
    try {
      await this.client.withDeadline(Date.now() + this.answerTimeoutMs, () => handle.describe());
      return true;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return false;
      throw toIncidentClientError(error, id);
    }
  }

  private handle(incidentId: string): WorkflowHandle<typeof incidentWorkflow> {
    return this.client.workflow.getHandle<typeof incidentWorkflow>(incidentWorkflowId(incidentId));
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
