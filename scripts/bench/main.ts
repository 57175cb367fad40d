import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { format, resolveConfig } from 'prettier';
import { measureAlertToPage } from './alert-page';
import { measureCluster, renderClusterTable, type ClusterResult } from './cluster';
import { measureApiDeclare } from './api-declare';
import { startBenchApi } from './api-server';
import { parseOptions, type BenchOptions } from './options';
import { killGroupsNow, type BenchWorker } from './processes';
import { renderTable, type BenchReport, type RunResult } from './report';
import { startRig, type Rig } from './rig';
import { measureLatency, measureLifecycle, measureMemory, measureThroughput, measureTimerLag } from './scenarios';
import { describeError, Workload } from './workload';

/**
 * `npm run bench`: issue 7's measurements, the incident workload against a bare Temporal baseline on one dev
 * server, with its own fakes and worker processes, and issue 8's (7, 8): the HTTP API and alert intake against the
 * service. Progress goes to stderr; the tables to stdout at the end.
 */
const started = Date.now();
const log = (line: string) => process.stderr.write(`[bench +${Math.round((Date.now() - started) / 1000)}s] ${line}\n`);
const rigs = new Set<Rig>();

async function main(): Promise<void> {
  const options = parseOptions(process.argv);
  const loadAtStart = os.loadavg();
  log(
    `${options.quick ? 'quick' : 'full'} run on ${os.availableParallelism()} cores, load ${loadAtStart.map((l) => l.toFixed(1)).join('/')}` +
      `; modes: ${options.modes.map(modeLabel).join(' | ')}; results to ${path.relative(process.cwd(), options.out)}`,
  );
  const runs: RunResult[] = [];
  // The cluster phase brings its own servers (scripts/bench/cluster.ts); the dev server modes run the others.
  if (options.phases.some((phase) => phase !== 'cluster')) {
    for (const [index, pragmas] of options.modes.entries()) runs.push(await runMode(options, pragmas, index === 0));
  }
  const cluster = options.phases.includes('cluster')
    ? await measureCluster({ total: options.throughput, concurrency: options.concurrency }, log)
    : undefined;
  const report: BenchReport & { cluster?: ClusterResult } = {
    date: new Date(started).toISOString(),
    mode: options.quick ? 'quick' : 'full',
    machine: {
      cores: os.availableParallelism(),
      cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      loadAverage: { start: loadAtStart, end: os.loadavg() },
    },
    tree: treeState(),
    options: { ...options, out: path.relative(process.cwd(), options.out) },
    durationSeconds: (Date.now() - started) / 1000,
    runs,
    ...(cluster ? { cluster } : {}),
  };
  await mkdir(path.dirname(options.out), { recursive: true });
  // Formatted as the repository's Prettier check expects, so a committed run passes `npm test`.
  const json = await format(JSON.stringify(report), { ...(await resolveConfig(options.out)), parser: 'json' });
  await writeFile(options.out, json);
  console.log(renderTable(report));
  if (cluster) console.log(`\n${renderClusterTable(cluster)}`);
  console.log(`\nwritten to ${path.relative(process.cwd(), options.out)}`);
  if (runs.some((run) => run.error !== undefined)) process.exitCode = 1;
}

function modeLabel(pragmas: string[]): string {
  return pragmas.length === 0 ? 'default journal' : pragmas.join(', ');
}

