import { z } from 'zod';
import { boundedDuration } from '../duration';
import { policyKeySchema } from '../text';

/**
 * A service's named mitigations (runbook 000 §5: rollback, restart, scale, feature flag off, failover, pause
 * consumers, or any custom one), as written in the policy under `services.<name>.actions`. Each is a webhook or
 * a command (argv, no shell); `undo` names the action that reverses it when verification fails.
 *
 * Templates (webhook URL, header values, body) may use {{incidentId}}, {{service}}, {{action}}, {{mitigationId}},
 * {{key}} (the step's idempotency key) and, in headers and body only, {{secret.NAME}}: the worker's environment
 * variable NAME, read when the action runs and never written to the policy, the timeline or history.
 */

export const actionNameSchema = policyKeySchema;
/** Environment variable names as POSIX shells write them. */
export const envNameSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,99}$/, 'is an environment variable name');

export const TEMPLATE_FIELDS = ['incidentId', 'service', 'action', 'mitigationId', 'key'] as const;
export type TemplateFields = Record<(typeof TEMPLATE_FIELDS)[number], string>;
const PLACEHOLDER = /\{\{\s*([^}]*?)\s*\}\}/g;

export function template(
  max: number,
  {
    secrets,
    fields = TEMPLATE_FIELDS,
    captures = false,
  }: { secrets: boolean; fields?: readonly string[]; captures?: boolean },
) {
  return z
    .string()
    .max(max)
    .superRefine((text, ctx) => {
      for (const [, name = ''] of text.matchAll(PLACEHOLDER)) {
        const known = fields.includes(name);
        const secret = secrets && /^secret\.[A-Za-z_][A-Za-z0-9_]{0,99}$/.test(name);
        const captured = captures && /^flow\.[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name);
        if (!known && !secret && !captured) {
          const allowed = [...fields, ...(secrets ? ['secret.NAME'] : []), ...(captures ? ['flow.NAME'] : [])].join(
            ', ',
          );
          ctx.addIssue({ code: 'custom', message: `unknown placeholder {{${name}}}: use ${allowed}` });
        }
      }
    });
}

/** Fills a template; `secret` answers {{secret.NAME}} (undefined: the variable is not set, and the action fails). */
export function fillTemplate(
  text: string,
  fields: Partial<TemplateFields> & Record<string, string>,
  secret: (name: string) => string | undefined = () => undefined,
): { text: string; missing: string[] } {
  const missing: string[] = [];
  const filled = text.replace(PLACEHOLDER, (_whole, name: string) => {
    if (name.startsWith('secret.')) {
      const value = secret(name.slice('secret.'.length));
      if (value === undefined) missing.push(name.slice('secret.'.length));
      return value ?? '';
    }
    const value = fields[name];
    if (value === undefined) missing.push(name);
    return value ?? '';
  });
  return { text: filled, missing };
}

const webhookActionSchema = z.strictObject({
  method: z.enum(['POST', 'PUT', 'PATCH', 'DELETE', 'GET']).default('POST'),
  url: template(2000, { secrets: false }).refine(
    (url) => /^https?:\/\/[^\s]+$/.test(url),
    'must be an http:// or https:// URL',
  ),
  headers: z
    .record(z.string().regex(/^[A-Za-z0-9-]{1,100}$/, 'is a header name'), template(2000, { secrets: true }))
    .default({}),
  body: template(10_000, { secrets: true }).optional(),
});

export const argumentSchema = z
  .string()
  .min(1, 'an argument must not be empty')
  .max(1000)
  .refine((arg) => !/[\p{Cc}\p{Cf}]/u.test(arg), 'an argument must not contain control characters');

const commandActionSchema = z.strictObject({
  argv: z.array(argumentSchema).min(1, 'name the program to run (argv, no shell)').max(50),
  /**
   * The worker's variables the command may see (a deploy tool's credentials). Nothing else passes: not the Slack
   * token, SMTP password or any other worker secret. PATH and the incident's own variables always do.
   */
  env: z.array(envNameSchema).max(50).default([]),
});

export const actionSchema = z
  .strictObject({
    webhook: webhookActionSchema.optional(),
    command: commandActionSchema.optional(),
    /** The action that reverses this one when verification fails; default: the service's rollback. */
    undo: actionNameSchema.optional(),
    timeout: boundedDuration({ min: '1s', max: '30m' }).default(5 * 60_000),
  })
  .superRefine((action, ctx) => {
    if ((action.webhook === undefined) === (action.command === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of command or webhook' });
    }
  });
export type MitigationAction = z.output<typeof actionSchema>;

/** `undo` names another action of the same service (or `rollback`, the service's rollback however written). */
export const serviceActionsSchema = z
  .record(actionNameSchema, actionSchema)
  .refine((actions) => Object.keys(actions).length <= 50, 'at most 50 actions')
  .superRefine((actions, ctx) => {
    for (const [name, action] of Object.entries(actions)) {
      if (action.undo === undefined || action.undo === 'rollback' || action.undo in actions) continue;
      ctx.addIssue({
        code: 'custom',
        path: [name, 'undo'],
        message: `names no action of this service: ${action.undo}`,
      });
    }
  });
