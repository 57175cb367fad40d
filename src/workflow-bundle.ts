import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflowCode, type BundleOptions, type Logger, type WorkflowBundleOption } from '@temporalio/worker';

/** Where the workflows live: the worker, the tests and the replayer bundle them from here, with the options below. */
export const WORKFLOWS_PATH = require.resolve('./workflows');

const SANDBOX_ZOD = require.resolve('./workflows/sandbox-zod');
const SOURCES_DIR = __dirname;
const PACKAGE_ROOT = path.resolve(__dirname, '..');
const DEFAULT_CACHE_DIR = path.join(PACKAGE_ROOT, 'node_modules', '.cache', 'incident-workflows');
/** Bundles of other sources (another checkout sharing node_modules, an older deploy) are kept this long. */
const STALE_AFTER_MS = 24 * 60 * 60 * 1000;

/**
 * In the bundle, `import … from 'zod'` gets zod loaded on first use (workflows/sandbox-zod.ts). The worker and the
 * CLI outside the sandbox keep importing zod itself.
 */
export const workflowBundleOptions: Omit<BundleOptions, 'workflowsPath'> = {
  webpackConfigHook: (config) => ({
    ...config,
    resolve: { ...config.resolve, alias: { ...aliases(config.resolve?.alias), zod$: SANDBOX_ZOD } },
  }),
};

function aliases(existing: unknown): Record<string, unknown> {
  if (existing === undefined) return {};
  if (Array.isArray(existing)) throw new Error('the workflow bundler configured aliases as a list');
  return existing as Record<string, unknown>;
}

/**
 * The workflow bundle of the sources as they are now. Bundling takes seconds, which a restarting worker would spend
 * before it fires a single due escalation, so it happens once per change of `src/` or of the installed packages and
 * every later start reads the file. The name is a digest of everything the bundle can contain.
 */
export async function cachedWorkflowBundle(
  options: { cacheDir?: string; logger?: Logger } = {},
): Promise<WorkflowBundleOption> {
  const bundle = () =>
    bundleWorkflowCode({
      workflowsPath: WORKFLOWS_PATH,
      ...workflowBundleOptions,
      ...(options.logger ? { logger: options.logger } : {}),
    });
  const digest = await sourcesDigest();
  if (digest === undefined) {
    options.logger?.warn(`workflow bundle not cached: ${INSTALLED_TREE} is missing (packages not installed by npm)`);
    return { code: (await bundle()).code };
  }
  const cacheDir = options.cacheDir ?? DEFAULT_CACHE_DIR;
  const name = `workflows-${digest}.js`;
  const codePath = path.join(cacheDir, name);
  const cached = await stat(codePath).then(
    () => true,
    () => false,
  );
  if (cached) return { codePath };
  const { code } = await bundle();
  try {
    await mkdir(cacheDir, { recursive: true });
    // Written aside and renamed: a worker starting at the same moment reads a whole bundle or none.
    const partial = `${codePath}.${process.pid}.partial`;
    await writeFile(partial, code);
    await rename(partial, codePath);
  } catch (error) {
    // A read-only install (a locked-down container) still runs, bundling at every start, and says why.
    options.logger?.warn(`workflow bundle not cached in ${cacheDir}: ${(error as Error).message}`);
    return { code };
  }
  await removeStale(cacheDir, name);
  return { codePath };
}

/** npm's record of the installed tree: any install that changes a package the bundle holds changes this file. */
const INSTALLED_TREE = path.join(PACKAGE_ROOT, 'node_modules', '.package-lock.json');

async function sourcesDigest(): Promise<string | undefined> {
  const installed = await readFile(INSTALLED_TREE).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (installed === undefined) return undefined;
  const hash = createHash('sha256');
  const files = (await readdir(SOURCES_DIR, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
  for (const file of files)
    hash
      .update(path.relative(SOURCES_DIR, file))
      .update('\0')
      .update(await readFile(file));
  hash.update('\0').update(installed);
  return hash.digest('hex').slice(0, 16);
}

async function removeStale(cacheDir: string, current: string): Promise<void> {
  for (const name of await readdir(cacheDir)) {
    if (name === current) continue;
    const file = path.join(cacheDir, name);
    // Another process may be removing it too.
    const modified = await stat(file).then(
      ({ mtimeMs }) => mtimeMs,
      () => undefined,
    );
    if (modified !== undefined && Date.now() - modified > STALE_AFTER_MS) await rm(file, { force: true });
  }
}
