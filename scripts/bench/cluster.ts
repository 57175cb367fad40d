import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { startTestCluster, type TestCluster } from '../../test/e2e/cluster-stack';
import { eventually, startRig, type Rig } from '../../test/e2e/stack';
import { summarize, type Summary } from './stats';

/**
 * `npx tsx scripts/bench/cluster.ts [total] [concurrency]`: the same burst of SEV-2 declarations on the dev server
 * (SQLite) and on Temporal's server with PostgreSQL (one worker, then two), same machine, same fakes: how many
 * incidents a second reach their first Slack post, and how long declare() and the first post take.
 */

const total = Number(process.argv[2] ?? 60);
const concurrency = Number(process.argv[3] ?? 10);
const log = (line: string) => process.stderr.write(`[cluster bench] ${line}\n`);

interface Run {
  target: string;
  workers: number;
  perSecond: number;
  declareMs: Summary;
  firstPostMs: Summary;
  failed: number;
}

async function measure(target: string, rig: Rig, workers: number): Promise<Run> {
  for (let i = 0; i < workers; i += 1) await rig.startWorker();
  // A few incidents first, so bundles are loaded and caches warm on every side.
  await burst(rig, 4, 4);
  const started = Date.now();
  const { declareMs, firstPostMs, failed } = await burst(rig, total, concurrency);
  const perSecond = (total - failed) / ((Date.now() - started) / 1000);
  const run = {
    target,
    workers,
    perSecond,
    declareMs: summarize(declareMs),
    firstPostMs: summarize(firstPostMs),
    failed,
  };
  log(`${target}, ${workers} worker(s): ${perSecond.toFixed(2)} incidents/s, ${failed} failed`);
  return run;
}

async function burst(rig: Rig, count: number, inFlight: number) {
  const tag = randomBytes(3).toString('hex');
  const ids = Array.from({ length: count }, (_, i) => `bench-${tag}-${i}`);
  const declareMs: number[] = [];
  const firstPostMs: number[] = [];
  let failed = 0;
  const queue = [...ids];
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
        log(`${id}: ${(error as Error).message.split('\n')[0]}`);
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  return { declareMs, firstPostMs, failed };
}

async function main(): Promise<void> {
  log(
    `${total} SEV-2s, ${concurrency} in flight, ${os.availableParallelism()} cores, load ${os.loadavg()[0]?.toFixed(1)}`,
  );
  const runs: Run[] = [];
  const sev1 = { acknowledgeWithin: '1h' };
  let rig = await startRig({ sev1 });
  try {
    runs.push(await measure('dev server (SQLite)', rig, 1));
  } finally {
    await rig.close();
  }
  let cluster: TestCluster | undefined;
  try {
    cluster = await startTestCluster(log);
    const { address, namespace } = cluster.server;
    for (const workers of [1, 2]) {
      rig = await startRig({
        sev1,
        temporal: () => TestWorkflowEnvironment.createFromExistingServer({ address, namespace }),
      });
      try {
        runs.push(await measure('server 1.29.1 + PostgreSQL', rig, workers));
      } finally {
        await rig.close();
      }
    }
  } finally {
    await cluster?.close();
  }
  const ms = (s: Summary) => `${s.p50.toFixed(0)} / ${s.p95.toFixed(0)} / ${s.p99.toFixed(0)}`;
  console.log('| target | workers | incidents/s | declare() p50/p95/p99 ms | first post p50/p95/p99 ms | failed |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const r of runs) {
    console.log(
      `| ${r.target} | ${r.workers} | ${r.perSecond.toFixed(2)} | ${ms(r.declareMs)} | ${ms(r.firstPostMs)} | ${r.failed} |`,
    );
  }
}

main().then(
  // Something keeps the event loop alive after every rig and the cluster are closed (not traced yet): exit.
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
