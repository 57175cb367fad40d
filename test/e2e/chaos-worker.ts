import { readFileSync } from 'node:fs';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { configuredProviders } from '../../src/activities/defaults';
import { loadConfig, loadPolicy } from '../../src/config';
import { loadIntegrationConfig } from '../../src/config/integrations';
import { createWorker } from '../../src/worker';

/**
 * The incident worker exactly as src/worker.ts assembles it (same config, providers and createWorker), except
 * that it loads the workflow bundle the chaos test built once (`CHAOS_WORKFLOW_BUNDLE`) instead of bundling at
 * every start: six restarts would otherwise spend most of the test's time budget in webpack.
 */
async function main(): Promise<void> {
  const bundlePath = process.env.CHAOS_WORKFLOW_BUNDLE;
  if (!bundlePath) throw new Error('CHAOS_WORKFLOW_BUNDLE is not set');
  const config = loadConfig();
  Runtime.install({ logger: new DefaultLogger(config.logLevel) });
  const policy = loadPolicy(config.policyPath);
  const { connectionOptions, namespace } = loadClientConnectConfig();
  const connection = await NativeConnection.connect(connectionOptions);
  const worker = await createWorker({
    connection,
    namespace: namespace ?? 'default',
    taskQueue: config.taskQueue,
    providers: configuredProviders(policy, config.dirs, loadIntegrationConfig()),
    workflowBundle: { code: readFileSync(bundlePath, 'utf8') },
  });
  // The line startWorkerProcess waits for.
  console.log(`worker: polling task queue "${config.taskQueue}" in namespace "${namespace ?? 'default'}"`);
  try {
    await worker.run();
  } finally {
    await connection.close();
  }
}

main().catch((error: unknown) => {
  console.error(`worker: ${(error as Error).message}`);
  process.exit(1);
});
