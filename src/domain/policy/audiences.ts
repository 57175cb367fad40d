import { z } from 'zod';
import { SEVERITIES, type Severity } from '../severity';
import { policyKeySchema } from '../text';

/** What an audience can be told: each is one moment of the incident (runbook 002's communication table). */
export const AUDIENCE_EVENTS = [
  'declaration',
  'status-update',
  'severity-change',
  'resolution',
  'post-incident-summary',
] as const;
export type AudienceEvent = (typeof AUDIENCE_EVENTS)[number];

/** A Slack channel (`#incident-response` or its id C…/G…) or a person (a user id U…/W…, messaged directly). */
export const slackTargetSchema = z
  .string()
  .regex(
    /^(#[a-z0-9][a-z0-9_-]{0,79}|[CGUW][A-Z0-9]{2,20})$/,
    'is a Slack channel (#name, or an id such as C012AB3CD) or a Slack user id (U012AB3CD)',
  );

/** An email recipient: an address, or a contact of the policy (its addresses). */
const emailTargetSchema = z.union([z.email(), policyKeySchema], {
  error: 'is an email address or a contact name of the policy',
});

const eventsSchema = z
  .array(z.enum(AUDIENCE_EVENTS))
  .max(AUDIENCE_EVENTS.length)
  .refine((events) => new Set(events).size === events.length, 'an event is listed twice');

/**
 * One audience (stakeholders, engineering leads, support lead, security, executives: any name), its channels and
 * what it hears per severity. `detail: internal` audiences get the internal update (hypothesis included); `public`
 * ones (a support lead relaying to customers) what the status page says, in the user-facing template; everyone
 * else gets the stakeholder notification (impact and next update, never a hypothesis). `security: true` marks the
 * security contact: in a security incident it hears every event in full, while every other audience hears only text
 * marked public, under a title that does not say what happened.
 */
export const audienceSchema = z
  .strictObject({
    email: z.array(emailTargetSchema).max(50).default([]),
    slack: z.array(slackTargetSchema).max(20).default([]),
    detail: z.enum(['stakeholder', 'internal', 'public']).default('stakeholder'),
    security: z.boolean().default(false),
    receives: z.partialRecord(z.enum(SEVERITIES), eventsSchema).default({}),
  })
  .refine((audience) => audience.email.length + audience.slack.length > 0, {
    message: 'give the audience at least one email or slack destination',
    path: ['email'],
  });
export type Audience = z.output<typeof audienceSchema>;

export const audiencesSchema = z
  .record(policyKeySchema, audienceSchema)
  .refine((audiences) => Object.keys(audiences).length <= 20, 'at most 20 audiences');

/** Runbook 002's `#incident-response`: one line per declaration and resolution, for the whole team. */
export const announcementsSchema = z.strictObject({ slack: slackTargetSchema });
export type Announcements = z.output<typeof announcementsSchema>;

export const TEMPLATE_NAMES = [
  'internal-update',
  'user-facing-update',
  'stakeholder-notification',
  'post-incident-summary',
] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

/** Template files a team writes instead of the defaults (src/templates/*.eta); relative to the policy file. */
export const templatesPolicySchema = z.partialRecord(
  z.enum(TEMPLATE_NAMES),
  z
    .string()
    .min(1)
    .max(500)
    .regex(/\.eta$/, 'is the path of an .eta template file'),
);
export type TemplatesPolicy = z.output<typeof templatesPolicySchema>;

/** An audience as an incident carries it: what its severity makes it hear, and where. */
export interface IncidentAudience {
  name: string;
  email: string[];
  slack: string[];
  detail: Audience['detail'];
  security: boolean;
  receives: AudienceEvent[];
}

/**
 * Without an `audiences` section: runbook 002. Stakeholders hear of the declaration and get the post-incident
 * summary by email where the severity's `stakeholderEmail` is `all` (SEV-1 also every status update), only the
 * summary where it is `summary-only`; the `security` contact hears security incidents.
 */
export function defaultAudiences(
  severities: Record<Severity, { stakeholderEmail: 'all' | 'summary-only' | 'none' }>,
): Record<string, Audience> {
  const receives = Object.fromEntries(
    SEVERITIES.map((severity): [Severity, AudienceEvent[]] => {
      const email = severities[severity].stakeholderEmail;
      if (email === 'none') return [severity, []];
      if (email === 'summary-only') return [severity, ['post-incident-summary']];
      const updates: AudienceEvent[] = severity === 'SEV-1' ? ['status-update'] : [];
      return [severity, ['declaration', ...updates, 'post-incident-summary']];
    }),
  );
  return {
    stakeholders: { email: ['stakeholders'], slack: [], detail: 'stakeholder', security: false, receives },
    security: { email: ['security'], slack: [], detail: 'internal', security: true, receives: {} },
  };
}

/** The audiences of one severity, as an incident of it carries them. */
export function audiencesFor(audiences: Record<string, Audience>, severity: Severity): IncidentAudience[] {
  return Object.entries(audiences).map(([name, audience]) => ({
    name,
    email: audience.email,
    slack: audience.slack,
    detail: audience.detail,
    security: audience.security,
    receives: audience.receives[severity] ?? [],
  }));
}
