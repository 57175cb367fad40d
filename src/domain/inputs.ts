import { z } from 'zod';
import { lazySchema } from './lazy-schema';
import { ALERT_SOURCES } from './alerts';
import { boundedDuration } from './duration';
import { roleSchema, severitySchema, type Severity } from './severity';
import {
  actorSchema,
  escapeUnsafe,
  neutralized,
  policyKeySchema,
  prose,
  quoted,
  serviceNameSchema,
  singleLine,
} from './text';

/**
 * Every command's input, in the form people type it. The same schema validates at the edge (CLI, API)
 * and again in the workflow's update validators, so a message always names the field at fault. Text is
 * checked for what a terminal or chat would act on (see text.ts); durations are bounded.
 */
const actor = actorSchema;

/**
 * "Next update in": at least a minute (a promise nobody can keep is a typo, like `--next 5`), at most a day.
 * It can only bring the next update forward, and the longest default cadence is an hour, so a day is generous.
 */
export const nextUpdateInSchema = lazySchema(() => boundedDuration({ min: '1m', max: '24h' }));

export const incidentIdSchema = lazySchema(() =>
  z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9-]{1,62}$/,
      'use 2-63 lowercase letters, digits and dashes, starting with a letter or digit',
    ),
);

export const declareSchema = lazySchema(() =>
  z.object({
    id: incidentIdSchema,
    title: singleLine(200),
    severity: severitySchema,
    service: serviceNameSchema.default('unspecified'),
    summary: prose(2000, { min: 0 }).default(''),
    detectedAt: z.iso
      .datetime({ offset: true, message: 'must be an ISO 8601 date-time' })
      .refine((at) => Number.isFinite(Date.parse(at)), 'must be a real date-time')
      .optional(),
    source: z.enum(['cli', 'api', 'alert', 'slack', 'drill']).default('cli'),
    /** A person, or `alert:<source>` for an incident an alert declared (alert intake). */
    declaredBy: actor.or(z.enum(ALERT_SOURCES.map((source) => `alert:${source}` as const))).default('cli'),
    commander: actor.optional(),
    drill: z.boolean().default(false),
    security: z.boolean().default(false),
    /** Data loss or corruption (every runbook): forces SEV-1, tells the data owners, gates the close on integrity. */
    dataLoss: z.boolean().default(false),
  }),
);
export type DeclareInput = z.input<typeof declareSchema>;
export type Declaration = z.output<typeof declareSchema>;

/** The severity an incident opens with: data loss or corruption is SEV-1 whatever was typed (runbooks 001, 003). */
export function declaredSeverity(declaration: { severity: Severity; dataLoss?: boolean | undefined }): Severity {
  return declaration.dataLoss === true ? 'SEV-1' : declaration.severity;
}

