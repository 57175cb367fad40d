import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { z } from 'zod';
import { describeIssues, incidentIdSchema } from '../domain/inputs';
import {
  addActionItemSchema,
  addActionItemUpdate,
  closeActionItemSchema,
  closeActionItemUpdate,
  markReviewedSchema,
  markReviewedUpdate,
  postmortemQuery,
  postmortemWorkflowId,
  reassignPostmortemSchema,
  reassignPostmortemUpdate,
  scheduleReviewSchema,
  scheduleReviewUpdate,
  type ActionItem,
  type AddActionItemInput,
  type CloseActionItemInput,
  type PostmortemState,
  type ScheduleReviewInput,
} from '../workflows/postmortem/definitions';
import type { postmortemWorkflow } from '../workflows/postmortem/workflow';
import { IncidentClientError, IncidentClientErrorType, toIncidentClientError } from './errors';

/**
 * An incident's postmortem and its action items, for the CLI and the API. Inputs are validated here (the workflow
 * validates them again); failures come out as IncidentClientErrors like the incident commands'.
 */
export class PostmortemService {
  constructor(
    private readonly client: Client,
    private readonly answerTimeoutMs = 20_000,
  ) {}

  show(incidentId: string): Promise<PostmortemState> {
    return this.call(incidentId, (handle) => handle.query(postmortemQuery));
  }

  async actionItems(incidentId: string): Promise<ActionItem[]> {
    return (await this.show(incidentId)).actionItems;
  }

  addActionItem(incidentId: string, input: AddActionItemInput): Promise<ActionItem> {
    validate(addActionItemSchema, input);
    return this.call(incidentId, (handle) => handle.executeUpdate(addActionItemUpdate, { args: [input] }));
  }

  /** A request id makes a repeated request (a Slack retry) close the item once and answer the first outcome. */
  closeActionItem(
    incidentId: string,
    input: CloseActionItemInput,
    options: { requestId?: string } = {},
  ): Promise<ActionItem> {
    validate(closeActionItemSchema, input);
    const updateId = options.requestId;
    return this.call(incidentId, (handle) =>
      handle.executeUpdate(closeActionItemUpdate, { args: [input], ...(updateId ? { updateId } : {}) }),
    );
  }

  async markReviewed(incidentId: string, by: string): Promise<void> {
    validate(markReviewedSchema, { by });
    await this.call(incidentId, (handle) => handle.executeUpdate(markReviewedUpdate, { args: [{ by }] }));
  }

  /** Sets (or moves) the review; the attendees get a calendar invitation. */
  scheduleReview(incidentId: string, input: ScheduleReviewInput): Promise<{ at: number; sequence: number }> {
    validate(scheduleReviewSchema, input);
    return this.call(incidentId, (handle) => handle.executeUpdate(scheduleReviewUpdate, { args: [input] }));
  }

  async reassign(incidentId: string, owner: string, by: string): Promise<void> {
    validate(reassignPostmortemSchema, { owner, by });
    await this.call(incidentId, (handle) => handle.executeUpdate(reassignPostmortemUpdate, { args: [{ owner, by }] }));
  }

  private async call<T>(
    incidentId: string,
    run: (handle: WorkflowHandle<typeof postmortemWorkflow>) => Promise<T>,
  ): Promise<T> {
    const id = validate(incidentIdSchema, incidentId);
    const handle = this.client.workflow.getHandle<typeof postmortemWorkflow>(postmortemWorkflowId(id));
    try {
      return await this.client.withDeadline(Date.now() + this.answerTimeoutMs, () => run(handle));
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) {
        throw new IncidentClientError(
          IncidentClientErrorType.NotFound,
          `no postmortem for incident ${id} (one starts when a SEV-1 or SEV-2 is resolved; a drill has its drill report instead)`,
          { cause: error },
        );
      }
      throw toIncidentClientError(error, id);
    }
  }
}

function validate<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success)
    throw new IncidentClientError(IncidentClientErrorType.InvalidInput, describeIssues(parsed.error));
  return parsed.data;
}
