import path from 'node:path';
import { z } from 'zod';
import { boundedDuration } from '../domain/duration';
import { describeIssues } from '../domain/inputs';
import { ConfigError } from './';

/**
 * How long the record of an incident is kept: Temporal's retention for closed workflows (applied by `npm start` and
 * the compose setup), and the archive every closed incident is written to, which keeps it past that retention.
 */
export const RECORDS_ENV_VARS = [
  'INCIDENT_RETENTION',
  'INCIDENT_DATA_DIR',
  'INCIDENT_ARCHIVE_DIR',
  'INCIDENT_ARCHIVE_S3_BUCKET',
  'INCIDENT_ARCHIVE_S3_PREFIX',
  'INCIDENT_ARCHIVE_S3_ENDPOINT',
  'INCIDENT_ARCHIVE_S3_REGION',
] as const;

/** The dev server creates `default` with 24 h; closed incidents then vanish a day after they close. */
export const DEFAULT_RETENTION = '90d';

const optional = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const envSchema = z.object({
  /** Temporal accepts at least one day; years of closed workflows belong in the archive, not the server. */
  INCIDENT_RETENTION: optional
    .transform((value) => value ?? DEFAULT_RETENTION)
    .pipe(boundedDuration({ min: '1d', max: '3650d' })),
  INCIDENT_DATA_DIR: optional,
  INCIDENT_ARCHIVE_DIR: optional,
  INCIDENT_ARCHIVE_S3_BUCKET: optional.pipe(
    z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name')
      .optional(),
  ),
  INCIDENT_ARCHIVE_S3_PREFIX: optional.pipe(z.string().default('incidents/')),
  INCIDENT_ARCHIVE_S3_ENDPOINT: optional.pipe(z.url({ message: 'must be a URL' }).optional()),
  INCIDENT_ARCHIVE_S3_REGION: optional.pipe(z.string().default('us-east-1')),
});

/** Where closed incidents are archived: files under a directory, or objects in an S3-compatible bucket. */
export type ArchiveConfig =
  | { kind: 'directory'; dir: string }
  | {
      kind: 's3';
      bucket: string;
      prefix: string;
      region: string;
      /** An S3-compatible server (MinIO, Ceph, ...); path-style addressing then. AWS itself when absent. */
      endpoint?: string;
    };

export interface RecordsConfig {
  retentionMs: number;
  archive: ArchiveConfig;
}

/** Credentials for S3 come from the AWS SDK's own chain (AWS_ACCESS_KEY_ID, profiles, instance roles). */
export function loadRecordsConfig(
  env: NodeJS.ProcessEnv = process.env,
  defaultDataDir = path.resolve(__dirname, '../../.data'),
): RecordsConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(`Invalid environment: ${describeIssues(parsed.error)}`);
  const vars = parsed.data;
  const archive: ArchiveConfig = vars.INCIDENT_ARCHIVE_S3_BUCKET
    ? {
        kind: 's3',
        bucket: vars.INCIDENT_ARCHIVE_S3_BUCKET,
        prefix: vars.INCIDENT_ARCHIVE_S3_PREFIX,
        region: vars.INCIDENT_ARCHIVE_S3_REGION,
        ...(vars.INCIDENT_ARCHIVE_S3_ENDPOINT ? { endpoint: vars.INCIDENT_ARCHIVE_S3_ENDPOINT } : {}),
      }
    : {
        kind: 'directory',
        dir: path.resolve(vars.INCIDENT_ARCHIVE_DIR ?? path.join(vars.INCIDENT_DATA_DIR ?? defaultDataDir, 'archive')),
      };
  return { retentionMs: vars.INCIDENT_RETENTION, archive };
}
