import { setTimeout as sleep } from 'node:timers/promises';
import type { Kill } from './chaos-oracle';
import type { Random } from './chaos-random';
import type { KillableDevServer } from './chaos-server';
import type { WorkerProcess } from './worker-process';

/**
 * Kills the worker process and the dev server at planned moments and brings each back. One loop does
 * everything in order, so a worker is never started while the server is down; a worker that dies on its own
 * (say, while the server is away) is noticed and restarted, and reported.
 */

export interface ChaosEvent {
  what: 'worker' | 'server';
  /** After the start of the run. */
  atMs: number;
  /** How long it stays down before the restart begins. */
  downMs: number;
}

export function planChaos(random: Random, options: { workerKills: number; windowMs: [number, number] }) {
  const events: ChaosEvent[] = [];
  const [from, to] = options.windowMs;
  for (let i = 0; i < options.workerKills; i += 1) {
    events.push({ what: 'worker', atMs: random.int(from, to), downMs: random.int(0, 3_000) });
  }
  events.push({ what: 'server', atMs: random.int(from, to), downMs: random.int(0, 2_000) });
  return events.sort((a, b) => a.atMs - b.atMs);
}

export interface ChaosTarget {
  server: KillableDevServer;
  startWorker(): Promise<WorkerProcess>;
}

export class ChaosMonkey {
  readonly kills: Kill[] = [];
  /** Workers that exited without being killed, with what they said last. */
  readonly unexpectedExits: string[] = [];
  private worker: WorkerProcess;
  private killing = false;

  constructor(
    private readonly target: ChaosTarget,
    first: WorkerProcess,
    private readonly log: (line: string) => void,
  ) {
    this.worker = first;
  }

  /** Runs the plan; then keeps a worker alive until `done` settles, so stragglers can finish. */
  async run(events: ChaosEvent[], startedAt: number, done: Promise<unknown>): Promise<void> {
    let finished = false;
    void done.finally(() => (finished = true));
    for (const event of events) {
      while (Date.now() < startedAt + event.atMs) {
        await this.keepWorker();
        await sleep(100);
      }
      if (event.what === 'worker') await this.killWorker(event.downMs);
      else await this.killServer(event.downMs);
    }
    while (!finished) {
      await this.keepWorker();
      await sleep(250);
    }
  }

  private async killWorker(downMs: number): Promise<void> {
    await this.keepWorker();
    const pid = this.worker.pid;
    this.killing = true;
    this.kills.push({ at: Date.now(), what: 'worker' });
    await this.worker.kill();
    this.killing = false;
    await sleep(downMs);
    const restartedAt = Date.now();
    this.worker = await this.target.startWorker();
    this.log(
      `SIGKILL worker ${pid}, down ${downMs} ms, new worker ${this.worker.pid} polling after ${ms(restartedAt)}`,
    );
  }

  private async killServer(downMs: number): Promise<void> {
    this.kills.push({ at: Date.now(), what: 'server' });
    await this.target.server.kill();
    await sleep(downMs);
    const restartedAt = Date.now();
    await this.target.server.start();
    this.log(`SIGKILL dev server, down ${downMs} ms, answering again after ${ms(restartedAt)}`);
  }

  /** Restarts the worker if it died on its own (never while the server is being restarted: this loop does that). */
  private async keepWorker(): Promise<void> {
    if (this.killing || !(await exitedAlready(this.worker))) return;
    const tail = `${this.worker.stdout}\n${this.worker.stderr}`.trim().split('\n').slice(-3).join(' | ');
    this.unexpectedExits.push(`worker ${this.worker.pid}: ${tail}`);
    this.log(`worker ${this.worker.pid} exited on its own; restarting it (${tail})`);
    this.worker = await this.target.startWorker();
  }
}

async function exitedAlready(worker: WorkerProcess): Promise<boolean> {
  return Promise.race([worker.exited.then(() => true), sleep(0).then(() => false)]);
}

function ms(since: number): string {
  return `${Date.now() - since} ms`;
}
