import { mkdtempSync } from 'node:fs';
import { setTimeout } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WithStartWorkflowOperation, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, type WorkflowBundleOption } from '@temporalio/worker';
import type { IntegrationProviders } from '../../src/activities';
import { embeddedProviders } from '../../src/activities/defaults';
import { Outbox, type OutboxChannel } from '../../src/activities/outbox/store';
import type { TimelineEntry } from '../../src/domain/incident';
import { declareSchema, type DeclareInput } from '../../src/domain/inputs';
import { buildPolicy } from '../../src/domain/policy';
import { localDirs } from '../../src/config';
import type { IncidentMetrics } from '../../src/metrics/registry';
import { createTimeSkippingEnv, incidentSearchAttributeKeys } from '../support/temporal';
import { createWorker, type IncidentWorker } from '../../src/worker';
import { cachedWorkflowBundle } from '../../src/workflow-bundle';
import { incidentWorkflow } from '../../src/workflows';
import { declareUpdate, incidentWorkflowId, stateQuery } from '../../src/workflows/definitions';
import { incidentStaticDetails, incidentStaticSummary } from '../../src/workflows/incident/details';

/** A worker on a fresh task queue against a shared test environment, with a private outbox. */
export interface Harness {
  env: TestWorkflowEnvironment;
  taskQueue: string;
  outbox: Outbox;
  /** Stops the worker, as a crash or a deploy would; incidents wait in Temporal until restartWorker(). */
  stopWorker(): Promise<void>;
  restartWorker(): Promise<void>;
  declare(
    declaration: Partial<DeclareInput>,
    options?: { historyEventLimit?: number },
  ): Promise<WorkflowHandle<typeof incidentWorkflow>>;
  /** Terminates every incident this harness declared, so their timers stop costing time-skipped work. */
  endIncidents(): Promise<void>;
  stop(): Promise<void>;
}

let counter = 0;

/** The default policy plus the contacts a real deployment would configure, so email has somewhere to go. */
export const TEST_POLICY = {
  // Around the clock: a SEV-3/SEV-4 page and its escalations would otherwise wait for business hours, and a test's
  // timings would depend on the hour and weekday CI runs at. business-hours.test.ts sets real hours itself.
  businessHours: { days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '24:00' },
  contacts: {
    stakeholders: { email: ['stakeholders@example.com'] },
    security: { email: ['security@example.com'] },
  },
  // The take-command reminder (on by default) would add its own pages to every path's escalations; the tests of
  // other paths assert theirs alone, and take-command.test.ts tests the default.
  roles: { takeCommandWithin: null },
};

/**
 * TEST_POLICY plus a `checkout` service with a smoke check, for tests whose own smoke tester answers for it: a service
 * without checks resolves only unverified, by its IC.
 */
export const CHECKED_CHECKOUT_POLICY = {
  ...TEST_POLICY,
  services: { checkout: { smokeChecks: [{ name: 'checkout', url: 'http://127.0.0.1:9/health' }] } },
};

/** Activity failures are part of what these tests exercise; only errors are worth printing. */
Runtime.install({ logger: new DefaultLogger('ERROR') });

let bundle: Promise<WorkflowBundleOption> | undefined;

/** Read once per test process from the bundle cache (bundled by the first process after a change). */
export function workflowBundle(): Promise<WorkflowBundleOption> {
  return (bundle ??= cachedWorkflowBundle({ logger: new DefaultLogger('WARN') }));
}

export interface HarnessOptions {
  policy?: unknown;
  override?: (defaults: IntegrationProviders) => Partial<IntegrationProviders>;
  /** Counts what the workers report to /metrics (test/metrics). */
  metrics?: IncidentMetrics;
  /** 0 makes every workflow task replay the incident's whole history first. */
  maxCachedWorkflows?: number;
}

/**
 * A fresh time-skipping server per test: the test server's clock is global and it skips time only when nothing is
 * in flight, so one test's leftovers (a task handed to a worker that has since stopped) would make the next test
 * sleep in real time; and each test starts at today's time of day, as the incidents it declares would.
 */
export async function startTimeSkippingHarness(options: HarnessOptions = {}): Promise<Harness> {
  const env = await createTimeSkippingEnv();
  await registerSearchAttributes(env);
  const harness = await startHarness(env, options);
  return {
    ...harness,
    async stop() {
      await harness.stop();
      await env.teardown();
    },
  };
}

