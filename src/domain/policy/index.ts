import { z } from 'zod';
import { smokeCheckSchema } from '../checks';
import { isTimeZone } from '../business-hours';
import { serviceActionsSchema } from './actions';
import { diagnosticsSchema, diagnosticsToolsSchema, type DiagnosticsTools } from './diagnostics';
import { rolesPolicySchema, type RolesPolicy } from './roles';
import { dataLossPolicySchema, securityPolicySchema, type DataLossPolicy, type SecurityPolicy } from './checklists';
import { boundedDuration } from '../duration';
import { defaultPublicUpdates, publicUpdatesSchema } from './public-updates';
import {
  announcementsSchema,
  audiencesFor,
  audiencesSchema,
  defaultAudiences,
  templatesPolicySchema,
  type Announcements,
  type Audience,
  type IncidentAudience,
  type TemplatesPolicy,
} from './audiences';
import { bridgeSchema } from './war-room';
import { drillsPolicySchema, type DrillsPolicy } from './drills';
import { DEFAULT_SEVERITY_DEFINITIONS, severityDefinitionFields } from './severity-definitions';
import { statusPagePolicySchema, type StatusPagePolicy } from './status-page';
import { SEVERITIES, severitySchema, type Severity } from '../severity';
import { policyKeySchema, serviceNameSchema, singleLine } from '../text';

/**
 * The severity policy, written as a person writes it (durations as `5m`), parsed to milliseconds.
 * Defaults are DESIGN.md's table; a policy file overrides any severity's fields.
 *
 * Bounds: a window longer than 30 days means nobody is ever paged (and a timer years away breaks the
 * workflow); a postmortem may take up to 90 days. Zero makes no sense for a window (it fires at once) and a
 * status cadence under 10 s would flood the channel; a ladder step may page together with the previous one.
 */
export const POLICY_DURATIONS = {
  window: boundedDuration({ min: '1s', max: '30d' }),
  cadence: boundedDuration({ min: '10s', max: '30d' }),
  ladderStep: boundedDuration({ min: '0s', max: '30d' }),
  postmortemDue: boundedDuration({ min: '1h', max: '90d' }),
};

const escalationStepSchema = z.strictObject({
  target: policyKeySchema,
  /** Wait without acknowledgement since the previous step; defaults to the acknowledge window. */
  after: POLICY_DURATIONS.ladderStep.optional(),
});

export const severityPolicySchema = z.strictObject({
  acknowledgeWithin: POLICY_DURATIONS.window,
  escalationLadder: z.array(escalationStepSchema).max(10, 'at most 10 steps'),
  statusUpdates: z
    .strictObject({ every: POLICY_DURATIONS.cadence, escalateAfter: POLICY_DURATIONS.window, target: policyKeySchema })
    .nullable(),
  unresolved: z.strictObject({ after: POLICY_DURATIONS.window, target: policyKeySchema }).nullable(),
  pageOnCall: z.enum(['immediately', 'business-hours', 'never']),
  statusPage: z.boolean(),
  stakeholderEmail: z.enum(['all', 'summary-only', 'none']),
  postmortem: z.strictObject({ required: z.boolean(), due: POLICY_DURATIONS.postmortemDue }).nullable(),
  /** Snapshot health endpoints and metrics into an artifact at declaration (runbook 003). */
  diagnostics: z.boolean(),
  /** The public status page's own cadence (policy-public-updates.ts); absent in incidents declared before it. */
  publicUpdates: publicUpdatesSchema.nullable().optional(),
  /** The war room's conference bridge for this severity (policy-war-room.ts). */
  bridge: bridgeSchema.optional(),
  /** What the severity means and examples (policy-severity-definitions.ts); defaults from runbooks 001 and 003. */
  ...severityDefinitionFields,
});

export type SeverityPolicy = z.output<typeof severityPolicySchema>;
type SeverityPolicyText = z.input<typeof severityPolicySchema>;

