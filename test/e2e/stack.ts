import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { IncidentService } from '../../src/client/service';
import { loadIntegrationConfig, secretValues } from '../../src/config/integrations';
import type { TimelineEntry } from '../../src/domain/incident';
import type { DeclareInput } from '../../src/domain/inputs';
import { startHealthServer, type FakeHealthServer } from '../fakes/health-server';
import { startFakePagerDutyApi, type FakePagerDutyApi } from '../fakes/pagerduty-api';
import { startFakePrometheus, type FakePrometheusApi } from '../fakes/prometheus-api';
import { FakeSlackApi, type FakeMessage } from '../fakes/slack-api';
import { startFakeSmtp, type FakeSmtpServer } from '../fakes/smtp';
import { startFakeStatuspageApi, type FakeStatuspageApi } from '../fakes/statuspage-api';
import { createDevServerEnv } from '../support/temporal';
import { startWorkerProcess, type WorkerProcess } from './worker-process';

/**
 * One end-to-end rig: a Temporal dev server, every provider's loopback fake, a policy file, and the worker
 * environment that points each provider at its fake with distinctive secrets. Workers run as real processes.
 */

/** Distinctive values, so a leak anywhere (history, logs) is unmistakable. PagerDuty keys are 32 characters. */
export function e2eSecrets() {
  const hex = (bytes: number) => randomBytes(bytes).toString('hex');
  const routingKey = () => `pdkey-e2e-secret-${hex(8)}`.slice(0, 32).padEnd(32, '0');
  return {
    slackToken: `xoxb-e2e-secret-${hex(8)}`,
    smtpPassword: `smtp-e2e-secret-${hex(8)}`,
    statuspageKey: `sp-e2e-secret-${hex(8)}`,
    routingKeys: {
      'primary-oncall': routingKey(),
      'secondary-oncall': routingKey(),
      'engineering-manager': routingKey(),
    },
    defaultRoutingKey: routingKey(),
  };
}
export type E2eSecrets = ReturnType<typeof e2eSecrets>;

export const SLACK_USERS = [
  { id: 'UPRIMARY1', name: 'pat', email: 'oncall@example.com' },
  { id: 'USECOND01', name: 'sam', email: 'oncall2@example.com' },
  { id: 'UMANAGER1', name: 'morgan', email: 'em@example.com' },
  { id: 'UALICE001', name: 'alice', email: 'alice@example.com' },
];

export const STAKEHOLDERS = ['stakeholders@example.com', 'exec@example.com'];
export const COMPONENTS = { cmpCheckout: 'Checkout', cmpApi: 'Public API' };
export const ERROR_RATE_QUERY = 'sum(rate(http_requests_total{service="checkout",code=~"5.."}[5m]))';

export interface Rig {
  env: TestWorkflowEnvironment;
  incidents: IncidentService;
  taskQueue: string;
  dataDir: string;
  postmortemDir: string;
  diagnosticsDir: string;
  secrets: E2eSecrets;
  /** `secretValues()` of the integration config the worker parses from `workerEnv`. */
  secretValues: string[];
  workerEnv: Record<string, string>;
  slack: FakeSlackApi;
  smtp: FakeSmtpServer;
  statuspage: FakeStatuspageApi;
  pagerduty: FakePagerDutyApi;
  health: FakeHealthServer;
  prometheus: FakePrometheusApi;
  /** Every worker process started through the rig, for the log scan and for cleanup. */
  workers: WorkerProcess[];
  startWorker(): Promise<WorkerProcess>;
  declare(input: Partial<DeclareInput> & { id: string }): Promise<void>;
  close(): Promise<void>;
}

export interface RigOptions {
  /** Overrides for SEV-1's policy, durations written as in the policy file (`2s`). */
  sev1: Record<string, unknown>;
  /** Where the Slack provider is pointed, when a test puts something between it and the fake. */
  slackUrl?: (fake: FakeSlackApi) => Promise<string>;
  /** The Temporal server, when the test owns one (to kill and restart it); by default a fresh dev server. */
  temporal?: () => Promise<TestWorkflowEnvironment>;
  /** More of checkout's policy (its actions, say), given the health fake's URL. */
  checkout?: (healthUrl: string) => Record<string, unknown>;
}

