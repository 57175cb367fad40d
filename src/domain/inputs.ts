import { z } from 'zod';
import { durationSchema } from './duration';
import { roleSchema, severitySchema } from './severity';

/**
 * Every command's input, in the form people type it. The same schema validates at the edge (CLI, API)
 * and again in the workflow's update validators, so a message always names the field at fault.
 */
const text = (max: number) =>
  z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
const actor = text(100);

export const incidentIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'use 2-63 lowercase letters, digits and dashes, starting with a letter or digit');

export const declareSchema = z.object({
  id: incidentIdSchema,
  title: text(200),
  severity: severitySchema,
  service: text(100).default('unspecified'),
  summary: z.string().trim().max(2000).default(''),
  detectedAt: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }).optional(),
  source: z.enum(['cli', 'api', 'alert', 'slack', 'drill']).default('cli'),
  declaredBy: actor.default('cli'),
  commander: actor.optional(),
  drill: z.boolean().default(false),
  security: z.boolean().default(false),
});
export type DeclareInput = z.input<typeof declareSchema>;
export type Declaration = z.output<typeof declareSchema>;

export const acknowledgeSchema = z.object({ by: actor });
export const assignRoleSchema = z.object({ role: roleSchema, user: actor, by: actor });
export const statusUpdateSchema = z.object({
  impact: text(1000),
  hypothesis: text(1000),
  actions: z.string().trim().max(1000).optional(),
  /** "Next update in", e.g. `10m`; may only bring the next update forward. */
  nextUpdateIn: durationSchema.optional(),
  userFacing: z.string().trim().max(1000).optional(),
  by: actor,
});
export const severityChangeSchema = z.object({
  severity: severitySchema,
  by: actor,
  reason: z.string().max(500).optional(),
});
export const mitigationKindSchema = z.enum(['rollback', 'feature-flag', 'scale', 'restart', 'failover', 'other']);
export const startMitigationSchema = z.object({
  action: text(500),
  kind: mitigationKindSchema.default('other'),
  by: actor,
});
export const finishMitigationSchema = z.object({
  actionId: z.string().regex(/^m\d+$/, 'is a mitigation id such as m1 (see `incident show`)'),
  outcome: z.enum(['succeeded', 'failed']),
  by: actor,
});
export const resolveSchema = z.object({ by: actor, summary: z.string().trim().max(2000).optional() });
export const reopenSchema = z.object({ reason: text(500), by: actor });
export const closeSchema = z.object({ by: actor });
export const noteSchema = z.object({ text: text(2000), by: actor });
export const alertFiredSchema = z.object({
  source: text(100),
  summary: z.string().max(1000).optional(),
  fingerprint: z.string().max(200).optional(),
});

export type AcknowledgeInput = z.input<typeof acknowledgeSchema>;
export type AssignRoleInput = z.input<typeof assignRoleSchema>;
export type StatusUpdateInput = z.input<typeof statusUpdateSchema>;
export type SeverityChangeInput = z.input<typeof severityChangeSchema>;
export type StartMitigationInput = z.input<typeof startMitigationSchema>;
export type FinishMitigationInput = z.input<typeof finishMitigationSchema>;
export type ResolveInput = z.input<typeof resolveSchema>;
export type ReopenInput = z.input<typeof reopenSchema>;
export type CloseInput = z.input<typeof closeSchema>;
export type NoteInput = z.input<typeof noteSchema>;
export type AlertFiredInput = z.input<typeof alertFiredSchema>;

/** One line per problem, each naming its field: `severity: Invalid option: expected one of "SEV-1"|…`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'input'}: ${issue.message}`)
    .join('; ');
}