const TIME = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;
const minuteOfDay = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/** Business hours within one day (no overnight span): start before end; `24:00` ends at midnight. */
const businessHoursSchema = z
  .strictObject({
    /** ISO weekdays, 1 = Monday. */
    days: z
      .array(z.number().int().min(1, 'days are 1 (Monday) to 7 (Sunday)').max(7, 'days are 1 (Monday) to 7 (Sunday)'))
      .min(1, 'name at least one day')
      .refine((days) => new Set(days).size === days.length, 'a day is listed twice'),
    start: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'write HH:MM between 00:00 and 23:59'),
    end: z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'write HH:MM between 00:01 and 24:00'),
    /** An IANA time zone (`Europe/Berlin`): 09:00 stays 09:00 across daylight saving. */
    timeZone: z
      .string()
      .max(100)
      .refine(isTimeZone, 'is not an IANA time zone such as Europe/Berlin or America/New_York')
      .optional(),
    /** A fixed offset (no daylight saving), as policies wrote it before time zones. Real offsets: -12:00 to +14:00. */
    utcOffsetMinutes: z
      .number()
      .int()
      .min(-12 * 60, 'UTC offsets run from -720 to 840 minutes')
      .max(14 * 60, 'UTC offsets run from -720 to 840 minutes')
      .optional(),
    /**
     * For a severity that does not page at once: the ladder, status and unresolved escalations wait for business
     * hours too, and the ladder counts from the deferred page, so nobody is paged at night about it.
     */
    escalationsWait: z.boolean().default(true),
  })
  .refine((hours) => hours.timeZone === undefined || hours.utcOffsetMinutes === undefined, {
    message: 'give timeZone or utcOffsetMinutes, not both',
    path: ['utcOffsetMinutes'],
  })
  .refine(
    (hours) => !(TIME.test(hours.start) && TIME.test(hours.end)) || minuteOfDay(hours.end) > minuteOfDay(hours.start),
    {
      message: 'must be after start (business hours cannot span midnight)',
      path: ['end'],
    },
  );
/** `escalationsWait` is absent in incidents declared before it: their escalations keep the old timing. */
export type BusinessHours = Omit<z.output<typeof businessHoursSchema>, 'escalationsWait'> & {
  escalationsWait?: boolean;
};

const contactSchema = z.strictObject({
  name: singleLine(100).optional(),
  email: z.array(z.email()).max(50).default([]),
  /** A Slack user id (U…); without one, Slack is asked by email. */
  slackUserId: z
    .string()
    .regex(/^[UW][A-Z0-9]{2,20}$/, 'is a Slack user id such as U012AB3CD')
    .optional(),
  /** Another contact: who hears about this contact's overdue postmortem or action item (runbook 004 §7). */
  manager: policyKeySchema.optional(),
});

/** Contacts by name; a manager must name another contact, or the escalation would reach nobody. */
const contactsSchema = z
  .record(policyKeySchema, contactSchema, { error: badKey('contact name', policyKeySchema) })
  .superRefine((contacts, ctx) => {
    for (const [name, contact] of Object.entries(contacts)) {
      const manager = contact.manager;
      if (manager === undefined) continue;
      if (manager === name)
        ctx.addIssue({ code: 'custom', path: [name, 'manager'], message: 'must name another contact' });
      else if (!Object.hasOwn(contacts, manager))
        ctx.addIssue({
          code: 'custom',
          path: [name, 'manager'],
          message: `names no contact: add ${manager} to contacts`,
        });
    }
  });

const chatSchema = z.strictObject({
  /** Contacts invited to every incident channel (plus the commander and, for security incidents, `security`). */
  responders: z.array(policyKeySchema).max(50).default(['primary-oncall']),
  archiveOnClose: z.boolean().default(true),
});
export type ChatPolicy = z.output<typeof chatSchema>;
export type Contact = z.output<typeof contactSchema>;

export type { SmokeCheck } from '../checks';

const argumentSchema = z
  .string()
  .min(1, 'an argument must not be empty')
  .max(1000)
  .refine((arg) => !/[\p{Cc}\p{Cf}]/u.test(arg), 'an argument must not contain control characters');

