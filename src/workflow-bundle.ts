import type { BundleOptions } from '@temporalio/worker';

/** Where the workflows live: the worker, the tests and the replayer bundle them from here, with the options below. */
export const WORKFLOWS_PATH = require.resolve('./workflows');

const SANDBOX_ZOD = require.resolve('./workflows/sandbox-zod');

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
