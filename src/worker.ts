import { DefaultLogger, NativeConnection, Runtime, Worker, type WorkflowBundle } from '@temporalio/worker';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { createActivities, type IntegrationProviders } from './activities';
import { codecDataConverter } from './codec/aes-gcm';
import { configuredProviders } from './activities/defaults';
import { loadConfig, loadPolicy, type AppConfig } from './config';
import { loadIntegrationConfig } from './config/integrations';

/** Builds a worker for the incident task queue; tests pass their own connection and providers. */
export async function createWorker(options: {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  providers: IntegrationProviders;
  /** A prebuilt bundle saves tests the few seconds of bundling per worker. */
  workflowBundle?: WorkflowBundle;
  /** Incidents kept in memory; the SDK's default otherwise. */
  maxCachedWorkflows?: number;
}): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue,
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : { workflowsPath: WORKFLOWS_PATH, bundlerOptions: { preloadModules: PRELOADED_WORKFLOW_MODULES } }),
    activities: createActivities(options.providers),
    // Payload encryption when INCIDENT_CODEC_KEYS is set (the CLI and the API read the same keys).
    dataConverter: codecDataConverter(),
    ...(options.maxCachedWorkflows === undefined ? {} : { maxCachedWorkflows: options.maxCachedWorkflows }),
  });
}

export const WORKFLOWS_PATH = require.resolve('./workflows');

/**
 * Modules evaluated once per worker and shared by every workflow's sandbox, instead of once per workflow. zod holds
 * no per-workflow state; evaluated per workflow, it cost each new or evicted incident tens of milliseconds of its
 * first workflow task and a copy of itself in memory. Every bundle (worker, tests, replay checks) uses the same list.
 */
export const PRELOADED_WORKFLOW_MODULES = ['zod'];

async function main(): Promise<void> {
  const config: AppConfig = loadConfig();
  Runtime.install({ logger: new DefaultLogger(config.logLevel) });
  // An invalid policy file stops the worker here, naming the field, before any incident can use it.
  const policy = loadPolicy(config.policyPath);
  const integrations = loadIntegrationConfig();
  const { connectionOptions, namespace } = loadClientConnectConfig();
  const connection = await NativeConnection.connect(connectionOptions);
  const worker = await createWorker({
    connection,
    namespace: namespace ?? 'default',
    taskQueue: config.taskQueue,
    providers: configuredProviders(policy, config.dirs, integrations),
    maxCachedWorkflows: config.workflowCacheSize,
  });
  console.log(`worker: polling task queue "${config.taskQueue}" in namespace "${namespace ?? 'default'}"`);
  console.log(`worker: policy ${config.policyPath ?? '(built-in defaults)'}, outbox ${config.dirs.outboxDir}`);
  try {
    await worker.run();
  } finally {
    await connection.close();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`worker: ${(error as Error).message}`);
    process.exit(1);
  });
}
