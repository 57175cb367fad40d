import { constants } from 'node:fs';
import { access, mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import type { EphemeralServerExecutable } from '@temporalio/testing';
import type { PlatformConfig } from '../config/platform';
import { temporalCliBuilder, testServerBuilder, type Builder } from './builders';
import { stderrLog, type Log } from './run-command';

/**
 * Finds or makes the two Temporal servers the project runs on, in this order: env override, `temporal` on PATH
 * (CLI only), the cache outside the repo, a build from the package registries, and last the SDK's own download
 * (which needs the internet, so it is only a promise: `unavailable` explains what to do if it fails too).
 */

export interface BinarySpec {
  id: 'temporal-cli' | 'temporal-test-server' | 'temporal-server';
  label: string;
  envVar: 'TEMPORAL_CLI_PATH' | 'TEMPORAL_TEST_SERVER_PATH' | 'TEMPORAL_SERVER_PATH';
  /** A command name worth taking from PATH; the test server has no conventional one. */
  pathCommand?: string;
  builder: Builder;
}

export const TEMPORAL_CLI: BinarySpec = {
  id: 'temporal-cli',
  label: 'Temporal CLI (dev server)',
  envVar: 'TEMPORAL_CLI_PATH',
  pathCommand: 'temporal',
  builder: temporalCliBuilder,
};

export const TEMPORAL_TEST_SERVER: BinarySpec = {
  id: 'temporal-test-server',
  label: 'Temporal time-skipping test server',
  envVar: 'TEMPORAL_TEST_SERVER_PATH',
  builder: testServerBuilder,
};

export interface ProvisionOptions {
  override: string | undefined;
  cacheDir: string;
  pathDirs: string[];
  env: Record<string, string | undefined>;
  log?: Log;
  signal?: AbortSignal;
  /** How long a second process waits for another one's build (a cold Go build takes minutes). */
  lockWaitMs?: number;
}

export type Provisioned =
  | { source: 'env' | 'path' | 'cache' | 'built'; path: string; executable: EphemeralServerExecutable }
  | { source: 'sdk-download'; executable: EphemeralServerExecutable; unavailable: string };

export class BinaryUnavailableError extends Error {
  override name = 'BinaryUnavailableError';
}

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

export async function findOnPath(command: string, pathDirs: string[]): Promise<string | undefined> {
  for (const dir of pathDirs) {
    const candidate = path.join(dir, command);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

async function findInCache(spec: BinarySpec, cacheDir: string): Promise<string | undefined> {
  for (const entry of spec.builder.cacheEntries) {
    const candidate = path.join(cacheDir, entry.dirName, entry.binary);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

const found = (source: 'env' | 'path' | 'cache' | 'built', file: string): Provisioned => ({
  source,
  path: file,
  executable: { type: 'existing-path', path: file },
});

export async function provisionBinary(spec: BinarySpec, options: ProvisionOptions): Promise<Provisioned> {
  const log = options.log ?? stderrLog;
  if (options.override !== undefined) {
    // An explicit override that is wrong is a mistake to report, not a reason to build something else.
    if (await isExecutableFile(options.override)) return found('env', options.override);
    throw new BinaryUnavailableError(`${spec.envVar}=${options.override} is not an executable file.`);
  }
  if (spec.pathCommand !== undefined) {
    const onPath = await findOnPath(spec.pathCommand, options.pathDirs);
    if (onPath !== undefined) return found('path', onPath);
  }
  const cached = await findInCache(spec, options.cacheDir);
  if (cached !== undefined) return found('cache', cached);

  const tools: Record<string, string> = {};
  const missingTools: string[] = [];
  for (const tool of spec.builder.tools) {
    const toolPath = await findOnPath(tool, options.pathDirs);
    if (toolPath === undefined) missingTools.push(tool);
    else tools[tool] = toolPath;
  }
  let buildProblem: string;
  if (missingTools.length > 0) {
    buildProblem = `cannot build it: ${missingTools.map((tool) => `\`${tool}\``).join(' and ')} not found on PATH`;
  } else {
    try {
      const outcome = await buildUnderLock(spec, options, tools, log);
      return found(outcome.built ? 'built' : 'cache', outcome.path);
    } catch (error) {
      if (options.signal?.aborted) throw error;
      buildProblem = `building it failed: ${(error as Error).message}`;
    }
  }
  const unavailable = describeUnavailable(spec, options, buildProblem);
  log(`[${spec.id}] not available locally; falling back to the Temporal SDK's download (needs internet).`);
  return { source: 'sdk-download', executable: { type: 'cached-download' }, unavailable };
}

function describeUnavailable(spec: BinarySpec, options: ProvisionOptions, buildProblem: string): string {
  const looked = [`${spec.envVar} is not set`];
  if (spec.pathCommand !== undefined) looked.push(`no \`${spec.pathCommand}\` on PATH`);
  looked.push(`nothing cached in ${options.cacheDir}`, buildProblem);
  return [
    `${spec.label} is not available: ${looked.join('; ')}.`,
    `To supply it, ${spec.builder.toolHint} and run \`npm run temporal:install\`,`,
    `or set ${spec.envVar} to an existing executable. With internet access the Temporal SDK downloads it itself.`,
  ].join('\n');
}

async function buildUnderLock(
  spec: BinarySpec,
  options: ProvisionOptions,
  tools: Record<string, string>,
  log: Log,
): Promise<{ path: string; built: boolean }> {
  const { cacheDir } = options;
  await mkdir(cacheDir, { recursive: true });
  const lockfilePath = path.join(cacheDir, `${spec.id}.lock`);
  const lockOptions = {
    lockfilePath,
    // The holder refreshes the lock every 5 s; one untouched for 30 s belongs to a process that died.
    stale: 30_000,
    update: 5_000,
    onCompromised: (error: Error) => log(`[${spec.id}] lock ${lockfilePath} compromised: ${error.message}`),
  };
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(cacheDir, lockOptions);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    log(`[${spec.id}] another process is provisioning it (lock ${lockfilePath}); waiting for it...`);
    const maxTimeout = 1_000;
    const retries = Math.ceil((options.lockWaitMs ?? 30 * 60_000) / maxTimeout);
    release = await lockfile.lock(cacheDir, { ...lockOptions, retries: { retries, minTimeout: 100, maxTimeout } });
  }
  try {
    // Whoever held the lock before us may have just finished the same build.
    const cached = await findInCache(spec, cacheDir);
    if (cached !== undefined) return { path: cached, built: false };
    return { path: await buildAndInstall(spec, options, tools, log), built: true };
  } finally {
    await release();
  }
}

async function buildAndInstall(
  spec: BinarySpec,
  options: ProvisionOptions,
  tools: Record<string, string>,
  log: Log,
): Promise<string> {
  const { cacheDir } = options;
  const started = Date.now();
  log(`[${spec.id}] building ${spec.label} into ${cacheDir} (first run only; this can take minutes)...`);
  // Built beside its final place and renamed in one step, so no reader ever sees half an install.
  const workDir = await mkdtemp(path.join(cacheDir, `.build-${spec.id}-`));
  const context = { cacheDir, tools, env: options.env, log, signal: options.signal };
  try {
    const { dirName, builtDir } = await spec.builder.build({ ...context, workDir });
    const finalDir = path.join(cacheDir, dirName);
    await rm(finalDir, { recursive: true, force: true });
    await rename(builtDir, finalDir);
    await spec.builder.afterInstall?.(finalDir, context);
    const binary = await findInCache(spec, cacheDir);
    if (binary === undefined) throw new Error(`the build finished but left no executable in ${finalDir}`);
    log(`[${spec.id}] ready in ${((Date.now() - started) / 1000).toFixed(0)}s: ${binary}`);
    return binary;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

function optionsFrom(config: PlatformConfig, override: string | undefined, extra: Partial<ProvisionOptions>) {
  return { override, cacheDir: config.cacheDir, pathDirs: config.pathDirs, env: config.childEnv, ...extra };
}

export function provisionTemporalCli(config: PlatformConfig, extra: Partial<ProvisionOptions> = {}) {
  return provisionBinary(TEMPORAL_CLI, optionsFrom(config, config.cliPathOverride, extra));
}

export function provisionTestServer(config: PlatformConfig, extra: Partial<ProvisionOptions> = {}) {
  return provisionBinary(TEMPORAL_TEST_SERVER, optionsFrom(config, config.testServerPathOverride, extra));
}
