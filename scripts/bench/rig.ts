import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Client, Connection } from '@temporalio/client';
import { IncidentService } from '../../src/client/service';
import { loadPlatformConfig } from '../../src/config/platform';
import { buildPolicy, type Policy } from '../../src/domain/policy';
import { devServerArgs } from '../../src/dev/dev-server';
import { spawnService } from '../../src/dev/supervisor';
import { provisionTemporalCli } from '../../src/dev/temporal-binaries';
import { freePort } from '../../src/dev/test-server-jvm';
import { waitForTemporal } from '../../src/dev/wait-for-server';
import { e2eSecrets, SLACK_USERS, type E2eSecrets } from '../../test/e2e/stack';
import { startFakePagerDutyApi, type FakePagerDutyApi } from '../../test/fakes/pagerduty-api';
import { FakeSlackApi } from '../../test/fakes/slack-api';
import { liveGroups, startBareWorker, startIncidentWorker, type BenchWorker } from './processes';

/**
 * One bench environment: a dev server on a SQLite file (so the journal mode matters), the Slack and PagerDuty
 * fakes, and worker processes on task queues of their own. Everything started is stopped by `close()`.
 */
export interface Rig {
  label: string;
  address: string;
  namespace: string;
  client: Client;
  slack: FakeSlackApi;
  pagerduty: FakePagerDutyApi;
  secrets: E2eSecrets;
  /** The policy the incident workers read (from a file), for the HTTP API built in the bench's process. */
  policy: Policy;
  /** Warning and error lines the dev server logged, for the report. */
  serverLog: string[];
  incidentsOn(taskQueue: string): IncidentService;
  startIncidentWorker(taskQueue: string): Promise<BenchWorker>;
  startBareWorker(taskQueue: string): Promise<BenchWorker>;
  close(): Promise<void>;
}

export interface RigOptions {
  label: string;
  sqlitePragmas: string[];
  /** SEV-1's acknowledge window in seconds: the deadline the timer-lag measurement waits on. */
  ackWindowSeconds: number;
  log: (line: string) => void;
}

export async function startRig(options: RigOptions): Promise<Rig> {
  const cleanups: Array<() => Promise<unknown>> = [];
  const close = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const cli = await provisionTemporalCli(loadPlatformConfig());
    if (cli.source === 'sdk-download') throw new Error(`the bench needs the Temporal CLI: ${cli.unavailable}`);
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'incident-bench-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));

    const namespace = 'default';
    const port = await freePort();
    const args = devServerArgs({
      dbFile: path.join(dataDir, 'temporal.sqlite'),
      port,
      uiPort: await freePort(),
      namespace,
      sqlitePragmas: options.sqlitePragmas,
    });
    const server = spawnService('Temporal dev server', cli.path, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      log: options.log,
    });
    if (server.pid !== undefined) liveGroups.add(server.pid);
    cleanups.push(async () => {
      await server.stop();
      if (server.pid !== undefined) liveGroups.delete(server.pid);
    });
    const serverLog: string[] = [];
    for (const stream of server.output) createInterface({ input: stream }).on('line', (line) => serverLog.push(line));
    let serverEnded: string | undefined;
    void server.ended.then((description) => (serverEnded = description));
    const address = `127.0.0.1:${port}`;
    const admin = await waitForTemporal(address, { timeoutMs: 60_000, namespace, gaveUp: () => serverEnded });
    await admin.close();

    const connection = await Connection.connect({ address });
    cleanups.push(() => connection.close());
    const client = new Client({ connection, namespace });

    const secrets = e2eSecrets();
    const slack = await FakeSlackApi.start({ token: secrets.slackToken, users: SLACK_USERS });
    cleanups.push(() => slack.close());
    const pagerduty = await startFakePagerDutyApi();
    cleanups.push(() => pagerduty.close());

    const policyPath = path.join(dataDir, 'policy.json');
    const policyFile = benchPolicy(options.ackWindowSeconds);
    await writeFile(policyPath, JSON.stringify(policyFile, null, 2));
    const workers: BenchWorker[] = [];
    cleanups.push(() => Promise.all(workers.splice(0).map((worker) => worker.stop())));

    return {
      label: options.label,
      address,
      namespace,
      client,
      slack,
      pagerduty,
      secrets,
      policy: buildPolicy(policyFile),
      serverLog,
      incidentsOn: (taskQueue) => new IncidentService(client, { taskQueue }),
      async startIncidentWorker(taskQueue) {
        const worker = await startIncidentWorker({
          TEMPORAL_ADDRESS: address,
          TEMPORAL_NAMESPACE: namespace,
          INCIDENT_POLICY: policyPath,
          INCIDENT_TASK_QUEUE: taskQueue,
          INCIDENT_DATA_DIR: path.join(dataDir, `worker-${randomBytes(3).toString('hex')}`),
          SLACK_BOT_TOKEN: secrets.slackToken,
          SLACK_API_URL: slack.url,
          PAGERDUTY_ROUTING_KEYS: JSON.stringify(secrets.routingKeys),
          PAGERDUTY_ROUTING_KEY: secrets.defaultRoutingKey,
          PAGERDUTY_EVENTS_URL: pagerduty.url,
        });
        workers.push(worker);
        return worker;
      },
      async startBareWorker(taskQueue) {
        const worker = await startBareWorker({
          address,
          namespace,
          taskQueue,
          slackApiUrl: slack.url,
          slackToken: secrets.slackToken,
        });
        workers.push(worker);
        return worker;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * SEV-1 acknowledges within seconds (the timer-lag run) and escalates once; SEV-2 keeps its defaults, so the
 * latency and throughput runs do the same declaration work with no timer firing while they are measured.
 * Email and the status page use the embedded outbox; Slack and PagerDuty go to the fakes.
 */
function benchPolicy(ackWindowSeconds: number) {
  return {
    severities: {
      'SEV-1': {
        acknowledgeWithin: `${ackWindowSeconds}s`,
        escalationLadder: [{ target: 'secondary-oncall' }, { target: 'engineering-manager', after: '1h' }],
        statusUpdates: { every: '1h', escalateAfter: '1h', target: 'engineering-manager' },
        unresolved: { after: '1h', target: 'engineering-manager' },
      },
    },
    contacts: {
      'primary-oncall': { email: ['oncall@example.com'], slackUserId: 'UPRIMARY1' },
      'secondary-oncall': { email: ['oncall2@example.com'] },
      'engineering-manager': { email: ['em@example.com'], slackUserId: 'UMANAGER1' },
      stakeholders: { email: ['stakeholders@example.com'] },
    },
    chat: { responders: ['primary-oncall', 'secondary-oncall'], archiveOnClose: true },
  };
}
