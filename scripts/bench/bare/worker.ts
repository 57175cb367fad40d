import { LogLevel, WebClient } from '@slack/web-api';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { z } from 'zod';
import { createBareActivities } from './activities';

/**
 * The baseline worker, a process of its own so its RSS is measured apart from the bench. Settings come as one
 * JSON argument from the bench (never from the environment): it is not a service anyone configures.
 */
export const BARE_WORKER_READY = 'bare worker: polling';

const settingsSchema = z.object({
  address: z.string().min(1),
  namespace: z.string().min(1),
  taskQueue: z.string().min(1),
  slackApiUrl: z.url(),
  slackToken: z.string().min(1),
});
export type BareWorkerSettings = z.infer<typeof settingsSchema>;

async function main(): Promise<void> {
  const settings = settingsSchema.parse(JSON.parse(process.argv[2] ?? '{}'));
  // The same log level the incident worker runs at by default.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const slack = new WebClient(settings.slackToken, {
    slackApiUrl: settings.slackApiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logLevel: LogLevel.WARN,
  });
  const connection = await NativeConnection.connect({ address: settings.address });
  const worker = await Worker.create({
    connection,
    namespace: settings.namespace,
    taskQueue: settings.taskQueue,
    workflowsPath: require.resolve('./workflows'),
    activities: createBareActivities(slack),
  });
  console.log(`${BARE_WORKER_READY} task queue "${settings.taskQueue}"`);
  try {
    await worker.run();
  } finally {
    await connection.close();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`bare worker: ${(error as Error).message}`);
    process.exit(1);
  });
}