export async function startRig(options: RigOptions): Promise<Rig> {
  const cleanups: Array<() => Promise<unknown>> = [];
  const closeAll = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const secrets = e2eSecrets();
    const env = await (options.temporal ?? createDevServerEnv)();
    cleanups.push(() => env.teardown());
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'incident-e2e-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));

    const slack = await FakeSlackApi.start({ token: secrets.slackToken, users: SLACK_USERS });
    cleanups.push(() => slack.close());
    const smtp = await startFakeSmtp({ user: 'incident-bot', password: secrets.smtpPassword });
    cleanups.push(() => smtp.close());
    const statuspage = await startFakeStatuspageApi({ apiKey: secrets.statuspageKey, components: COMPONENTS });
    cleanups.push(() => statuspage.close());
    const pagerduty = await startFakePagerDutyApi();
    cleanups.push(() => pagerduty.close());
    const health = await startHealthServer({
      '/health': { mode: 'healthy', body: JSON.stringify({ status: 'ok', checks: { db: 'up' } }) },
      // A debug endpoint takes its time, as they do: the diagnostics note comes well after the declaration.
      '/debug/vars': { mode: 'slow', delayMs: 500 },
    });
    cleanups.push(() => health.close());
    const prometheus = await startFakePrometheus({ [ERROR_RATE_QUERY]: { vector: [{ value: '0.001' }] } });
    cleanups.push(() => prometheus.close());

    const slackUrl = options.slackUrl ? await options.slackUrl(slack) : slack.url;
    const policyPath = path.join(dataDir, 'policy.json');
    const checkout = options.checkout?.(health.url) ?? {};
    await writeFile(policyPath, JSON.stringify(policyFile(options.sev1, health.url, checkout), null, 2));
    const taskQueue = `e2e-${process.pid}-${randomBytes(3).toString('hex')}`;
    const postmortemDir = path.join(dataDir, 'postmortems');
    const diagnosticsDir = path.join(dataDir, 'diagnostics');
    const workerEnv: Record<string, string> = {
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: env.namespace ?? 'default',
      INCIDENT_POLICY: policyPath,
      INCIDENT_TASK_QUEUE: taskQueue,
      INCIDENT_DATA_DIR: dataDir,
      POSTMORTEM_DIR: postmortemDir,
      DIAGNOSTICS_DIR: diagnosticsDir,
      SLACK_BOT_TOKEN: secrets.slackToken,
      SLACK_API_URL: slackUrl,
      SMTP_URL: smtp.url,
      EMAIL_FROM: 'incidents@example.com',
      STATUSPAGE_API_KEY: secrets.statuspageKey,
      STATUSPAGE_PAGE_ID: statuspage.pageId,
      STATUSPAGE_API_URL: statuspage.url,
      STATUSPAGE_COMPONENT_IDS: Object.keys(COMPONENTS).join(','),
      // The fake keeps no rate limit; at Statuspage's own 1/s, ten incidents closing within a minute would wait on
      // the status-page queue longer than these tests wait for a closed incident to end (the queue's own test
      // holds the real rate: test/activities/status-page/rate-across-workers.test.ts).
      STATUSPAGE_REQUESTS_PER_SECOND: '20',
      PAGERDUTY_ROUTING_KEYS: JSON.stringify(secrets.routingKeys),
      PAGERDUTY_ROUTING_KEY: secrets.defaultRoutingKey,
      PAGERDUTY_EVENTS_URL: pagerduty.url,
      PROMETHEUS_URL: prometheus.url,
    };
    const workers: WorkerProcess[] = [];
    cleanups.push(() => Promise.all(workers.map((worker) => worker.stop())));
    const incidents = new IncidentService(env.client, { taskQueue });

    return {
      env,
      incidents,
      taskQueue,
      dataDir,
      postmortemDir,
      diagnosticsDir,
      secrets,
      secretValues: secretValues(loadIntegrationConfig(workerEnv)),
      workerEnv,
      slack,
      smtp,
      statuspage,
      pagerduty,
      health,
      prometheus,
      workers,
      async startWorker() {
        const worker = await startWorkerProcess(workerEnv);
        workers.push(worker);
        return worker;
      },
      async declare(input) {
        await incidents.declare({
          title: 'Checkout is down',
          severity: 'SEV-1',
          service: 'checkout',
          summary: 'Checkout answers 502 for most requests',
          declaredBy: 'pat',
          ...input,
        });
      },
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

function policyFile(sev1: Record<string, unknown>, healthUrl: string, checkout: Record<string, unknown>) {
  return {
    severities: { 'SEV-1': sev1 },
    // The channel's message order is asserted whole; the prompts for leads are roles.test.ts's subject.
    roles: { promptLeadsFor: [] },
    contacts: {
      'primary-oncall': { email: ['oncall@example.com'], slackUserId: 'UPRIMARY1' },
      'secondary-oncall': { email: ['oncall2@example.com'] },
      'engineering-manager': { email: ['em@example.com'], slackUserId: 'UMANAGER1' },
      stakeholders: { email: STAKEHOLDERS },
    },
    services: {
      checkout: {
        smokeChecks: [
          {
            type: 'http',
            name: 'checkout health',
            url: `${healthUrl}/health`,
            jsonPath: { path: 'checks.db', equals: 'up' },
            maxLatency: '2s',
          },
          {
            type: 'prometheus',
            name: 'error rate at baseline',
            query: ERROR_RATE_QUERY,
            comparison: '<',
            threshold: 0.01,
          },
        ],
        diagnostics: {
          healthEndpoints: [
            { name: 'checkout health', url: `${healthUrl}/health` },
            { name: 'checkout internals', url: `${healthUrl}/debug/vars` },
          ],
          prometheusQueries: [{ name: 'error rate', query: ERROR_RATE_QUERY }],
        },
        ...checkout,
      },
    },
    chat: { responders: ['primary-oncall', 'secondary-oncall'], archiveOnClose: true },
  };
}

/** Polls until `probe` returns a value (not undefined/false), or fails naming what it waited for. */
export async function eventually<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

/** The step key a provider stamped on a Slack message (`incident-<id>/<n>-chat`). */
export function stepKey(message: FakeMessage): string | undefined {
  const key = message.metadata?.event_payload?.key;
  return typeof key === 'string' ? key : undefined;
}

/** Timeline entries of one kind, for assertions that read like the runbook. */
export function entries(timeline: TimelineEntry[], type: TimelineEntry['type']): TimelineEntry[] {
  return timeline.filter((entry) => entry.type === type);
}

/** Deliveries per channel on the timeline: what the workflow believes it sent or gave up on. */
export function deliveries(timeline: TimelineEntry[], channel: string) {
  const of = (type: TimelineEntry['type']) => timeline.filter((e) => e.type === type && e.data?.channel === channel);
  return { sent: of('notification-sent'), failed: of('notification-failed') };
}
