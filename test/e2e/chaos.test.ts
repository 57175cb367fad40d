import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { IncidentService } from '../../src/client/service';
import type { TimelineEntry } from '../../src/domain/incident';
import { WORKFLOWS_PATH, workflowBundleOptions } from '../../src/workflow-bundle';
import { incidentWorkflowId } from '../../src/workflows/definitions';
import { provisionedCli } from '../support/temporal';
import { CHAOS_SEV1, IncidentDriver, planIncidents, type DrivenIncident } from './chaos-driver';
import { ChaosMonkey, planChaos } from './chaos-monkey';
import {
  appliedTwice,
  checkEscalations,
  duplicatePages,
  duplicatePosts,
  pageDedupKey,
  type LatenessRow,
} from './chaos-oracle';
import { chaosSeed, Random } from './chaos-random';
import { killableDevServer, type KillableDevServer } from './chaos-server';
import { startRig, stepKey, type Rig } from './stack';
import { startWorkerProcess, type WorkerProcess } from './worker-process';

/**
 * Crash proof: ten SEV-1s driven from declaration to close while the worker process is SIGKILLed five times and
 * the dev server once, each restarted (the server on its SQLite file, as `npm start` runs it). Some incidents are
 * acknowledged at once, some after the first escalation fell due, some after the second. Afterwards every
 * incident is closed, every due escalation fired exactly once (timeline and PagerDuty), nothing else escalated,
 * and no chat post or page reached anyone twice. One seed decides every choice: CHAOS_SEED=<seed> replays it.
 */

const INCIDENTS = 10;
const SEED = chaosSeed(process.env.CHAOS_SEED);
const loadedAt = Date.now();

let server: KillableDevServer | undefined;
let dbDir: string | undefined;
let rig: Rig | undefined;
let bundlePath: string | undefined;

const elapsed = (from: number) => `${((Date.now() - from) / 1000).toFixed(1)} s`;

before(async () => {
  console.log(`chaos seed ${SEED} (replay: CHAOS_SEED=${SEED} npx tsx --test test/e2e/chaos.test.ts)`);
  const cli = await provisionedCli();
  // The test kills and restarts the dev server on its own SQLite file, which needs the CLI binary itself.
  if (cli.source === 'sdk-download') assert.fail(`no provisioned Temporal CLI: ${cli.unavailable}`);
  dbDir = await mkdtemp(path.join(os.tmpdir(), 'incident-chaos-'));
  const devServer = await killableDevServer({ cliPath: cli.path, dbFile: path.join(dbDir, 'temporal.db') });
  server = devServer;
  const bundled = bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    ...workflowBundleOptions,
    logger: new DefaultLogger('WARN'),
  });
  await devServer.start();
  bundlePath = path.join(dbDir, 'workflow-bundle.js');
  await writeFile(bundlePath, (await bundled).code);
  rig = await startRig({
    sev1: CHAOS_SEV1,
    temporal: () =>
      TestWorkflowEnvironment.createFromExistingServer({ address: devServer.address, namespace: devServer.namespace }),
  });
});

after(async () => {
  await rig?.close();
  await server?.stop();
  if (dbDir) await rm(dbDir, { recursive: true, force: true });
  console.log(`chaos test took ${elapsed(loadedAt)}`);
});

