import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { describeIssues } from '../domain/inputs';
import { actorSchema } from '../domain/text';
import { ConfigError } from './';

/**
 * The HTTP front door's settings. Tokens live only here (the environment or a file it names), never in the policy
 * file or a workflow input; messages about them name the variable, never the value.
 */
export const API_ENV_VARS = [
  'INCIDENT_API_PORT',
  'INCIDENT_API_HOST',
  'INCIDENT_API_TOKENS',
  'INCIDENT_API_TOKENS_FILE',
  'INCIDENT_API_RATE_LIMIT',
  'SLACK_SIGNING_SECRET',
] as const;

export const API_SCOPES = ['read', 'respond', 'admin', 'alerts'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

/** Who a token speaks for: the actor written on the timeline and what it may do. */
export interface ApiIdentity {
  actor: string;
  scopes: readonly ApiScope[];
}

const tokenEntrySchema = z.strictObject({
  /** Written on the timeline as who acted: the same rule as every `by`. */
  actor: actorSchema,
  scopes: z.array(z.enum(API_SCOPES)).min(1, 'must list at least one scope'),
});

const tokensSchema = z.record(
  z.string().min(16, 'a token must be at least 16 characters').max(512, 'a token must be at most 512 characters'),
  tokenEntrySchema,
);

const port = z.coerce
  .number({ message: 'must be a port number' })
  .int('must be a port number')
  .min(0, 'must be 0-65535')
  .max(65_535, 'must be 0-65535');

const envSchema = z.object({
  INCIDENT_API_PORT: port.default(8080),
  INCIDENT_API_HOST: z.string().min(1).default('127.0.0.1'),
  INCIDENT_API_TOKENS: z.string().optional(),
  INCIDENT_API_TOKENS_FILE: z.string().min(1).optional(),
  /** Requests per minute per token; past it, 429 with Retry-After. */
  INCIDENT_API_RATE_LIMIT: z.coerce
    .number({ message: 'must be a whole number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(1_000_000, 'must be at most 1000000')
    .default(600),
  SLACK_SIGNING_SECRET: z
    .string()
    .optional()
    .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim())),
});

export interface ApiConfig {
  port: number;
  host: string;
  /** Token → identity. Empty when none is configured: every /api/v1 route then answers 401. */
  tokens: ReadonlyMap<string, ApiIdentity>;
  rateLimitPerMinute: number;
  slackSigningSecret: string | undefined;
}

export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(`Invalid environment: ${describeIssues(parsed.error)}`);
  const vars = parsed.data;
  return {
    port: vars.INCIDENT_API_PORT,
    host: vars.INCIDENT_API_HOST,
    tokens: loadTokens(vars.INCIDENT_API_TOKENS, vars.INCIDENT_API_TOKENS_FILE),
    rateLimitPerMinute: vars.INCIDENT_API_RATE_LIMIT,
    slackSigningSecret: vars.SLACK_SIGNING_SECRET,
  };
}

function loadTokens(inline: string | undefined, file: string | undefined): Map<string, ApiIdentity> {
  if (inline !== undefined && inline.trim() !== '' && file !== undefined) {
    throw new ConfigError('Set INCIDENT_API_TOKENS or INCIDENT_API_TOKENS_FILE, not both');
  }
  let text = inline;
  let source = 'INCIDENT_API_TOKENS';
  if (file !== undefined) {
    source = `INCIDENT_API_TOKENS_FILE (${file})`;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new ConfigError(`Cannot read ${source}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
    }
  }
  if (text === undefined || text.trim() === '') return new Map();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // The content is secret: say what shape is expected, never echo it.
    throw new ConfigError(`${source} must be a JSON object mapping each token to { "actor": …, "scopes": […] }`);
  }
  const parsed = tokensSchema.safeParse(json);
  if (!parsed.success) {
    // Paths would name the token itself; report the entry's position instead.
    const tokens = json !== null && typeof json === 'object' ? Object.keys(json) : [];
    const issues = parsed.error.issues.map((issue) => {
      const [token, ...rest] = issue.path;
      const at = typeof token === 'string' ? `token #${tokens.indexOf(token) + 1}` : 'tokens';
      return `${[at, ...rest.map(String)].join('.')}: ${issue.message}`;
    });
    throw new ConfigError(`Invalid ${source}: ${issues.join('; ')}`);
  }
  return new Map(Object.entries(parsed.data));
}