export async function startHarness(env: TestWorkflowEnvironment, options: HarnessOptions = {}): Promise<Harness> {
  const taskQueue = `test-${process.pid}-${++counter}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'incident-data-'));
  const defaults = embeddedProviders(buildPolicy(options.policy ?? TEST_POLICY), localDirs(dataDir));
  const providers = { ...defaults, ...options.override?.(defaults) };
  const newWorker = async (): Promise<{ worker: IncidentWorker; running: Promise<void> }> => {
    const worker = await createWorker({
      connection: env.nativeConnection,
      taskQueue,
      providers,
      workflowBundle: await workflowBundle(),
      ...(options.metrics ? { metrics: options.metrics } : {}),
      ...(options.maxCachedWorkflows === undefined ? {} : { maxCachedWorkflows: options.maxCachedWorkflows }),
    });
    return { worker, running: worker.run() };
  };
  let current: { worker: IncidentWorker; running: Promise<void> } | undefined = await newWorker();
  const stopWorker = async () => {
    const stopping = current;
    current = undefined;
    stopping?.worker.shutdown();
    await stopping?.running;
  };
  const declared: Array<WorkflowHandle<typeof incidentWorkflow>> = [];
  const endIncidents = async () => {
    const ending = declared.splice(0);
    // Activities in flight finish first: one that queries its own incident (startPostmortem) would otherwise wait out
    // the time-skipping server's 30 s query timeout once the incident is terminated under it.
    const settleBy = Date.now() + 5_000;
    await Promise.all(ending.map((handle) => activitiesSettled(handle, settleBy)));
    await Promise.all(ending.map((handle) => handle.terminate('test finished').catch(() => undefined)));
  };
  return {
    env,
    taskQueue,
    outbox: new Outbox(localDirs(dataDir).outboxDir),
    stopWorker,
    async restartWorker() {
      await stopWorker();
      current = await newWorker();
    },
    async declare(declaration, declareOptions = {}) {
      const id = declaration.id ?? `t${process.pid}-${++counter}`;
      const requestId = `declare-${id}`;
      const input: DeclareInput = {
        id,
        title: 'Checkout is down',
        severity: 'SEV-1',
        service: 'checkout',
        ...declaration,
      };
      // As the service does; a declaration a test means the workflow to refuse gets no metadata.
      const parsed = declareSchema.safeParse(input);
      const metadata = parsed.success
        ? { staticSummary: incidentStaticSummary(parsed.data), staticDetails: incidentStaticDetails(parsed.data) }
        : {};
      // The product's path: update-with-start answers once the workflow holds the incident.
      const start = new WithStartWorkflowOperation(incidentWorkflow, {
        taskQueue,
        workflowId: incidentWorkflowId(id),
        workflowIdConflictPolicy: 'FAIL',
        args: [{ declaration: input, requestId, ...declareOptions }],
        ...metadata,
      });
      await env.client.workflow.executeUpdateWithStart(declareUpdate, {
        args: [{ requestId }],
        updateId: requestId,
        startWorkflowOperation: start,
      });
      const handle = await start.workflowHandle();
      declared.push(handle);
      return handle;
    },
    endIncidents,
    async stop() {
      await endIncidents();
      await stopWorker();
    },
  };
}

async function activitiesSettled(handle: WorkflowHandle, by: number): Promise<void> {
  while (Date.now() < by) {
    const described = await handle.describe().catch(() => undefined);
    if (described?.status.name !== 'RUNNING' || (described.raw.pendingActivities ?? []).length === 0) return;
    await setTimeout(50);
  }
}

/** Registers the incident search attributes on a time-skipping server, which rejects undeclared ones. */
export async function registerSearchAttributes(env: TestWorkflowEnvironment): Promise<void> {
  const keyword = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
  await env.connection.operatorService.addSearchAttributes({
    namespace: 'default',
    searchAttributes: Object.fromEntries(incidentSearchAttributeKeys.map((key) => [key.name, keyword])),
  });
}

export async function timelineOf(handle: WorkflowHandle<typeof incidentWorkflow>): Promise<TimelineEntry[]> {
  return (await handle.query(stateQuery)).timeline;
}

/** Escalations as `reason:level:target@minutes-since-declaration`, the shape the tests assert on. */
export async function escalationsOf(handle: WorkflowHandle<typeof incidentWorkflow>): Promise<string[]> {
  const state = await handle.query(stateQuery);
  return state.timeline
    .filter((e) => e.type === 'escalation')
    .map(
      (e) =>
        `${String(e.data?.reason)}:${String(e.data?.level)}:${String(e.data?.target)}@${minutesSince(state.declaredAt, e.at)}`,
    );
}

export async function entriesOf(
  handle: WorkflowHandle<typeof incidentWorkflow>,
  type: TimelineEntry['type'],
): Promise<string[]> {
  const state = await handle.query(stateQuery);
  return state.timeline
    .filter((e) => e.type === type)
    .map((e) => `${e.message}@${minutesSince(state.declaredAt, e.at)}`);
}

export function minutesSince(start: number, at: number): number {
  return Math.round((at - start) / 60_000);
}

/** An outbox channel's payloads for an incident once one matches (deliveries are activities: a moment later). */
export async function outboxPayloadsOf<P>(
  harness: Pick<Harness, 'outbox'>,
  incidentId: string,
  channel: OutboxChannel,
  match: (payload: P) => boolean,
): Promise<P[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const payloads = (await harness.outbox.read({ incidentId, channel })).map((r) => r.payload as P);
    if (payloads.some(match) || Date.now() > deadline) return payloads;
    await setTimeout(100);
  }
}

/** For assert.rejects: an update the workflow refused with a message matching `pattern`. */
export function refusedWith(pattern: RegExp): (error: Error & { cause?: Error }) => boolean {
  return (error) => pattern.test(error.cause?.message ?? '');
}