/** How to roll a service back: exactly one of a command (argv, no shell) or an http(s) webhook to POST to. */
const rollbackSchema = z
  .strictObject({
    command: z.array(argumentSchema).min(1, 'name the program to run (argv, no shell)').max(50).optional(),
    webhook: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  })
  .superRefine((rollback, ctx) => {
    if ((rollback.command === undefined) === (rollback.webhook === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of command or webhook' });
    }
  })
  .transform((rollback): { command: string[] } | { webhook: string } =>
    rollback.command ? { command: rollback.command } : { webhook: rollback.webhook ?? '' },
  );

const serviceSchema = z.strictObject({
  /** Where the service answers: with no smokeChecks, verification probes {baseUrl}/health and {baseUrl}/alive. */
  baseUrl: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  smokeChecks: z.array(smokeCheckSchema).default([]),
  diagnostics: diagnosticsSchema.optional(),
  rollback: rollbackSchema.optional(),
  /** Named mitigations that run (`incident mitigate ID --run NAME`); `rollback` here replaces the one above. */
  actions: serviceActionsSchema.optional(),
  /** Links for responders, shown in the declaration and the pinned summary. */
  runbook: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  dashboard: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
});
export type ServiceConfig = z.output<typeof serviceSchema>;

/** A Prometheus label name (`severity`, `service`, `job`). */
const labelNameSchema = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,99}$/, 'is a label name: letters, digits and _, not starting with a digit');

/**
 * How alerts from Alertmanager and Grafana become incidents: which label says how bad it is and how that maps to a
 * severity, which labels name the service, the least severity that declares, and what happens when every alert of
 * an incident has resolved ('notify' tells the Incident Commander; 'resolve' runs the verification and resolves).
 */
export const alertsPolicySchema = z.strictObject({
  severityLabel: labelNameSchema.default('severity'),
  /** Label value (compared in lower case) → severity. */
  severities: z
    .record(z.string().min(1).max(100), severitySchema)
    .refine((map) => Object.keys(map).length <= 50, 'at most 50 values')
    .default({ critical: 'SEV-1', error: 'SEV-2', major: 'SEV-2', warning: 'SEV-3', info: 'SEV-4' }),
  /** For an alert without the label, or with a value the mapping does not name. */
  unmappedSeverity: severitySchema.default('SEV-3'),
  /** The first of these labels an alert has names its service. */
  serviceLabels: z.array(labelNameSchema).min(1).max(10).default(['service', 'job']),
  /** Alerts less severe than this are answered with the reason and declare nothing. */
  declareAtOrAbove: severitySchema.default('SEV-3'),
  onAllResolved: z.enum(['notify', 'resolve']).default('notify'),
});
export type AlertsPolicy = z.output<typeof alertsPolicySchema>;

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

const DEFAULT_BUSINESS_HOURS: BusinessHours = {
  days: [1, 2, 3, 4, 5],
  start: '09:00',
  end: '17:00',
  timeZone: 'UTC',
  escalationsWait: true,
};

/** A record's key is refused with the key's own rule, not zod's bare "Invalid key in record". */
function badKey(what: string, schema: z.ZodType<string>) {
  return (issue: { code?: string; input?: unknown }) => {
    if (issue.code !== 'invalid_key') return undefined;
    const rule = schema.safeParse(issue.input).error?.issues[0]?.message ?? 'is not allowed';
    return `is not a valid ${what}: ${rule}`;
  };
}

const EMPTY_POLICY =
  'the policy file is empty: write {} for a file with no overrides, or unset INCIDENT_POLICY for the defaults';

/**
 * What a policy file may contain: every field optional, each severity overriding the defaults field by field.
 * An empty file is refused rather than read as "no overrides": it is almost always a file that lost its content.
 */
export const policyFileSchema = z.strictObject(
  {
    severities: z
      .strictObject(Object.fromEntries(SEVERITIES.map((s) => [s, severityPolicySchema.partial().optional()])))
      .optional(),
    businessHours: businessHoursSchema.optional(),
    contacts: contactsSchema.optional(),
    services: z
      .record(serviceNameSchema, serviceSchema, { error: badKey('service name', serviceNameSchema) })
      .optional(),
    chat: chatSchema.optional(),
    alerts: alertsPolicySchema.optional(),
    statusPage: statusPagePolicySchema.optional(),
    roles: rolesPolicySchema.optional(),
    diagnostics: diagnosticsToolsSchema.optional(),
    dataLoss: dataLossPolicySchema.optional(),
    security: securityPolicySchema.optional(),
    drills: drillsPolicySchema.optional(),
    audiences: audiencesSchema.optional(),
    announcements: announcementsSchema.optional(),
    templates: templatesPolicySchema.optional(),
  },
  {
    error: (issue) => {
      if (issue.code !== 'invalid_type') return undefined;
      if (issue.input === null || issue.input === undefined || issue.input === '') return EMPTY_POLICY;
      return 'a policy file holds a mapping of severities, businessHours, contacts, services, chat, alerts, statusPage, roles, diagnostics, dataLoss, security and drills';
    },
  },
);