test(`${INCIDENTS} incidents through 5 worker kills and a server kill`, { timeout: 240_000 }, async () => {
  assert.ok(rig && server);
  const random = new Random(SEED);
  const plans = planIncidents(random, SEED.toString(36), INCIDENTS);
  const events = planChaos(random, { workerKills: 5, windowMs: [3_000, 45_000] });
  for (const plan of plans) {
    console.log(
      `plan ${plan.id}: declare +${plan.declareAfterMs} ms, ack ${plan.ack}, linger ${plan.lingerMs} ms before resolving`,
    );
  }
  console.log(`plan chaos: ${events.map((e) => `${e.what} +${e.atMs} ms (down ${e.downMs} ms)`).join(', ')}`);

  const firstWorker = await startWorker();
  const startedAt = Date.now();
  const log = (line: string) => console.log(`[+${elapsed(startedAt)}] ${line}`);
  // A short answer timeout makes commands fail (and be retried) while the worker is away, instead of waiting.
  const incidents = new IncidentService(rig.env.client, { taskQueue: rig.taskQueue, answerTimeoutMs: 8_000 });
  const driver = new IncidentDriver(incidents, log);
  const monkey = new ChaosMonkey({ server, startWorker }, firstWorker, log);

  const driving = Promise.allSettled(plans.map((plan) => driver.drive(plan, startedAt)));
  const [outcomes] = await Promise.all([driving, monkey.run(events, startedAt, driving)]);
  log('every incident driven to close; checking');
  const failedToDrive = outcomes.flatMap((o) => (o.status === 'rejected' ? [String(o.reason)] : []));
  assert.deepEqual(failedToDrive, [], 'every incident could be driven through its lifecycle');
  const driven = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));

  assert.deepEqual(
    monkey.kills.map((k) => k.what).sort(),
    ['server', 'worker', 'worker', 'worker', 'worker', 'worker'],
    'five worker kills and one server kill happened',
  );
  const retried = driven.flatMap((d) =>
    [...d.commands.values()].filter((c) => c.attempts.length > 1).map((c) => `${d.plan.id} ${c.command}`),
  );
  console.log(`commands retried: ${retried.length} (${retried.join(', ')})`);
  for (const anomaly of driver.anomalies) console.log(`anomaly: ${anomaly}`);
  if (monkey.unexpectedExits.length > 0)
    console.log(`workers that died on their own: ${monkey.unexpectedExits.join('; ')}`);

  const failures: string[] = [];
  const lateness: LatenessRow[] = [];
  const pages = rig.pagerduty.events;
  const declarationSkews: Array<[string, number]> = [];
  // Every workflow ends before anything is counted, so no delivery lands after the checks.
  const ended = await Promise.all(driven.map((incident) => completion(rig!, incident.plan.id)));
  for (const [i, incident] of driven.entries()) {
    const { id } = incident.plan;
    const view = await driver.answer(id, Date.now() + 20_000).catch(async (error: Error) => {
      failures.push(`${id} does not answer once ended: ${error.message} (history: ${await saveHistory(rig!, id)})`);
      return undefined;
    });
    if (!view) continue;
    const declareSentAt = incident.commands.get('declare')?.attempts[0]?.sentAt ?? view.declaredAt;
    declarationSkews.push([id, view.declaredAt - declareSentAt]);
    if (view.status !== 'closed') failures.push(`${id} ended ${view.status}, not closed`);
    if (ended[i] !== 'COMPLETED') failures.push(`${id}: the workflow is ${ended[i]}`);
    const timeline: TimelineEntry[] = await driver.read(() => incidents.timeline(id));
    const verdict = checkEscalations(incident, timeline, pages, rig.secrets.routingKeys);
    const found = [
      ...appliedTwice(id, timeline),
      ...verdict.failures,
      ...channelDuplicates(rig, incident),
      ...declarationPaged(rig, incident),
    ];
    if (found.length > 0) console.log(story(incident, timeline, startedAt));
    failures.push(...found);
    lateness.push(...verdict.lateness);
  }
  failures.push(...duplicatePages(pages, monkey.kills));
  failures.push(...emailDuplicates(rig));
  failures.push(...(await replayFailures(rig, driven)));

  printLateness(lateness);
  const [skewed, skew] = declarationSkews.sort((a, b) => b[1] - a[1])[0] ?? ['-', 0];
  // The ack clock starts at the recorded declaration: a declaration recorded late delays every escalation after it.
  console.log(`declaration recorded up to ${skew} ms after it was sent (${skewed})`);
  console.log(`driving and checks took ${elapsed(startedAt)}`);
  assert.deepEqual(failures, [], 'every incident closed, every due escalation once, nothing delivered twice');
});

/** The rig's worker, started from the bundle built once (see chaos-worker.ts); the rig stops it at the end. */
async function startWorker(): Promise<WorkerProcess> {
  assert.ok(rig && bundlePath);
  const env = { ...rig.workerEnv, CHAOS_WORKFLOW_BUNDLE: bundlePath };
  const worker = await startWorkerProcess(env, 60_000, 'test/e2e/chaos-worker.ts');
  rig.workers.push(worker);
  return worker;
}

/**
 * How the incident's workflow ended. Closing answers before the workflow ends (it still delivers the closing
 * notes and archives the channel), so this waits a while: the delivery checks must see every delivery.
 */
async function completion(rig: Rig, id: string, waitMs = 60_000): Promise<string> {
  const handle = rig.env.client.workflow.getHandle(incidentWorkflowId(id));
  await Promise.race([handle.result().catch(() => undefined), sleep(waitMs, undefined, { ref: false })]);
  return (await handle.describe()).status.name;
}

/**
 * Histories written across worker and server kills must replay on the code that wrote them: a workflow that reads
 * anything not in its history would answer queries and resume differently after the next restart.
 */
