import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startWorkerProcess } from '../../test/e2e/worker-process';
import { BARE_WORKER_READY, type BareWorkerSettings } from './bare/worker';

/**
 * Worker processes, each the leader of its own process group, so that stopping one (or the whole bench on
 * Ctrl-C) takes every process it started with it, and RSS is read for exactly the process that runs workflows.
 */
const ROOT = path.resolve(__dirname, '../..');

export interface BenchWorker {
  label: string;
  /** The process group leader. */
  pid: number;
  /** Everything written to stderr so far (worker warnings such as a slow workflow task). */
  readonly stderr: string;
  stop(): Promise<void>;
}

/** Process groups still running, for the synchronous last-resort kill at exit. */
export const liveGroups = new Set<number>();

export function killGroupsNow(): void {
  for (const pid of liveGroups) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  liveGroups.clear();
}

export async function startIncidentWorker(env: Record<string, string>): Promise<BenchWorker> {
  const worker = await startWorkerProcess(env);
  liveGroups.add(worker.pid);
  return {
    label: 'incident worker',
    pid: worker.pid,
    get stderr() {
      return worker.stderr;
    },
    async stop() {
      await worker.stop(10_000);
      liveGroups.delete(worker.pid);
    },
  };
}

export async function startBareWorker(settings: BareWorkerSettings, readyTimeoutMs = 60_000): Promise<BenchWorker> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(__dirname, 'bare/worker.ts'), JSON.stringify(settings)],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error('the bare worker did not start');
  liveGroups.add(pid);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let exited = false;
  const exit = once(child, 'exit').then(() => (exited = true));
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-pid, name);
    } catch {
      // Already gone.
    }
  };
  const stop = async () => {
    if (!exited) {
      signal('SIGTERM');
      if ((await Promise.race([exit, sleep(10_000).then(() => 'late' as const)])) === 'late') {
        signal('SIGKILL');
        await exit;
      }
    }
    liveGroups.delete(pid);
  };
  const deadline = Date.now() + readyTimeoutMs;
  while (!stdout.includes(BARE_WORKER_READY)) {
    if (exited || Date.now() > deadline) {
      await stop();
      throw new Error(`the bare worker did not start polling\n--- stdout\n${stdout}\n--- stderr\n${stderr}`);
    }
    await sleep(50);
  }
  return {
    label: 'bare worker',
    pid,
    get stderr() {
      return stderr;
    },
    stop,
  };
}

/**
 * VmRSS in MiB of the largest process in the worker's group: `tsx` runs the incident worker in a child of its
 * own, so the group leader is only a small wrapper; the bare worker is a single process.
 */
export function workerRssMiB(groupId: number): number {
  let largestKiB = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces): state, ppid, pgrp, ...
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== groupId) continue;
      const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1];
      largestKiB = Math.max(largestKiB, Number(rss ?? 0));
    } catch {
      // The process ended while we looked.
    }
  }
  return largestKiB / 1024;
}