export interface Policy {
  severities: Record<Severity, SeverityPolicy>;
  businessHours: BusinessHours;
  contacts: Record<string, Contact>;
  services: Record<string, ServiceConfig>;
  chat: ChatPolicy;
  alerts: AlertsPolicy;
  statusPage: StatusPagePolicy;
  /** Reminders to take command, prompts for leads, who may do what (policy-roles.ts); defaults without a section. */
  roles: RolesPolicy;
  /** Where Grafana, Loki and Sentry answer (policy-diagnostics.ts); each absent tool is skipped. */
  diagnostics: DiagnosticsTools;
  /** Data loss or corruption declared (`--data-loss`): owners told, checklist, integrity confirmed before close. */
  dataLoss: DataLossPolicy;
  /** Security incidents: the checklist posted and tracked. */
  security: SecurityPolicy;
  /** Scheduled drills (drills.ts); none without a `drills` section. */
  drills: DrillsPolicy;
  /** Who hears what, per severity (policy-audiences.ts); runbook 002's defaults without the section. */
  audiences: Record<string, Audience>;
  announcements: Announcements | null;
  /** Template files replacing the defaults, as paths the worker can open. */
  templates: TemplatesPolicy;
}

/** The slice of the policy an incident carries in its state: what its own severity demands. */
export interface IncidentPolicy {
  severity: Severity;
  rules: SeverityPolicy;
  businessHours: BusinessHours;
  chat: ChatPolicy;
  /** What an incident declared from alerts does once they all resolve; absent in incidents declared before it. */
  alerts?: Pick<AlertsPolicy, 'onAllResolved'>;
  /** Reminders to take command (policy-roles.ts); absent in incidents declared before it or without the section. */
  roles?: RolesPolicy;
  /** The special paths' checklists (policy-checklists.ts); absent in incidents declared before them. */
  dataLoss?: DataLossPolicy;
  security?: SecurityPolicy;
  /** Who hears what at this severity; absent in incidents declared before audiences (they email as they did). */
  audiences?: IncidentAudience[];
  /** The team-wide announcement channel, when the policy has one. */
  announcements?: Announcements;
  /**
   * How many checks verify the service's recovery (its smoke checks, or /health and /alive under its base URL). With
   * none, only the IC resolves, unverified with a reason. Absent in incidents declared before it: they resolve as did.
   */
  smokeChecks?: number;
  /**
   * Whether the service's Grafana dashboard is marked (Grafana configured and the service names its dashboard). Absent
   * in incidents declared before it: they ask the worker each time, which answers that there is none.
   */
  dashboard?: boolean;
}

/** Builds the effective policy from an already-parsed file object (or none). Throws a ZodError naming the bad field. */
export function buildPolicy(fileContent: unknown = {}): Policy {
  const file = policyFileSchema.parse(fileContent);
  const overrides = (file.severities ?? {}) as Partial<Record<Severity, Partial<SeverityPolicy>>>;
  const severities = Object.fromEntries(
    SEVERITIES.map((severity) => [
      severity,
      {
        publicUpdates: defaultPublicUpdates(severity),
        ...DEFAULT_SEVERITY_DEFINITIONS[severity],
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
    alerts: file.alerts ?? alertsPolicySchema.parse({}),
    statusPage: file.statusPage ?? statusPagePolicySchema.parse({}),
    roles: file.roles ?? rolesPolicySchema.parse({}),
    diagnostics: file.diagnostics ?? diagnosticsToolsSchema.parse({}),
    dataLoss: file.dataLoss ?? dataLossPolicySchema.parse({}),
    security: file.security ?? securityPolicySchema.parse({}),
    drills: file.drills ?? {},
    audiences: file.audiences ?? defaultAudiences(severities),
    announcements: file.announcements ?? null,
    templates: file.templates ?? {},
  };
}

export function incidentPolicyFor(policy: Policy, severity: Severity): IncidentPolicy {
  return {
    severity,
    rules: policy.severities[severity],
    businessHours: policy.businessHours,
    chat: policy.chat,
    alerts: { onAllResolved: policy.alerts.onAllResolved },
    roles: policy.roles,
    dataLoss: policy.dataLoss,
    security: policy.security,
    audiences: audiencesFor(policy.audiences, severity),
    ...(policy.announcements ? { announcements: policy.announcements } : {}),
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
