import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { INTEGRATION_ENV_VARS } from '../../src/config/integrations';

/**
 * The worker as people run it: `tsx src/worker.ts`, configured only through its environment. tsx runs the
 * script in a child of its own, so the worker gets its own process group and every signal goes to the group:
 * a SIGKILL must take the real worker down, not just the tsx wrapper, and nothing may outlive a test.
 */
const ROOT = path.resolve(__dirname, '../..');
const TSX_CLI = require.resolve('tsx/cli');
const READY = /worker: polling task queue/;

export interface WorkerProcess {
  pid: number;
  /** Everything the worker wrote to stdout and stderr so far. */
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves when the process group leader exits. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL to the whole group, then waits until no process of the group is left. */
  kill(): Promise<void>;
  /** A graceful shutdown (SIGTERM to the group), SIGKILL if it takes longer than `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** The caller's environment without any Temporal, incident or provider settings: only what the test sets applies. */
function isolatedEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const integration = new Set<string>(INTEGRATION_ENV_VARS);
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !/^(TEMPORAL_|INCIDENT_|POSTMORTEM_|DIAGNOSTICS_)/.test(key) && !integration.has(key),
    ),
  );
  // An isolated config file keeps a developer's temporal CLI profile from redirecting the worker.
  return { ...inherited, TEMPORAL_CONFIG_FILE: path.join(ROOT, 'test/e2e/no-such-temporal.toml'), ...env };
}

/** `script` is relative to the repository: another entry (a test's) that prints the same ready line. */
export async function startWorkerProcess(
  env: Record<string, string>,
  readyTimeoutMs = 60_000,
  script = 'src/worker.ts',
): Promise<WorkerProcess> {
  const child: ChildProcess = spawn(process.execPath, [TSX_CLI, script], {
    cwd: ROOT,
    env: isolatedEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('the worker process did not start');
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));

  const groupAlive = () => {
    try {
      process.kill(-pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is gone already.
    }
  };
  const untilGroupGone = async (timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (groupAlive() && Date.now() < deadline) await sleep(50);
    return !groupAlive();
  };

  const worker: WorkerProcess = {
    pid,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    exited,
    async kill() {
      signalGroup('SIGKILL');
      await exited;
      if (!(await untilGroupGone(5_000))) throw new Error(`worker process group ${pid} survived SIGKILL`);
    },
    async stop(graceMs = 15_000) {
      if (!groupAlive()) return;
      signalGroup('SIGTERM');
      if (!(await untilGroupGone(graceMs))) await worker.kill();
    },
  };

  const deadline = Date.now() + readyTimeoutMs;
  let exitedEarly = false;
  void exited.then(() => (exitedEarly = true));
  while (!READY.test(stdout)) {
    if (exitedEarly || Date.now() > deadline) {
      await worker.kill().catch(() => undefined);
      throw new Error(
        `the worker did not start polling${exitedEarly ? ' (it exited)' : ''}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`,
      );
    }
    await sleep(50);
  }
  return worker;
}
