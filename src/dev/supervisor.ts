import { spawn, type SpawnOptions } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Log } from './run-command';

/** Something `npm start` started and must stop: a child process, or a server the SDK runs for us. */
export interface Service {
  name: string;
  /** Resolves with a description ("exited with code 1") when the service ends on its own. */
  ended: Promise<string>;
  stop(): Promise<void>;
}

export const STOP_TIMEOUT_MS = 15_000;

/**
 * Spawns a child in its own process group: a terminal Ctrl-C then reaches only `npm start`, which stops the
 * children in order (worker before server), and signalling the group leaves none of their own children behind.
 */
export function spawnService(
  name: string,
  command: string,
  args: string[],
  options: SpawnOptions & { log: Log; stopSignal?: NodeJS.Signals },
): Service & { pid: number | undefined; output: NodeJS.ReadableStream[] } {
  const child = spawn(command, args, { ...options, detached: true });
  const ended = new Promise<string>((resolve) => {
    child.once('error', (error) => resolve(`could not start (${error.message})`));
    child.once('exit', (code, signal) => resolve(signal !== null ? `was killed by ${signal}` : `exited with ${code}`));
  });
  const running = () => child.pid !== undefined && child.exitCode === null && child.signalCode === null;
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // Already gone between the check and the kill.
    }
  };
  const stop = async (): Promise<void> => {
    if (!running()) return;
    // PostgreSQL takes SIGTERM as "wait for every client to leave"; it stops at once on SIGINT.
    signalGroup(options.stopSignal ?? 'SIGTERM');
    const outcome = await Promise.race([ended, sleep(STOP_TIMEOUT_MS).then(() => 'timeout' as const)]);
    if (outcome === 'timeout') {
      options.log(`${name} did not stop within ${STOP_TIMEOUT_MS / 1000}s; killing it`);
      signalGroup('SIGKILL');
      await ended;
    }
  };
  const output = [child.stdout, child.stderr].filter((stream) => stream !== null);
  return { name, pid: child.pid, output, ended, stop };
}

/** Owns the services, stops them newest first, and turns an unexpected exit of any of them into a full stop. */
export class Supervisor {
  private readonly services: Service[] = [];
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly log: Log,
    private readonly exit: (code: number) => void,
  ) {}

  get isStopping(): boolean {
    return this.stopping !== undefined;
  }

  add(service: Service): void {
    this.services.push(service);
    void service.ended.then((description) => {
      if (this.isStopping) return;
      this.log(`${service.name} ${description} unexpectedly; stopping everything.`);
      void this.stop(1);
    });
  }

  stop(code: number): Promise<void> {
    this.stopping ??= (async () => {
      for (const service of [...this.services].reverse()) {
        try {
          await service.stop();
        } catch (error) {
          this.log(`could not stop ${service.name}: ${(error as Error).message}`);
        }
      }
      this.exit(code);
    })();
    return this.stopping;
  }
}
