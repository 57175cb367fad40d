import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { buildPolicy, type Policy } from '../domain/policy';
import { describeIssues } from '../domain/inputs';

/**
 * The one place the worker and CLI read their environment. Temporal connection settings are not here:
 * they follow the standard TEMPORAL_* variables through @temporalio/envconfig.
 */
export const WORKER_ENV_VARS = [
  'INCIDENT_POLICY',
  'INCIDENT_TASK_QUEUE',
  'INCIDENT_OUTBOX_DIR',
  'INCIDENT_DATA_DIR',
  'DIAGNOSTICS_DIR',
  'POSTMORTEM_DIR',
  'INCIDENT_LOG_LEVEL',
  'INCIDENT_WORKFLOW_CACHE_SIZE',
  'INCIDENT_METRICS_PORT',
  'INCIDENT_METRICS_HOST',
] as const;

const envSchema = z.object({
  INCIDENT_POLICY: z.string().min(1).optional(),
  INCIDENT_TASK_QUEUE: z.string().min(1).default('incidents'),
  INCIDENT_DATA_DIR: z.string().min(1).default(path.resolve(__dirname, '../../.data')),
  INCIDENT_OUTBOX_DIR: z.string().min(1).optional(),
  DIAGNOSTICS_DIR: z.string().min(1).optional(),
  POSTMORTEM_DIR: z.string().min(1).optional(),
  /** The worker's log level; INFO includes the workflow bundle report at every start. */
  INCIDENT_LOG_LEVEL: z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR']).default('WARN'),
  /**
   * Open incidents the worker keeps in memory (about 2 MiB each); past it, the least recently active one is evicted
   * and replays from history on its next event. The SDK's default scales with the machine's memory (~5 GB here).
   */
  INCIDENT_WORKFLOW_CACHE_SIZE: z.coerce
    .number({ message: 'must be a whole number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(100_000, 'must be at most 100000')
    .default(500),
  /** Where the worker serves Prometheus' /metrics; unset, it serves none (`npm start` sets 9464). 0 picks a free port. */
  INCIDENT_METRICS_PORT: z.preprocess(
    (value) => (typeof value === 'string' && value.trim() === '' ? undefined : value),
    z.coerce
      .number({ message: 'must be a port number' })
      .int('must be a port number')
      .min(0, 'must be 0-65535')
      .max(65_535, 'must be 0-65535')
      .optional(),
  ),
  INCIDENT_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
});

export interface AppConfig {
  taskQueue: string;
  logLevel: 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** How many incidents the worker keeps cached (maxCachedWorkflows). */
  workflowCacheSize: number;
  policyPath: string | null;
  /** Where the embedded providers keep what they produce. */
  dirs: LocalDirs;
  /** Where /metrics is served, or null when INCIDENT_METRICS_PORT is unset. */
  metrics: { host: string; port: number } | null;
}

export interface LocalDirs {
  outboxDir: string;
  diagnosticsDir: string;
  postmortemDir: string;
  /** Closed incidents, kept past Temporal's retention (INCIDENT_ARCHIVE_DIR or S3: see records.ts). */
  archiveDir: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(`Invalid environment: ${describeIssues(parsed.error)}`);
  const vars = parsed.data;
  return {
    taskQueue: vars.INCIDENT_TASK_QUEUE,
    logLevel: vars.INCIDENT_LOG_LEVEL,
    workflowCacheSize: vars.INCIDENT_WORKFLOW_CACHE_SIZE,
    policyPath: vars.INCIDENT_POLICY ?? null,
    dirs: localDirs(vars.INCIDENT_DATA_DIR, vars),
    metrics:
      vars.INCIDENT_METRICS_PORT === undefined
        ? null
        : { host: vars.INCIDENT_METRICS_HOST, port: vars.INCIDENT_METRICS_PORT },
  };
}

/** Reads and validates the policy file (JSON or YAML); with no file, the defaults from DESIGN.md. */
export function loadPolicy(policyPath: string | null): Policy {
  if (policyPath === null) return buildPolicy();
  let content: unknown;
  try {
    const text = readFileSync(policyPath, 'utf8');
    content = /\.ya?ml$/i.test(policyPath) ? YAML.parse(text) : JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`Cannot read policy file ${policyPath}: ${(error as Error).message}`);
  }
  try {
    const policy = buildPolicy(content);
    // Template files are named relative to the policy file, so the two move together.
    const dir = path.dirname(path.resolve(policyPath));
    const templates = Object.entries(policy.templates).map(([name, file]) => [name, path.resolve(dir, file)]);
    return { ...policy, templates: Object.fromEntries(templates) as Policy['templates'] };
  } catch (error) {
    if (error instanceof z.ZodError)
      throw new ConfigError(`Invalid policy file ${policyPath}: ${describeIssues(error)}`);
    throw error;
  }
}

/** The embedded providers' directories under one data directory, each overridable. */
export function localDirs(
  dataDir: string,
  overrides: { INCIDENT_OUTBOX_DIR?: string; DIAGNOSTICS_DIR?: string; POSTMORTEM_DIR?: string } = {},
): LocalDirs {
  return {
    outboxDir: overrides.INCIDENT_OUTBOX_DIR ?? path.join(dataDir, 'outbox'),
    diagnosticsDir: overrides.DIAGNOSTICS_DIR ?? path.join(dataDir, 'diagnostics'),
    postmortemDir: overrides.POSTMORTEM_DIR ?? path.join(dataDir, 'postmortems'),
    archiveDir: path.join(dataDir, 'archive'),
  };
}
