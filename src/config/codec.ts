import { z } from 'zod';
import { describeIssues } from '../domain/inputs';
import { ConfigError } from './';

/**
 * Payload encryption (off unless INCIDENT_CODEC_KEYS is set). The worker, the CLI and the API read the same keys;
 * the API also serves them to the Temporal Web UI through /codec/*, from the origins listed here.
 */
export const CODEC_ENV_VARS = ['INCIDENT_CODEC_KEYS', 'INCIDENT_CODEC_CORS_ORIGINS'] as const;

export interface CodecKey {
  id: string;
  key: Buffer;
}

export interface CodecConfig {
  /** The first key encrypts; every key decrypts (rotation: put the new key first, keep the old ones after it). */
  keys: CodecKey[];
  /** Web UI origins allowed to call /codec/* from the browser. */
  corsOrigins: string[];
}

const keySchema = z
  .string()
  .trim()
  .regex(/^[\w.-]{1,64}=[A-Za-z0-9+/_-]+={0,2}$/, 'must be <key id>=<base64 of 32 random bytes>')
  .transform((entry) => {
    const at = entry.indexOf('=');
    return { id: entry.slice(0, at), key: Buffer.from(entry.slice(at + 1), 'base64') };
  })
  .refine(({ key }) => key.length === 32, 'each key must be 32 bytes (AES-256), base64-encoded')
  .array()
  .min(1)
  .refine((keys) => new Set(keys.map((k) => k.id)).size === keys.length, 'key ids must be unique');

const envSchema = z.object({
  INCIDENT_CODEC_KEYS: z
    .string()
    .optional()
    .transform((value) => (value?.trim() ? value.split(',') : undefined))
    .pipe(keySchema.optional()),
  INCIDENT_CODEC_CORS_ORIGINS: z
    .string()
    .optional()
    .transform((value) =>
      (value ?? 'http://localhost:8233')
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.url({ message: 'must be origins like http://localhost:8233' }))),
});

/** undefined when no keys are configured: payloads then travel and rest as plain JSON, as before. */
export function loadCodecConfig(env: Record<string, string | undefined> = process.env): CodecConfig | undefined {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(`Invalid environment: ${describeIssues(parsed.error)}`);
  const { INCIDENT_CODEC_KEYS: keys, INCIDENT_CODEC_CORS_ORIGINS: corsOrigins } = parsed.data;
  return keys === undefined ? undefined : { keys, corsOrigins };
}
