import path from 'node:path';
import { z } from 'zod';
import { describeIssues } from '../domain/inputs';
import { PlatformConfigError, type PlatformConfig } from './platform';

/** `npm run start:cluster` and the cluster tests: where the Temporal server and PostgreSQL come from and live. */
export const CLUSTER_ENV_VARS = [
  'TEMPORAL_SERVER_PATH',
  'INCIDENT_POSTGRES_BIN_DIR',
  'INCIDENT_POSTGRES_PORT',
] as const;

export interface ClusterConfig {
  /** A `server` binary with `sql` and `schema/` beside it, instead of the cached build. */
  serverPathOverride: string | undefined;
  /** PostgreSQL's bin directory; by default the newest /usr/lib/postgresql/<version>/bin. */
  postgresBinDir: string | undefined;
  /** 0: a free port at every start. */
  postgresPort: number;
  /** PostgreSQL's data and the server's config, under the data dir so `npm start`'s files sit beside it. */
  dir: string;
}

const optionalPath = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : path.resolve(value)))
  .optional();

const envSchema = z.object({
  TEMPORAL_SERVER_PATH: optionalPath,
  INCIDENT_POSTGRES_BIN_DIR: optionalPath,
  INCIDENT_POSTGRES_PORT: z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a TCP port number (0 for any free one)')
    .transform(Number)
    .refine((value) => value <= 65535, 'must be at most 65535')
    .optional()
    .transform((value) => value ?? 0),
});

export function parseClusterEnv(env: Record<string, string | undefined>, platform: PlatformConfig): ClusterConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new PlatformConfigError(`Invalid environment: ${describeIssues(parsed.error)}`);
  return {
    serverPathOverride: parsed.data.TEMPORAL_SERVER_PATH,
    postgresBinDir: parsed.data.INCIDENT_POSTGRES_BIN_DIR,
    postgresPort: parsed.data.INCIDENT_POSTGRES_PORT,
    dir: path.join(platform.dataDir, 'cluster'),
  };
}