/** One dev server and its measurements; memory and lifecycle only in the first mode (they do not hinge on SQLite). */
async function runMode(options: BenchOptions, pragmas: string[], first: boolean): Promise<RunResult> {
  const result: RunResult = {
    label: modeLabel(pragmas),
    sqlitePragmas: pragmas,
    serverWarnings: { count: 0, byMessage: {} },
    workerWarnings: { count: 0, byMessage: {} },
  };
  log(`starting a dev server (${result.label}), fakes and workers`);
  const rig = await startRig({
    label: result.label,
    sqlitePragmas: pragmas,
    ackWindowSeconds: options.ackWindowSeconds,
    log,
  });
  rigs.add(rig);
  const workers: BenchWorker[] = [];
  const workloads: Workload[] = [];
  const has = (phase: BenchOptions['phases'][number]) => options.phases.includes(phase);
  try {
    const queue = (name: string) => `bench-${name}-${randomBytes(3).toString('hex')}`;
    const incidentQueue = queue('incidents');
    const bareQueue = queue('bare');
    workers.push(await withRetries(options, 'start the incident worker', () => rig.startIncidentWorker(incidentQueue)));
    workers.push(await rig.startBareWorker(bareQueue));
    const w = new Workload(rig, rig.incidentsOn(incidentQueue), bareQueue);
    workloads.push(w);
    // The incident service may be mid-change in this tree: wait for a declaration that goes through.
    await withRetries(options, 'declare a first incident', () => w.toFirstPost('incident', w.newId()));
    await w.toFirstPost('bare', w.newId());
    await w.quiet();
    await w.closeOpen();
    log('warm: both sides answered once');

    if (has('latency')) {
      log(`1+2 declare → first post and the declare call: ${options.samples} per side, one at a time`);
      result.latency = await measureLatency(w, options.samples, log);
    }
    if (has('api') || has('alerts')) {
      const api = await startBenchApi(rig, w);
      try {
        if (has('api')) {
          log(`7 declare through the HTTP API vs declare(): ${options.apiSamples} per path, rotating order`);
          result.apiDeclare = await measureApiDeclare(w, api, options.apiSamples, log);
        }
        if (has('alerts')) {
          log(`8 Alertmanager delivery → first page vs declare() → first page: ${options.alertSamples} each`);
          result.alertToPage = await measureAlertToPage(w, api, options.alertSamples, log);
        }
      } finally {
        await api.close();
      }
    }
    if (has('timer')) {
      log(
        `3 timer lag: one declaration per ${options.rateIntervalMs} ms for ${options.rateSeconds} s, ` +
          `${options.rateRounds} round(s) per side, acknowledge window ${options.ackWindowSeconds} s`,
      );
      result.timerLag = await measureTimerLag(
        w,
        {
          rounds: options.rateRounds,
          secondsPerRound: options.rateSeconds,
          intervalMs: options.rateIntervalMs,
          ackWindowMs: options.ackWindowSeconds * 1000,
        },
        log,
      );
    }
    if (has('throughput')) {
      log(`4 throughput: ${options.throughput} per side at concurrency ${options.concurrency}`);
      result.throughput = await measureThroughput(
        w,
        { total: options.throughput, rounds: options.throughputRounds, concurrency: options.concurrency },
        log,
      );
    }
    if (first && has('lifecycle')) {
      log('6 full lifecycle through the incident service');
      result.lifecycle = await measureLifecycle(w, log);
    }
    if (first && has('memory')) {
      log(`5 RSS: fresh workers, ${options.rssOpen} open workflows each`);
      const memoryQueue = queue('memory-incidents');
      const bareMemoryQueue = queue('memory-bare');
      const incidentWorker = await rig.startIncidentWorker(memoryQueue);
      workers.push(incidentWorker);
      const bareWorker = await rig.startBareWorker(bareMemoryQueue);
      workers.push(bareWorker);
      const m = new Workload(rig, rig.incidentsOn(memoryQueue), bareMemoryQueue);
      workloads.push(m);
      result.memory = await measureMemory(
        m,
        { incident: incidentWorker, bare: bareWorker },
        { open: options.rssOpen, rounds: options.rssRounds, concurrency: options.concurrency },
        log,
      );
    }
  } catch (error) {
    result.error = describeError(error);
    log(`run failed: ${result.error}`);
  } finally {
    result.serverWarnings = warnings(rig.serverLog);
    result.workerWarnings = warnings(
      workers.filter((worker) => worker.label === 'incident worker').flatMap((worker) => worker.stderr.split('\n')),
    );
    for (const workload of workloads) workload.stop();
    log('stopping workers and the dev server');
    await rig.close();
    rigs.delete(rig);
  }
  return result;
}

/**
 * Warning and error lines grouped by message, ids and times left out: "Fail to process task ×12" says more than
 * twelve lines that differ only in their workflow ids. The dev server's banner is not a warning.
 */
function warnings(lines: string[]): RunResult['serverWarnings'] {
  const byMessage: Record<string, number> = {};
  let count = 0;
  for (const line of lines) {
    const level = /level=(WARN|ERROR)|\[(WARN|ERROR)\]/.exec(line);
    if (!level) continue;
    const message = /msg="([^"]*)"/.exec(line)?.[1] ?? line.slice(level.index + level[0].length).trim();
    const key = `${level[1] ?? level[2]} ${message.replace(/\b[\w-]*\d[\w-]*\b/g, '#').slice(0, 160)}`;
    byMessage[key] = (byMessage[key] ?? 0) + 1;
    count += 1;
  }
  return { count, byMessage };
}

async function withRetries<T>(options: BenchOptions, what: string, attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (tries >= options.retries) throw error;
      log(`could not ${what} (attempt ${tries}/${options.retries}): ${describeError(error)}; retrying in 30 s`);
      await sleep(30_000);
    }
  }
}

/** The commit measured and how far the working tree is from it: others edit this tree while the bench runs. */
function treeState(): BenchReport['tree'] {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
    return {
      commit: git('rev-parse', 'HEAD'),
      uncommittedFiles: git('status', '--porcelain').split('\n').filter(Boolean).length,
    };
  } catch {
    return { commit: 'unknown', uncommittedFiles: -1 };
  }
}

async function shutdown(code: number): Promise<never> {
  await Promise.allSettled([...rigs].map((rig) => rig.close()));
  killGroupsNow();
  process.exit(code);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping everything the bench started`);
    void shutdown(130);
  });
}
// Whatever happens, no server or worker outlives the bench.
process.on('exit', killGroupsNow);

main().catch(async (error: unknown) => {
  log(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  await shutdown(1);
});
