import os from 'node:os';
import path from 'node:path';
import { loadClientConfigProfile } from '@temporalio/envconfig';
import { z } from 'zod';

/**
 * The one place the platform tooling (`npm start`, `npm run temporal:install`, test servers) reads its environment.
 * TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE keep their @temporalio/envconfig meaning; the rest are this project's.
 */
export const PLATFORM_ENV_VARS = [
  'TEMPORAL_CLI_PATH',
  'TEMPORAL_TEST_SERVER_PATH',
  'INCIDENT_CACHE_DIR',
  'INCIDENT_DATA_DIR',
  'TEMPORAL_ADDRESS',
  'TEMPORAL_NAMESPACE',
  'TEMPORAL_PORT',
  'TEMPORAL_UI_PORT',
  'XDG_CACHE_HOME',
  'PATH',
] as const;

export const REPO_ROOT = path.resolve(__dirname, '../..');

export interface PlatformConfig {
  /** Explicit binaries; when set they must exist, so a typo is reported rather than silently rebuilt. */
  cliPathOverride: string | undefined;
  testServerPathOverride: string | undefined;
  cacheDir: string;
  dataDir: string;
  /** An existing cluster to use instead of starting the dev server (envconfig: env var or active profile). */
  externalAddress: string | undefined;
  namespace: string;
  port: number;
  uiPort: number;
  pathDirs: string[];
  /** The environment child processes (go, mvn, servers, worker) inherit, so nothing else reads process.env. */
  childEnv: Record<string, string | undefined>;
}

export class PlatformConfigError extends Error {
  override name = 'PlatformConfigError';
}

const optionalPath = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const port = (fallback: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a TCP port number')
    .transform(Number)
    .refine((value) => value >= 1 && value <= 65535, 'must be between 1 and 65535')
    .optional()
    .transform((value) => value ?? fallback);

const envSchema = z.object({
  TEMPORAL_CLI_PATH: optionalPath,
  TEMPORAL_TEST_SERVER_PATH: optionalPath,
  INCIDENT_CACHE_DIR: optionalPath,
  INCIDENT_DATA_DIR: optionalPath,
  XDG_CACHE_HOME: optionalPath,
  TEMPORAL_PORT: port(7233),
  TEMPORAL_UI_PORT: port(8233),
  PATH: z.string().optional(),
});

type Env = Record<string, string | undefined>;

/** Parses an environment (injected so tests never depend on the real one); throws naming the bad variable. */
export function parsePlatformEnv(env: Env, repoRoot: string = REPO_ROOT): PlatformConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = issue.path.join('.');
      return `${name}=${JSON.stringify(env[name] ?? '')} ${issue.message}`;
    });
    throw new PlatformConfigError(`Invalid environment: ${problems.join('; ')}`);
  }
  const vars = parsed.data;
  const cacheHome = vars.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache');
  const profile = loadConnectionProfile(env);
  return {
    cliPathOverride: vars.TEMPORAL_CLI_PATH && path.resolve(vars.TEMPORAL_CLI_PATH),
    testServerPathOverride: vars.TEMPORAL_TEST_SERVER_PATH && path.resolve(vars.TEMPORAL_TEST_SERVER_PATH),
    cacheDir: path.resolve(vars.INCIDENT_CACHE_DIR ?? path.join(cacheHome, 'incident-response')),
    dataDir: path.resolve(repoRoot, vars.INCIDENT_DATA_DIR ?? '.data'),
    externalAddress: profile.address,
    namespace: profile.namespace ?? 'default',
    port: vars.TEMPORAL_PORT,
    uiPort: vars.TEMPORAL_UI_PORT,
    pathDirs: (vars.PATH ?? '').split(path.delimiter).filter((dir) => dir !== ''),
    childEnv: { ...env },
  };
}

/** Same resolution as the worker's `loadClientConnectConfig()`: env vars over the active TOML profile. */
function loadConnectionProfile(env: Env): { address?: string; namespace?: string } {
  const definedEnv = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  try {
    return loadClientConfigProfile({ overrideEnvVars: definedEnv });
  } catch (error) {
    throw new PlatformConfigError(`Invalid Temporal client configuration: ${(error as Error).message}`);
  }
}

export function loadPlatformConfig(): PlatformConfig {
  return parsePlatformEnv(process.env);
}
