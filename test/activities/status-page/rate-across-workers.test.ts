import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { IncidentService } from '../../../src/client/service';
import { DEV_SERVER_DYNAMIC_CONFIG_ARGS } from '../../../src/dev/server-settings';
import { WORKFLOWS_PATH, workflowBundleOptions } from '../../../src/workflow-bundle';
import { incidentWorkflowId } from '../../../src/workflows/definitions';
import { eventually } from '../../e2e/stack';
import { startWorkerProcess, type WorkerProcess } from '../../e2e/worker-process';
import { startFakeStatuspageApi } from '../../fakes/statuspage-api';
import { incidentSearchAttributeKeys, provisionedCli } from '../../support/temporal';

/**
 * Two worker processes (each with its own in-process throttle, as on two machines) share one Statuspage token. The
 * status-page task queue's dispatch rate, which the server holds for both, keeps the requests within the token's
 * limit. The limit is raised to 4/s so that enough requests to exceed it (20 declarations, 40 requests) take seconds.
 */
const REQUESTS_PER_SECOND = 4;
const WINDOW_MS = 5_000;
const INCIDENTS = 20;

test('two workers together stay within the Statuspage token’s rate', async (t) => {
  const cleanups: Array<() => Promise<unknown>> = [];
  t.after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });
  const root = await mkdtemp(path.join(tmpdir(), 'statuspage-rate-'));
  cleanups.push(() => rm(root, { recursive: true, force: true }));
  const bundlePath = path.join(root, 'workflows.js');
  const bundled = bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    ...workflowBundleOptions,
    logger: new DefaultLogger('WARN'),
  });

  const cli = await provisionedCli();
  // One partition, as the README asks for this queue in production: the rate is split across partitions otherwise.
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: cli.executable,
      searchAttributes: incidentSearchAttributeKeys,
      extraArgs: [
        ...DEV_SERVER_DYNAMIC_CONFIG_ARGS,
        ...['--dynamic-config-value', 'matching.numTaskqueueReadPartitions=1'],
        ...['--dynamic-config-value', 'matching.numTaskqueueWritePartitions=1'],
      ],
    },
  });
  cleanups.push(() => env.teardown());
  const statuspage = await startFakeStatuspageApi();
  cleanups.push(() => statuspage.close());
  await writeFile(bundlePath, (await bundled).code);

  const taskQueue = `statuspage-rate-${process.pid}`;
  const workers: WorkerProcess[] = [];
  cleanups.push(() => Promise.all(workers.map((worker) => worker.stop())));
  const startWorker = async (name: string) =>
    startWorkerProcess(
      {
        TEMPORAL_ADDRESS: env.address,
        TEMPORAL_NAMESPACE: 'default',
        INCIDENT_TASK_QUEUE: taskQueue,
        INCIDENT_DATA_DIR: path.join(root, name),
        INCIDENT_LOG_LEVEL: 'WARN',
        STATUSPAGE_API_KEY: statuspage.apiKey,
        STATUSPAGE_PAGE_ID: statuspage.pageId,
        STATUSPAGE_API_URL: statuspage.url,
        STATUSPAGE_COMPONENT_IDS: 'cmpCheckout',
        STATUSPAGE_REQUESTS_PER_SECOND: String(REQUESTS_PER_SECOND),
        CHAOS_WORKFLOW_BUNDLE: bundlePath,
      },
      60_000,
      'test/e2e/chaos-worker.ts',
    );
  workers.push(...(await Promise.all([startWorker('a'), startWorker('b')])));

  const incidents = new IncidentService(env.client, { taskQueue });
  const ids = Array.from({ length: INCIDENTS }, (_, i) => `rate-${process.pid}-${i}`);
  await Promise.all(
    ids.map((id) =>
      incidents.declare({
        id,
        title: `Checkout is down ${id}`,
        severity: 'SEV-1',
        service: 'checkout',
        declaredBy: 'pat',
      }),
    ),
  );
  await eventually(
    'every incident on the status page',
    () => statuspage.incidents.size === INCIDENTS && statuspage.requests.length >= 2 * INCIDENTS,
    90_000,
  );

  const times = statuspage.requests.map((request) => request.at).sort((a, b) => a - b);
  const busiest = Math.max(...times.map((from) => times.filter((at) => at >= from && at < from + WINDOW_MS).length));
  // One request over: a request dispatched on time can reach the fake right behind one a busy worker delayed.
  // Without the queue's rate the two workers sent 26 in this window.
  const budget = (REQUESTS_PER_SECOND * WINDOW_MS) / 1000 + 1;
  assert.ok(busiest <= budget, `${busiest} requests within ${WINDOW_MS} ms (budget ${budget})`);
  assert.deepEqual(
    [...statuspage.incidents.values()].map((incident) => incident.status),
    ids.map(() => 'investigating'),
  );

  // Both workers took status-page updates: the rate held across them, not because one did all the work.
  const identities = new Set<string>();
  for (const id of ids) {
    const { events } = await env.client.workflow.getHandle(incidentWorkflowId(id)).fetchHistory();
    const scheduled = new Set(
      (events ?? [])
        .filter((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'publishStatusPage')
        .map((event) => Number(event.eventId)),
    );
    for (const event of events ?? []) {
      const started = event.activityTaskStartedEventAttributes;
      if (started && scheduled.has(Number(started.scheduledEventId)) && started.identity) {
        identities.add(started.identity);
      }
    }
  }
  assert.equal(identities.size, 2, `status-page updates ran on ${[...identities].join(', ')}`);
});
