import { z } from 'zod';
import { describeIssues } from '../domain/inputs';
import { ConfigError } from './';

/**
 * Which real providers the worker uses. Each is off until its credentials are set; secrets stay here and in the
 * providers built from them, and never enter workflow inputs, history or logs.
 */
export const INTEGRATION_ENV_VARS = [
  'SLACK_BOT_TOKEN',
  'SLACK_API_URL',
  'SMTP_URL',
  'EMAIL_FROM',
  'STATUSPAGE_API_KEY',
  'STATUSPAGE_PAGE_ID',
  'STATUSPAGE_API_URL',
  'STATUSPAGE_COMPONENT_IDS',
  'STATUSPAGE_REQUESTS_PER_SECOND',
  'PAGERDUTY_ROUTING_KEYS',
  'PAGERDUTY_ROUTING_KEY',
  'PAGERDUTY_EVENTS_URL',
  'PROMETHEUS_URL',
  'GITHUB_TOKEN',
  'GITHUB_REPO',
  'GITHUB_API_URL',
] as const;

const optional = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const routingKeysSchema = optional.transform((text, ctx) => {
  if (text === undefined) return {};
  try {
    return z.record(z.string(), z.string().min(1)).parse(JSON.parse(text));
  } catch {
    // The value is a secret: the message names the variable and the expected shape, never the content.
    ctx.addIssue({ code: 'custom', message: 'must be a JSON object mapping policy targets to routing keys' });
    return z.NEVER;
  }
});

const envSchema = z
  .object({
    SLACK_BOT_TOKEN: optional,
    SLACK_API_URL: optional.pipe(z.url().optional()),
    SMTP_URL: optional.pipe(z.url({ protocol: /^smtps?$/ }).optional()),
    EMAIL_FROM: optional.default('incident-response@localhost'),
    STATUSPAGE_API_KEY: optional,
    STATUSPAGE_PAGE_ID: optional,
    STATUSPAGE_API_URL: optional.pipe(z.url().optional()),
    STATUSPAGE_COMPONENT_IDS: optional.transform((ids) => (ids ? ids.split(',').map((id) => id.trim()) : [])),
    // Statuspage's limit per API token (1/s unless Atlassian raised it for the account).
    STATUSPAGE_REQUESTS_PER_SECOND: optional.pipe(z.coerce.number<string | undefined>().positive().max(100).default(1)),
    PAGERDUTY_ROUTING_KEYS: routingKeysSchema,
    PAGERDUTY_ROUTING_KEY: optional,
    PAGERDUTY_EVENTS_URL: optional.pipe(z.url().optional()),
    PROMETHEUS_URL: optional.pipe(z.url().optional()),
    GITHUB_TOKEN: optional,
    GITHUB_REPO: optional.pipe(
      z
        .string()
        .regex(/^[\w.-]+\/[\w.-]+$/, 'write owner/name')
        .optional(),
    ),
    GITHUB_API_URL: optional.pipe(z.url().optional()),
  })
  .superRefine((env, ctx) => {
    if (env.STATUSPAGE_API_KEY && !env.STATUSPAGE_PAGE_ID) {
      ctx.addIssue({ code: 'custom', path: ['STATUSPAGE_PAGE_ID'], message: 'is required with STATUSPAGE_API_KEY' });
    }
    if (env.GITHUB_TOKEN && !env.GITHUB_REPO) {
      ctx.addIssue({ code: 'custom', path: ['GITHUB_REPO'], message: 'is required with GITHUB_TOKEN' });
    }
  });

export type IntegrationConfig = z.output<typeof envSchema>;

export function loadIntegrationConfig(env: NodeJS.ProcessEnv = process.env): IntegrationConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(`Invalid integration settings: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** Every secret value configured, so logs and tests can prove none of them leaks. */
export function secretValues(config: IntegrationConfig): string[] {
  const smtpPassword = config.SMTP_URL ? decodeURIComponent(new URL(config.SMTP_URL).password) : '';
  return [
    config.SLACK_BOT_TOKEN,
    smtpPassword,
    config.STATUSPAGE_API_KEY,
    config.PAGERDUTY_ROUTING_KEY,
    ...Object.values(config.PAGERDUTY_ROUTING_KEYS),
    config.GITHUB_TOKEN,
  ].filter((value): value is string => typeof value === 'string' && value.length > 0);
}
