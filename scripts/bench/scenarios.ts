import { setTimeout as sleep } from 'node:timers/promises';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';
import { incidentWorkflowId } from '../../src/workflows/definitions';
import { workerRssMiB, type BenchWorker } from './processes';
import { median, summarize, type Summary } from './stats';
import { BY, describeError, pool, sidesFor, type Side, type Workload } from './workload';

/**
 * The six measurements of issue 7. Each one alternates incident and bare rounds on the same server, so a busy
 * moment on the machine lands on both sides rather than on one.
 */
export type Log = (line: string) => void;
type PerSide<T> = Record<Side, T>;

const perSide = <T>(make: () => T): PerSide<T> => ({ incident: make(), bare: make() });

/** Failures grouped by message (ids left out), so a flood of one error reads as one line with a count. */
export function tally(messages: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const message of messages) {
    const key = message.replace(/\b[\w-]*\d[\w-]*\b/g, '#').slice(0, 160);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

const summarizeSides = (values: PerSide<number[]>): PerSide<Summary> => ({
  incident: summarize(values.incident),
  bare: summarize(values.bare),
});
const tallySides = (messages: PerSide<string[]>) => ({
  incident: tally(messages.incident),
  bare: tally(messages.bare),
});

function progress(log: Log, what: string, values: PerSide<number[]>) {
  const p50 = (side: Side) => Math.round(summarize(values[side]).p50);
  log(`${what}: incident p50 ${p50('incident')} ms, bare p50 ${p50('bare')} ms so far`);
}

export interface LatencyResult {
  firstPostMs: PerSide<Summary>;
  callMs: PerSide<Summary>;
  /**
   * Where the incident's time to its first post goes: ms after declare() was called at which each kind of call
   * first reached a fake (Slack methods, `pagerduty`), over the sequential samples, where every call is its own.
   */
  incidentPath: Record<string, Summary>;
  /** How many Slack calls an incident makes before its first post. */
  slackCallsBeforeFirstPost: Summary;
  failures: PerSide<Record<string, number>>;
}

/** 1 and 2: one declaration at a time, declare → first chat post and the declare call itself. */
export async function measureLatency(w: Workload, samples: number, log: Log): Promise<LatencyResult> {
  const firstPost = perSide<number[]>(() => []);
  const call = perSide<number[]>(() => []);
  const failures = perSide<string[]>(() => []);
  const path: Record<string, number[]> = {};
  const callsBefore: number[] = [];
  for (let round = 0; round < samples; round += 1) {
    for (const side of sidesFor(round)) {
      try {
        const sample = await w.toFirstPost(side, w.newId());
        firstPost[side].push(sample.firstPostMs);
        call[side].push(sample.callMs);
        if (side === 'incident') {
          const until = sample.calledAt + sample.firstPostMs;
          const inWindow = <T extends { at: number }>(items: readonly T[]) =>
            items.filter((item) => item.at >= sample.calledAt && item.at <= until);
          const slackCalls = inWindow(w.rig.slack.calls);
          callsBefore.push(slackCalls.length);
          const firstOf = new Map<string, number>();
          for (const { method, at } of slackCalls) if (!firstOf.has(method)) firstOf.set(method, at);
          const page = inWindow(w.rig.pagerduty.events)[0];
          if (page) firstOf.set('pagerduty', page.at);
          for (const [method, at] of firstOf) (path[method] ??= []).push(at - sample.calledAt);
        }
      } catch (error) {
        failures[side].push(describeError(error));
      }
      // The incident keeps posting after its first message; the next sample starts on a quiet rig.
      await w.quiet();
    }
    if ((round + 1) % 10 === 0 || round + 1 === samples) progress(log, `latency ${round + 1}/${samples}`, firstPost);
  }
  await w.closeOpen();
  return {
    firstPostMs: summarizeSides(firstPost),
    callMs: summarizeSides(call),
    incidentPath: Object.fromEntries(
      Object.entries(path)
        .map(([method, offsets]) => [method, summarize(offsets)] as const)
        .sort((a, b) => a[1].p50 - b[1].p50),
    ),
    slackCallsBeforeFirstPost: summarize(callsBefore),
    failures: tallySides(failures),
  };
}

export interface TimerLagOptions {
  rounds: number;
  secondsPerRound: number;
  intervalMs: number;
  ackWindowMs: number;
}

export interface TimerLagResult {
  /** Page (or post) arrival minus the workflow's own deadline. */
  lagMs: PerSide<Summary>;
  /** Arrival minus (the moment declare or start was called + the window): what a person would see. */
  lagFromCallMs: PerSide<Summary>;
  /** The declare (start) call under this load. */
  callMs: PerSide<Summary>;
  declared: PerSide<number>;
  failures: PerSide<Record<string, number>>;
}

/** 3: a steady declaration rate, each with a short acknowledge window that nobody meets. */
export async function measureTimerLag(w: Workload, options: TimerLagOptions, log: Log): Promise<TimerLagResult> {
  const lag = perSide<number[]>(() => []);
  const lagFromCall = perSide<number[]>(() => []);
  const call = perSide<number[]>(() => []);
  const failures = perSide<string[]>(() => []);
  const declared = { incident: 0, bare: 0 };
  const waitMs = options.ackWindowMs + 120_000;

  const incident = async () => {
    const id = w.newId();
    const started = await w.declare(id, 'SEV-1');
    call.incident.push(started.callMs);
    const page = await w.secondaryPages.waitFor(id, waitMs);
    lag.incident.push(page.at - ((started.declaredAt ?? started.calledAt) + options.ackWindowMs));
    lagFromCall.incident.push(page.at - (started.calledAt + options.ackWindowMs));
  };
  const bare = async () => {
    const id = w.newId();
    const started = await w.startBare(id, 'timer', options.ackWindowMs);
    call.bare.push(started.callMs);
    const post = await w.posts.waitFor(w.bareChannel(id), waitMs);
    const deadline = Number(/deadline=(\d+)/.exec(String(post.params.text))?.[1]);
    lag.bare.push(post.at - deadline);
    lagFromCall.bare.push(post.at - (started.calledAt + options.ackWindowMs));
  };

  const count = Math.max(1, Math.floor((options.secondsPerRound * 1000) / options.intervalMs));
  for (let round = 0; round < options.rounds; round += 1) {
    for (const side of sidesFor(round)) {
      const start = Date.now();
      const inFlight: Array<Promise<void>> = [];
      for (let k = 0; k < count; k += 1) {
        // Open loop: the next declaration is due on schedule whether or not the previous one has answered.
        await sleep(Math.max(0, start + k * options.intervalMs - Date.now()));
        declared[side] += 1;
        inFlight.push(
          (side === 'incident' ? incident() : bare()).catch((error: unknown) => {
            failures[side].push(describeError(error));
          }),
        );
      }
      await Promise.all(inFlight);
      log(
        `timer lag round ${round + 1}/${options.rounds} ${side}: ${count} at one per ${options.intervalMs} ms, ` +
          `p99 ${Math.round(summarize(lag[side]).p99)} ms so far`,
      );
      await w.closeOpen();
      await w.quiet(300, 15_000);
    }
  }
  return {
    lagMs: summarizeSides(lag),
    lagFromCallMs: summarizeSides(lagFromCall),
    callMs: summarizeSides(call),
    declared,
    failures: tallySides(failures),
  };
}

export interface ThroughputOptions {
  total: number;
  rounds: number;
  concurrency: number;
}

export interface ThroughputResult {
  /** Completed declare → first post per second, one figure per round. */
  perSecond: PerSide<number[]>;
  /** All completions over all rounds' time. */
  overallPerSecond: PerSide<number>;
  firstPostMs: PerSide<Summary>;
  completed: PerSide<number>;
  failures: PerSide<Record<string, number>>;
}

/** 4: N declarations through declare → first post with `concurrency` in flight. */
export async function measureThroughput(w: Workload, options: ThroughputOptions, log: Log): Promise<ThroughputResult> {
  const perSecond = perSide<number[]>(() => []);
  const elapsed = { incident: 0, bare: 0 };
  const completed = { incident: 0, bare: 0 };
  const firstPost = perSide<number[]>(() => []);
  const failures = perSide<string[]>(() => []);
  const batch = Math.max(1, Math.ceil(options.total / options.rounds));
  for (let round = 0; round < options.rounds; round += 1) {
    for (const side of sidesFor(round)) {
      const ids = Array.from({ length: batch }, () => w.newId());
      const start = Date.now();
      let done = 0;
      await pool(ids, options.concurrency, async (id) => {
        try {
          firstPost[side].push((await w.toFirstPost(side, id)).firstPostMs);
          done += 1;
        } catch (error) {
          failures[side].push(describeError(error));
        }
      });
      const seconds = (Date.now() - start) / 1000;
      elapsed[side] += seconds;
      completed[side] += done;
      perSecond[side].push(done / seconds);
      log(
        `throughput round ${round + 1}/${options.rounds} ${side}: ${done}/${batch} in ${seconds.toFixed(1)} s ` +
          `= ${(done / seconds).toFixed(2)}/s, ${failures[side].length} failed so far`,
      );
      await w.closeOpen();
      await w.quiet(300, 15_000);
    }
  }
  return {
    perSecond,
    overallPerSecond: { incident: completed.incident / elapsed.incident, bare: completed.bare / elapsed.bare },
    firstPostMs: summarizeSides(firstPost),
    completed,
    failures: tallySides(failures),
  };
}

export interface MemoryResult {
  open: PerSide<number>;
  idleMiB: PerSide<number>;
  loadedMiB: PerSide<number>;
  /** (RSS with K open − idle) / K. */
  perOpenMiB: PerSide<number>;
  /**
   * The least-squares slope of RSS over the rounds (K/rounds … K open): immune to garbage the worker had at idle
   * (its own workflow bundling) being collected later, which makes the delta read low.
   */
  slopeMiB: PerSide<number | null>;
  /** RSS after each round: [open, MiB] pairs, to see whether growth is linear. */
  curve: PerSide<Array<[number, number]>>;
  failures: PerSide<Record<string, number>>;
}

/** Median of a few RSS readings after a pause, so a passing allocation burst does not decide the figure. */
async function settledRss(worker: BenchWorker): Promise<number> {
  await sleep(2_000);
  const readings: number[] = [];
  for (let i = 0; i < 3; i += 1) {
    readings.push(workerRssMiB(worker.pid));
    await sleep(500);
  }
  return median(readings);
}

/** Least-squares slope of y over x; null with fewer than three points (too few to be worth a fit). */
function slope(points: Array<[number, number]>): number | null {
  if (points.length < 3) return null;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / points.length;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / points.length;
  const covariance = points.reduce((sum, [x, y]) => sum + (x - meanX) * (y - meanY), 0);
  const variance = points.reduce((sum, [x]) => sum + (x - meanX) ** 2, 0);
  return variance === 0 ? null : covariance / variance;
}

/** 5: fresh workers of their own; RSS idle, then with K open workflows cached on each. */
export async function measureMemory(
  w: Workload,
  workers: PerSide<BenchWorker>,
  options: { open: number; rounds: number; concurrency: number },
  log: Log,
): Promise<MemoryResult> {
  const failures = perSide<string[]>(() => []);
  const open = { incident: 0, bare: 0 };
  const curve = perSide<Array<[number, number]>>(() => []);
  // A few of each first, so code loaded and compiled on first use is part of "idle", not charged to the open ones.
  const warmUp = Math.min(10, Math.ceil(options.open / 10));
  for (const side of sidesFor(0)) {
    const ids = Array.from({ length: warmUp }, () => w.newId());
    await pool(ids, options.concurrency, async (id) => {
      await w.toFirstPost(side, id, 'SEV-2', 'blocked');
    });
  }
  await w.quiet();
  await w.closeOpen();
  const idleMiB = { incident: await settledRss(workers.incident), bare: await settledRss(workers.bare) };
  log(`memory: idle RSS incident ${idleMiB.incident.toFixed(0)} MiB, bare ${idleMiB.bare.toFixed(0)} MiB`);
  const batch = Math.max(1, Math.ceil(options.open / options.rounds));
  for (let round = 0; round < options.rounds; round += 1) {
    for (const side of sidesFor(round)) {
      const ids = Array.from({ length: batch }, () => w.newId());
      await pool(ids, options.concurrency, async (id) => {
        try {
          await w.toFirstPost(side, id, 'SEV-2', 'blocked');
          open[side] += 1;
        } catch (error) {
          failures[side].push(describeError(error));
        }
      });
      await w.quiet(300, 15_000);
      const rss = workerRssMiB(workers[side].pid);
      curve[side].push([open[side], rss]);
      log(`memory round ${round + 1}/${options.rounds} ${side}: ${open[side]} open, RSS ${rss.toFixed(0)} MiB`);
    }
  }
  const loadedMiB = { incident: await settledRss(workers.incident), bare: await settledRss(workers.bare) };
  await w.closeOpen();
  const per = (side: Side) => (loadedMiB[side] - idleMiB[side]) / Math.max(1, open[side]);
  return {
    open,
    idleMiB,
    loadedMiB,
    perOpenMiB: { incident: per('incident'), bare: per('bare') },
    slopeMiB: { incident: slope(curve.incident), bare: slope(curve.bare) },
    curve,
    failures: tallySides(failures),
  };
}

export interface LifecycleResult {
  events: number;
  /** The history as JSON (what `temporal workflow show --output json` and the replay fixtures hold). */
  jsonBytes: number;
  /** The history as protobuf, what the server stores and sends on every replay. */
  protoBytes: number;
  /** Protobuf bytes of the update-completed events alone: what the update results cost. */
  updateResultBytes: number;
  timers: { started: number; cancelled: number; fired: number };
  activities: number;
  status: string;
}

/** 6: one incident through the whole runbook via the service, then its history counted. */
export async function measureLifecycle(w: Workload, log: Log): Promise<LifecycleResult> {
  const id = w.newId();
  const by = BY;
  // Only the Incident Commander resolves and closes (the default roles rule).
  const commander = 'alice';
  await w.toFirstPost('incident', id, 'SEV-2');
  const command = w.incidents.command.bind(w.incidents);
  await command('acknowledge', id, { by });
  await command('assignRole', id, { role: 'commander', user: commander, by });
  await command('postStatusUpdate', id, {
    impact: 'checkout fails for most users',
    hypothesis: 'deploy 412 exhausted the connection pool',
    nextUpdateIn: '10m',
    by,
  });
  await command('startMitigation', id, { action: 'disable the new checkout flag', kind: 'feature-flag', by });
  await command('finishMitigation', id, { actionId: 'm1', outcome: 'succeeded', by });
  // The bench's checkout has no smoke checks, so its resolution is unverified, as the IC must say.
  await command('resolve', id, {
    by: commander,
    summary: 'deploy 412 broke checkout; flag disabled',
    unverified: 'the bench service has no smoke checks',
  });
  await command('close', id, { by: commander });
  const handle = w.rig.client.workflow.getHandle(incidentWorkflowId(id));
  // Closing archives the channel and ends the run; wait for that so the history is the whole lifecycle.
  const deadline = Date.now() + 30_000;
  let status = (await handle.describe()).status.name;
  while (status === 'RUNNING' && Date.now() < deadline) {
    await sleep(200);
    status = (await handle.describe()).status.name;
  }
  const history = await handle.fetchHistory();
  const events = history.events ?? [];
  const EventType = temporal.api.enums.v1.EventType;
  const count = (type: temporal.api.enums.v1.EventType) => events.filter((event) => event.eventType === type).length;
  const encodedSize = (event: temporal.api.history.v1.IHistoryEvent) =>
    temporal.api.history.v1.HistoryEvent.encode(event).finish().length;
  const result: LifecycleResult = {
    events: events.length,
    jsonBytes: Buffer.byteLength(historyToJSON(history)),
    protoBytes: temporal.api.history.v1.History.encode(history).finish().length,
    updateResultBytes: events
      .filter((event) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED)
      .reduce((sum, event) => sum + encodedSize(event), 0),
    timers: {
      started: count(EventType.EVENT_TYPE_TIMER_STARTED),
      cancelled: count(EventType.EVENT_TYPE_TIMER_CANCELED),
      fired: count(EventType.EVENT_TYPE_TIMER_FIRED),
    },
    activities: count(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED),
    status,
  };
  log(`lifecycle: ${result.events} events, ${result.jsonBytes} JSON bytes, status ${status}`);
  return result;
}