export const acknowledgeSchema = lazySchema(() => z.object({ by: actor }));
export const assignRoleSchema = lazySchema(() => z.object({ role: roleSchema, user: actor, by: actor }));
export const statusUpdateSchema = lazySchema(() =>
  z.object({
    impact: prose(1000),
    hypothesis: prose(1000),
    actions: prose(1000, { min: 0 }).optional(),
    /** "Next update in", e.g. `10m`; may only bring the next update forward. */
    nextUpdateIn: nextUpdateInSchema.optional(),
    userFacing: prose(1000, { min: 0 }).optional(),
    by: actor,
  }),
);
export const severityChangeSchema = lazySchema(() =>
  z.object({
    severity: severitySchema,
    by: actor,
    reason: singleLine(500, { min: 0 }).optional(),
  }),
);
export const mitigationKindSchema = lazySchema(() =>
  z.enum(['rollback', 'feature-flag', 'scale', 'restart', 'failover', 'other']),
);
export const startMitigationSchema = lazySchema(() =>
  z
    .object({
      /** What is being done, in words; optional when `run` names the action. */
      action: singleLine(500).optional(),
      kind: mitigationKindSchema.default('other'),
      /** A named action of the service's policy to run as a saga (record, run, verify, undo on failure). */
      run: policyKeySchema.optional(),
      by: actor,
    })
    .refine((input) => input.action !== undefined || input.run !== undefined, {
      message: 'say what is being done, or name an action to run',
      path: ['action'],
    }),
);
/** Pages a configured target on demand (runbook 004: authority to page secondary or other on-call). */
export const pageSchema = lazySchema(() => z.object({ target: policyKeySchema, reason: singleLine(500), by: actor }));
/** Runs the service's rollback now (runbook 004, stabilize), verified like any mitigation that runs. */
export const rollbackSchema = lazySchema(() => z.object({ by: actor, reason: singleLine(500).optional() }));
/** Collects diagnostics now (runbook 003), beside the ones taken at declaration and after each mitigation. */
export const diagnoseSchema = lazySchema(() => z.object({ by: actor, reason: singleLine(500).optional() }));
export const finishMitigationSchema = lazySchema(() =>
  z.object({
    actionId: z.string().regex(/^m\d{1,6}$/, 'is a mitigation id such as m1 (see `incident show`)'),
    outcome: z.enum(['succeeded', 'failed']),
    by: actor,
  }),
);
export const resolveSchema = lazySchema(() =>
  z.object({
    by: actor,
    summary: prose(2000, { min: 0 }).optional(),
    /** Resolve although alerts still fire (runbook 004 counts "alerts cleared" as verification): say why. */
    overrideFiringAlerts: singleLine(500).optional(),
    /** The Incident Commander resolves although the checks fail or none exist, saying why (on the timeline). */
    unverified: singleLine(500).optional(),
  }),
);
export const reopenSchema = lazySchema(() => z.object({ reason: singleLine(500), by: actor }));
/** A named person confirms the data is whole again (data-loss incidents close only after this). */
export const confirmIntegritySchema = lazySchema(() =>
  z.object({ by: actor, note: singleLine(500, { min: 0 }).optional() }),
);
/** Ticks off one item of a posted checklist (data loss, security) by its id. */
export const checkItemSchema = lazySchema(() =>
  z.object({
    item: policyKeySchema,
    by: actor,
    note: singleLine(500, { min: 0 }).optional(),
  }),
);
/** A security breach is confirmed: the incident becomes a security incident of at least SEV-1 (runbook 003). */
export const confirmBreachSchema = lazySchema(() => z.object({ by: actor, reason: singleLine(500) }));
export const closeSchema = lazySchema(() => z.object({ by: actor }));
export const noteSchema = lazySchema(() => z.object({ text: prose(2000), by: actor }));
/** An alert cannot retype its payload, so its text is neutralized rather than refused. */
export const alertFiredSchema = lazySchema(() =>
  z.object({
    source: neutralized(100).refine((source) => source.trim() !== '', 'must not be empty'),
    summary: neutralized(1000).optional(),
    fingerprint: neutralized(200).optional(),
  }),
);

export type AcknowledgeInput = z.input<typeof acknowledgeSchema>;
export type AssignRoleInput = z.input<typeof assignRoleSchema>;
export type StatusUpdateInput = z.input<typeof statusUpdateSchema>;
export type SeverityChangeInput = z.input<typeof severityChangeSchema>;
export type StartMitigationInput = z.input<typeof startMitigationSchema>;
export type FinishMitigationInput = z.input<typeof finishMitigationSchema>;
export type RollbackInput = z.input<typeof rollbackSchema>;
export type DiagnoseInput = z.input<typeof diagnoseSchema>;
export type PageInput = z.input<typeof pageSchema>;
export type ResolveInput = z.input<typeof resolveSchema>;
export type ReopenInput = z.input<typeof reopenSchema>;
export type ConfirmIntegrityInput = z.input<typeof confirmIntegritySchema>;
export type CheckItemInput = z.input<typeof checkItemSchema>;
export type ConfirmBreachInput = z.input<typeof confirmBreachSchema>;
export type CloseInput = z.input<typeof closeSchema>;
export type NoteInput = z.input<typeof noteSchema>;
export type AlertFiredInput = z.input<typeof alertFiredSchema>;

/**
 * One line per problem, each naming its field: `severity: Invalid option: expected one of "SEV-1"|…`. Some of
 * zod's messages quote the input (an unknown key), so whatever a terminal would act on is escaped.
 */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const field = issue.path.length > 0 ? issue.path.map(pathSegment).join('.') : 'input';
      return `${field}: ${escapeUnsafe(issue.message)}`;
    })
    .join('; ');
}

/** Keys come from files and payloads too: one that is not a plain name is quoted, so it cannot hide or escape. */
function pathSegment(key: PropertyKey): string {
  const text = String(key);
  return /^[A-Za-z0-9_-]+$/.test(text) ? text : quoted(text);
}
