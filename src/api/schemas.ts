import { z } from 'zod';
import { requestIdSchema } from '../domain/command-meta';
import { TIMELINE_TYPES } from '../domain/incident';
import { incidentIdSchema } from '../domain/inputs';
import { severitySchema, statusSchema } from '../domain/severity';

/**
 * The API's response shapes, in zod so the OpenAPI document and the serializer read the same definition. Request
 * bodies are the domain's own input schemas (see routes), so the API refuses exactly what the CLI refuses.
 */

export const timelineEntrySchema = z
  .object({
    at: z.number().int().describe('epoch milliseconds'),
    type: z.enum(TIMELINE_TYPES),
    actor: z.string().describe('a person, `alert:<source>`, `slack:<user>` or `system`'),
    message: z.string(),
    data: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  })
  .meta({ id: 'TimelineEntry' });

export const deadlineSchema = z
  .object({
    kind: z.enum([
      'ack-escalation',
      'status-reminder',
      'status-escalation',
      'public-reminder',
      'public-escalation',
      'unresolved-escalation',
      'deferred-page',
      'commander-reminder',
    ]),
    at: z.number().int().describe('epoch milliseconds'),
    level: z.number().int().optional(),
    target: z.string().optional(),
  })
  .meta({ id: 'Deadline' });

export const commandResultSchema = z
  .object({
    incidentId: z.string(),
    status: statusSchema,
    severity: severitySchema,
    drill: z.boolean(),
    security: z.boolean(),
    added: z.array(timelineEntrySchema).describe('the timeline entries this command wrote'),
    next: deadlineSchema.nullable().describe('the earliest deadline the incident now waits on'),
  })
  .meta({ id: 'CommandResult' });

export const declarationResultSchema = commandResultSchema
  .extend({
    title: z.string(),
    declaredAt: z.number().int(),
    deadlines: z.array(deadlineSchema),
  })
  .meta({ id: 'Declaration' });

/** The whole incident as the state query answers it; new fields pass through as the workflow grows. */
export const incidentViewSchema = z
  .looseObject({
    id: z.string(),
    title: z.string(),
    severity: severitySchema,
    status: statusSchema,
    service: z.string(),
    declaredAt: z.number().int(),
    timeline: z.array(timelineEntrySchema),
    deadlines: z.array(deadlineSchema),
    verifying: z.boolean(),
  })
  .meta({ id: 'Incident' });

export const incidentSummarySchema = z
  .object({
    id: z.string(),
    title: z.string(),
    severity: z.string(),
    status: z.string(),
    service: z.string(),
    drill: z.boolean(),
    declaredAt: z.string().nullable(),
    execution: z.string().describe("Temporal's view: RUNNING, COMPLETED, or TERMINATED/FAILED when something broke"),
  })
  .meta({ id: 'IncidentSummary' });

export const problemSchema = z
  .object({
    type: z.string().describe('a stable code: invalid-input, unauthorized, forbidden, not-found, rejected, …'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    reason: z.string().optional(),
  })
  .meta({ id: 'Problem' });

export const incidentParamsSchema = z.object({ id: incidentIdSchema });

export const idempotencyHeadersSchema = z.looseObject({
  'idempotency-key': requestIdSchema
    .optional()
    .describe('names this request: a retry with the same key applies it at most once and answers the same result'),
});

/** Problems every authenticated route can answer. */
export const COMMON_PROBLEMS = {
  400: problemSchema,
  401: problemSchema,
  403: problemSchema,
  413: problemSchema,
  429: problemSchema,
  503: problemSchema,
} as const;