async function replayFailures(rig: Rig, driven: DrivenIncident[]): Promise<string[]> {
  assert.ok(bundlePath);
  const histories = await Promise.all(
    driven.map(async ({ plan }) => {
      const workflowId = incidentWorkflowId(plan.id);
      return { workflowId, history: await rig.env.client.workflow.getHandle(workflowId).fetchHistory() };
    }),
  );
  const code = await readFile(bundlePath, 'utf8');
  const failures: string[] = [];
  for await (const { workflowId, error } of Worker.runReplayHistories(
    { workflowBundle: { code }, replayName: 'chaos' },
    histories,
  )) {
    if (error) failures.push(`${workflowId} does not replay: ${error.message}`);
  }
  return failures;
}

/** The incident's history as JSON in the temp directory, to replay a failure with; returns the path. */
async function saveHistory(rig: Rig, id: string): Promise<string> {
  const file = path.join(os.tmpdir(), `chaos-${id}-history.json`);
  const history = await rig.env.client.workflow.getHandle(incidentWorkflowId(id)).fetchHistory();
  await writeFile(file, JSON.stringify(history, null, 1));
  return file;
}

/** What the driver sent when and what the incident recorded, times relative to the start, for a failure's replay. */
function story(incident: DrivenIncident, timeline: TimelineEntry[], startedAt: number): string {
  const at = (ms: number) => `+${((ms - startedAt) / 1000).toFixed(2)}s`;
  const sent = [...incident.commands.values()].map(
    (c) => `  sent ${c.command} at ${c.attempts.map((a) => at(a.sentAt)).join(', ')} (${c.outcome})`,
  );
  const planned = [...incident.ackDeadlines].map(([level, due]) => `  ack level ${level} due ${at(due)}`);
  const recorded = timeline
    .filter((e) => !e.type.startsWith('notification-'))
    .map((e) => `  ${at(e.at)} ${e.type} ${e.data ? JSON.stringify(e.data) : ''}`);
  const { plan } = incident;
  const head = `${plan.id} (ack ${plan.ack}), declared ${at(incident.declaredAt)}:`;
  return [head, ...sent, ...planned, ...recorded].join('\n');
}

/** One channel per incident, no post twice; and the posts carry step keys, so the key check is not vacuous. */
function channelDuplicates(rig: Rig, incident: DrivenIncident): string[] {
  const { id } = incident.plan;
  const channels = [...rig.slack.channels.values()].filter((c) => c.name.startsWith(`inc-${id}-`));
  if (channels.length !== 1) return [`${id} has ${channels.length} channels`];
  const [channel] = channels;
  const messages = rig.slack.postedMessages(channel!.id);
  if (!messages.some(stepKey)) return [`${id}: no post carries a step key`];
  return duplicatePosts(channel!.name, messages);
}

/** The declaration's page reached PagerDuty: the page checks see real traffic. */
function declarationPaged(rig: Rig, incident: DrivenIncident): string[] {
  const key = pageDedupKey(incident.plan.id, 'declared', 0);
  const paged = rig.pagerduty.events.some((p) => p.event.event_action === 'trigger' && p.event.dedup_key === key);
  return paged ? [] : [`${incident.plan.id}: the declaration never paged primary on-call`];
}

/** Each email step carries its own Message-ID; the same one twice means a stakeholder got it twice. */
function emailDuplicates(rig: Rig): string[] {
  const seen = new Map<string, number>();
  for (const mail of rig.smtp.received) seen.set(mail.messageId, (seen.get(mail.messageId) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([id, n]) => `email ${id} sent ${n}×`);
}

function printLateness(rows: LatenessRow[]): void {
  const late = (row: LatenessRow) => row.firedAt - row.dueAt;
  for (const row of [...rows].sort((a, b) => late(b) - late(a))) {
    const paged = row.pagedAt === undefined ? 'not paged' : `paged +${row.pagedAt - row.dueAt} ms`;
    console.log(`escalation ${row.incidentId} ${row.escalation}: fired +${late(row)} ms after due, ${paged}`);
  }
  const worst = rows.reduce<LatenessRow | undefined>((w, r) => (w && late(w) >= late(r) ? w : r), undefined);
  const worstPage = Math.max(...rows.map((r) => (r.pagedAt ?? r.firedAt) - r.dueAt));
  console.log(
    worst
      ? `worst escalation lateness: ${late(worst)} ms (${worst.incidentId} ${worst.escalation}); ` +
          `worst due → PagerDuty: ${worstPage} ms; ${rows.length} escalations fired`
      : 'no escalation fired',
  );
}
