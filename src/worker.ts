import { DefaultLogger, NativeConnection, Runtime, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { Client } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { createActivities, type IntegrationProviders } from './activities';
import type { StatusPageRequest } from './activities/types';
import { codecDataConverter } from './codec/aes-gcm';
import { configuredProviders } from './activities/defaults';
import { loadConfig, loadPolicy, type AppConfig } from './config';
import { loadIntegrationConfig } from './config/integrations';
import { syncDrillsAtStart } from './client/drills';
import { statusPageTaskQueue } from './workflows/task-queues';
import { cachedWorkflowBundle } from './workflow-bundle';
import { loadRecordsConfig } from './config/records';
import { droppedMetricsSinks, IncidentMetrics } from './metrics/registry';
import { openIncidentCounter } from './metrics/open-incidents';
import { providerNames } from './metrics/providers';
import { serveMetrics } from './metrics/server';

/**
 * The incident worker: one Worker on the incident task queue, and one on its status-page queue whose dispatch rate
 * the server holds to the status page provider's limit for all workers together.
 */
export interface IncidentWorker {
  /** Runs both until shutdown; if either fails, the other is shut down too. */
  run(): Promise<void>;
  shutdown(): void;
}

/** Builds the incident worker; tests pass their own connection and providers. */
export async function createWorker(options: {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  providers: IntegrationProviders;
  /** The workflow code to run; without it, the cached bundle of the sources (workflow-bundle.ts). */
  workflowBundle?: WorkflowBundleOption;
  /** Incidents kept in memory; the SDK's default otherwise. */
  maxCachedWorkflows?: number;
  /** Where the workflows' response facts are counted; a worker built without one drops them. */
  metrics?: IncidentMetrics;
  /** How the worker names itself in history (the SDK's pid@host otherwise). */
  identity?: string;
}): Promise<IncidentWorker> {
  const activities = createActivities(options.providers);
  const shared = {
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    // Payload encryption when INCIDENT_CODEC_KEYS is set (the CLI and the API read the same keys).
    dataConverter: codecDataConverter(),
    ...(options.identity === undefined ? {} : { identity: options.identity }),
  };
  const incidents = await Worker.create({
    ...shared,
    taskQueue: options.taskQueue,
    workflowBundle: options.workflowBundle ?? (await cachedWorkflowBundle({ logger: Runtime.instance().logger })),
    activities,
    sinks: options.metrics?.sinks() ?? droppedMetricsSinks,
    ...(options.maxCachedWorkflows === undefined ? {} : { maxCachedWorkflows: options.maxCachedWorkflows }),
  });
  const { updatesPerSecond } = options.providers.statusPage;
  const statusPage = await Worker.create({
    ...shared,
    taskQueue: statusPageTaskQueue(options.taskQueue),
    activities: { publishStatusPage: (request: StatusPageRequest) => activities.publishStatusPage(request) },
    // The server applies the rate to the whole queue; one update at a time here keeps this worker's reads and
    // writes for an incident from overlapping.
    ...(updatesPerSecond === undefined ? {} : { maxTaskQueueActivitiesPerSecond: updatesPerSecond }),
    maxConcurrentActivityTaskExecutions: 1,
  });
  const workers = [incidents, statusPage];
  const shutdown = () => {
    for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
  };
  return {
    async run() {
      const runs = workers.map((worker) =>
        worker.run().catch((error: unknown) => {
          shutdown();
          throw error;
        }),
      );
      await Promise.all(runs.map((run) => run.catch(() => undefined)));
      await Promise.all(runs);
    },
    shutdown,
  };
}

async function main(): Promise<void> {
  const config: AppConfig = loadConfig();
  Runtime.install({ logger: new DefaultLogger(config.logLevel) });
  // An invalid policy file stops the worker here, naming the field, before any incident can use it.
  const policy = loadPolicy(config.policyPath);
  const integrations = loadIntegrationConfig();
  const { connectionOptions, namespace } = loadClientConnectConfig();
  const connection = await NativeConnection.connect(connectionOptions);
  const metrics = new IncidentMetrics({
    providers: providerNames(integrations, loadRecordsConfig().archive),
    countOpen: openIncidentCounter(new Client({ connection, namespace: namespace ?? 'default' })),
  });
  const metricsServer = config.metrics && (await serveMetrics(metrics.registry, config.metrics));
  console.log(
    metricsServer
      ? `worker: Prometheus metrics at ${metricsServer.url}`
      : 'worker: no /metrics (set INCIDENT_METRICS_PORT to serve them)',
  );
  const worker = await createWorker({
    connection,
    namespace: namespace ?? 'default',
    taskQueue: config.taskQueue,
    providers: configuredProviders(policy, config.dirs, integrations),
    maxCachedWorkflows: config.workflowCacheSize,
    metrics,
  });
  console.log(`worker: polling task queue "${config.taskQueue}" in namespace "${namespace ?? 'default'}"`);
  console.log(`worker: policy ${config.policyPath ?? '(built-in defaults)'}, outbox ${config.dirs.outboxDir}`);
  await syncDrillsAtStart(policy.drills, config.taskQueue, (line) => console.log(line));
  try {
    await worker.run();
  } finally {
    await metricsServer?.close();
    await connection.close();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`worker: ${(error as Error).message}`);
    process.exit(1);
  });
}
