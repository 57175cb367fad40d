import { randomBytes } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { startTestCluster, type TestCluster } from '../../test/e2e/cluster-stack';
import { eventually, startRig, type Rig } from '../../test/e2e/stack';
import { summarize, type Summary } from './stats';

/**
 * `npm run bench -- --only cluster`: the same burst of SEV-2 declarations on the dev server (SQLite) and on
 * Temporal's server with PostgreSQL (one worker process, then two), same machine, same fakes: how many incidents a
 * second reach their first Slack post, and how long declare() and the first post take.
 */

export interface ClusterRun {
  target: string;
  workers: number;
  perSecond: number;
  declareMs: Summary;
  firstPostMs: Summary;
  failed: number;
}

export interface ClusterResult {
  total: number;
  concurrency: number;
  runs: ClusterRun[];
}

type Log = (line: string) => void;

export async function measureCluster(sizes: { total: number; concurrency: number }, log: Log): Promise<ClusterResult> {
  const runs: ClusterRun[] = [];
  const sev1 = { acknowledgeWithin: '1h' };
  const onRig = async (target: string, workers: number, temporal?: () => Promise<TestWorkflowEnvironment>) => {
    const rig = await startRig({ sev1, ...(temporal ? { temporal } : {}) });
    try {
      runs.push(await measure(target, rig, workers, sizes, log));
    } finally {
      await rig.close();
    }
  };
  log(`cluster: ${sizes.total} SEV-2s per target, ${sizes.concurrency} in flight`);
  await onRig('dev server (SQLite)', 1);
  let cluster: TestCluster | undefined;
  try {
    cluster = await startTestCluster(log);
    const { address, namespace } = cluster.server;
    for (const workers of [1, 2]) {
      await onRig('server 1.29.1 + PostgreSQL', workers, () =>
        TestWorkflowEnvironment.createFromExistingServer({ address, namespace }),
      );
    }
  } finally {
    await cluster?.close();
  }
  return { ...sizes, runs };
}

async function measure(
  target: string,
  rig: Rig,
  workers: number,
  sizes: { total: number; concurrency: number },
  log: Log,
): Promise<ClusterRun> {
  for (let i = 0; i < workers; i += 1) await rig.startWorker();
  // A few incidents first, so bundles are loaded and caches warm on every side.
  await burst(rig, 4, 4, log);
  const started = Date.now();
  const { declareMs, firstPostMs, failed } = await burst(rig, sizes.total, sizes.concurrency, log);
  const perSecond = (sizes.total - failed) / ((Date.now() - started) / 1000);
  log(`cluster: ${target}, ${workers} worker(s): ${perSecond.toFixed(2)} incidents/s, ${failed} failed`);
  return { target, workers, perSecond, declareMs: summarize(declareMs), firstPostMs: summarize(firstPostMs), failed };
}

async function burst(rig: Rig, count: number, inFlight: number, log: Log) {
  const tag = randomBytes(3).toString('hex');
  const queue = Array.from({ length: count }, (_, i) => `bench-${tag}-${i}`);
  const declareMs: number[] = [];
  const firstPostMs: number[] = [];
  let failed = 0;
  const lane = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      const start = Date.now();
      try {
        await rig.declare({ id, severity: 'SEV-2', title: 'Checkout is slow' });
        declareMs.push(Date.now() - start);
        await eventually(`${id}'s first post`, () => rig.slack.channelNamed(`inc-${id}-checkout-is-slow`), 60_000);
        firstPostMs.push(Date.now() - start);
      } catch (error) {
        failed += 1;
        log(`cluster: ${id}: ${(error as Error).message.split('\n')[0]}`);
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  return { declareMs, firstPostMs, failed };
}

/** The cluster phase's table: each target's throughput and its ratio to the dev server's. */
export function renderClusterTable(result: ClusterResult): string {
  const ms = (s: Summary) => (s.n > 0 ? `${s.p50.toFixed(0)} / ${s.p95.toFixed(0)} / ${s.p99.toFixed(0)}` : '-');
  const base = result.runs[0]?.perSecond;
  const lines = [
    `cluster vs dev server: ${result.total} SEV-2s per target, ${result.concurrency} in flight`,
    '| target | workers | incidents/s | vs dev server | declare() p50/p95/p99 ms | first post p50/p95/p99 ms | failed |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of result.runs) {
    const ratio = base ? `${(r.perSecond / base).toFixed(2)}×` : '-';
    lines.push(
      `| ${r.target} | ${r.workers} | ${r.perSecond.toFixed(2)} | ${ratio} | ${ms(r.declareMs)} | ${ms(r.firstPostMs)} | ${r.failed} |`,
    );
  }
  return lines.join('\n');
}
