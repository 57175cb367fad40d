import { z } from 'zod';
import { diagnosticsSchema, smokeCheckSchema } from './checks';
import { durationSchema } from './duration';
import { SEVERITIES, type Severity } from './severity';

/**
 * The severity policy, written as a person writes it (durations as `5m`), parsed to milliseconds.
 * Defaults are DESIGN.md's table; a policy file overrides any severity's fields.
 */
const escalationStepSchema = z.object({
  target: z.string().min(1),
  /** Wait without acknowledgement since the previous step; defaults to the acknowledge window. */
  after: durationSchema.optional(),
});

export const severityPolicySchema = z.object({
  acknowledgeWithin: durationSchema,
  escalationLadder: z.array(escalationStepSchema),
  statusUpdates: z
    .object({ every: durationSchema, escalateAfter: durationSchema, target: z.string().min(1) })
    .nullable(),
  unresolved: z.object({ after: durationSchema, target: z.string().min(1) }).nullable(),
  pageOnCall: z.enum(['immediately', 'business-hours', 'never']),
  statusPage: z.boolean(),
  stakeholderEmail: z.enum(['all', 'summary-only', 'none']),
  postmortem: z.object({ required: z.boolean(), due: durationSchema }).nullable(),
  /** Snapshot health endpoints and metrics into an artifact at declaration (runbook 003). */
  diagnostics: z.boolean(),
});

export type SeverityPolicy = z.output<typeof severityPolicySchema>;
type SeverityPolicyText = z.input<typeof severityPolicySchema>;

const businessHoursSchema = z.object({
  /** ISO weekdays, 1 = Monday. */
  days: z.array(z.number().int().min(1).max(7)).min(1),
  start: z.string().regex(/^\d{2}:\d{2}$/, 'write HH:MM'),
  end: z.string().regex(/^\d{2}:\d{2}$/, 'write HH:MM'),
  utcOffsetMinutes: z
    .number()
    .int()
    .min(-14 * 60)
    .max(14 * 60),
});
export type BusinessHours = z.output<typeof businessHoursSchema>;

const contactSchema = z.object({
  name: z.string().optional(),
  email: z.array(z.email()).default([]),
  /** A Slack user id (U…); without one, Slack is asked by email. */
  slackUserId: z.string().optional(),
});

const chatSchema = z.object({
  /** Contacts invited to every incident channel (plus the commander and, for security incidents, `security`). */
  responders: z.array(z.string()).default(['primary-oncall']),
  archiveOnClose: z.boolean().default(true),
});
export type ChatPolicy = z.output<typeof chatSchema>;
export type Contact = z.output<typeof contactSchema>;

export type { SmokeCheck } from './checks';

const serviceSchema = z
  .object({
    smokeChecks: z.array(smokeCheckSchema).default([]),
    diagnostics: diagnosticsSchema.optional(),
    /** How to roll this service back: a command (argv, no shell) or a webhook to POST to. */
    rollback: z.union([z.object({ command: z.array(z.string()).min(1) }), z.object({ webhook: z.url() })]).optional(),
  })
  .strict();
export type ServiceConfig = z.output<typeof serviceSchema>;

export const DEFAULT_SEVERITY_POLICIES: Record<Severity, SeverityPolicyText> = {
  'SEV-1': {
    acknowledgeWithin: '5m',
    escalationLadder: [{ target: 'secondary-oncall' }, { target: 'engineering-manager' }],
    statusUpdates: { every: '15m', escalateAfter: '5m', target: 'engineering-manager' },
    unresolved: { after: '15m', target: 'engineering-manager' },
    pageOnCall: 'immediately',
    statusPage: true,
    stakeholderEmail: 'all',
    postmortem: { required: true, due: '48h' },
    diagnostics: true,
  },
  'SEV-2': {
    acknowledgeWithin: '15m',
    escalationLadder: [{ target: 'secondary-oncall' }, { target: 'engineering-manager' }],
    statusUpdates: { every: '30m', escalateAfter: '10m', target: 'engineering-manager' },
    unresolved: { after: '1h', target: 'engineering-manager' },
    pageOnCall: 'immediately',
    statusPage: true,
    stakeholderEmail: 'all',
    postmortem: { required: true, due: '48h' },
    diagnostics: true,
  },
  'SEV-3': {
    acknowledgeWithin: '30m',
    escalationLadder: [{ target: 'secondary-oncall' }],
    statusUpdates: { every: '60m', escalateAfter: '30m', target: 'team-lead' },
    unresolved: { after: '4h', target: 'engineering-manager' },
    pageOnCall: 'business-hours',
    statusPage: false,
    stakeholderEmail: 'summary-only',
    postmortem: { required: false, due: '7d' },
    diagnostics: false,
  },
  'SEV-4': {
    acknowledgeWithin: '24h',
    escalationLadder: [{ target: 'team-lead' }],
    statusUpdates: null,
    unresolved: null,
    pageOnCall: 'never',
    statusPage: false,
    stakeholderEmail: 'none',
    postmortem: null,
    diagnostics: false,
  },
};

const DEFAULT_BUSINESS_HOURS = { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00', utcOffsetMinutes: 0 };

/** What a policy file may contain: every field optional, each severity overriding the defaults field by field. */
export const policyFileSchema = z
  .object({
    severities: z
      .object(Object.fromEntries(SEVERITIES.map((s) => [s, severityPolicySchema.partial().strict().optional()])))
      .strict()
      .optional(),
    businessHours: businessHoursSchema.optional(),
    contacts: z.record(z.string(), contactSchema).optional(),
    services: z.record(z.string(), serviceSchema).optional(),
    chat: chatSchema.optional(),
  })
  .strict();

export interface Policy {
  severities: Record<Severity, SeverityPolicy>;
  businessHours: BusinessHours;
  contacts: Record<string, Contact>;
  services: Record<string, ServiceConfig>;
  chat: ChatPolicy;
}

/** The slice of the policy an incident carries in its state: what its own severity demands. */
export interface IncidentPolicy {
  severity: Severity;
  rules: SeverityPolicy;
  businessHours: BusinessHours;
  chat: ChatPolicy;
}

/** Builds the effective policy from an already-parsed file object (or none). Throws a ZodError naming the bad field. */
export function buildPolicy(fileContent: unknown = {}): Policy {
  const file = policyFileSchema.parse(fileContent ?? {});
  const overrides = (file.severities ?? {}) as Partial<Record<Severity, Partial<SeverityPolicy>>>;
  const severities = Object.fromEntries(
    SEVERITIES.map((severity) => [
      severity,
      {
        ...severityPolicySchema.parse(DEFAULT_SEVERITY_POLICIES[severity]),
        ...stripUndefined(overrides[severity] ?? {}),
      },
    ]),
  ) as Record<Severity, SeverityPolicy>;
  return {
    severities,
    businessHours: file.businessHours ?? DEFAULT_BUSINESS_HOURS,
    contacts: file.contacts ?? {},
    services: file.services ?? {},
    chat: file.chat ?? chatSchema.parse({}),
  };
}

export function incidentPolicyFor(policy: Policy, severity: Severity): IncidentPolicy {
  return { severity, rules: policy.severities[severity], businessHours: policy.businessHours, chat: policy.chat };
}

/** How long to wait without acknowledgement before ladder step `level` (0-based). */
export function escalationWait(rules: SeverityPolicy, level: number): number | undefined {
  const step = rules.escalationLadder[level];
  if (!step) return undefined;
  return level === 0 ? rules.acknowledgeWithin : (step.after ?? rules.acknowledgeWithin);
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
