import { NativeConnection, Worker } from '@temporalio/worker';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { createActivities, type IntegrationProviders } from './activities';
import { embeddedProviders } from './activities/defaults';
import { loadConfig, loadPolicy, type AppConfig } from './config';

/** Builds a worker for the incident task queue; tests pass their own connection and providers. */
export async function createWorker(options: {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  providers: IntegrationProviders;
}): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue,
    workflowsPath: require.resolve('./workflows'),
    activities: createActivities(options.providers),
  });
}

async function main(): Promise<void> {
  const config: AppConfig = loadConfig();
  // An invalid policy file stops the worker here, naming the field, before any incident can use it.
  const policy = loadPolicy(config.policyPath);
  const { connectionOptions, namespace } = loadClientConnectConfig();
  const connection = await NativeConnection.connect(connectionOptions);
  const worker = await createWorker({
    connection,
    namespace: namespace ?? 'default',
    taskQueue: config.taskQueue,
    providers: embeddedProviders(policy, config.outboxDir),
  });
  console.log(`worker: polling task queue "${config.taskQueue}" in namespace "${namespace ?? 'default'}"`);
  console.log(`worker: policy ${config.policyPath ?? '(built-in defaults)'}, outbox ${config.outboxDir}`);
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
