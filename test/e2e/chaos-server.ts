import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { devServerArgs } from '../../src/dev/dev-server';
import { waitForTemporal } from '../../src/dev/wait-for-server';

/**
 * A Temporal dev server the test owns, as `npm start` runs it: a SQLite file (`--db-filename`) and fixed ports,
 * so a SIGKILL and a restart bring back the same server with every workflow, timer and task queue intact.
 * The SDK's ephemeral server cannot be restarted, which is why the chaos test starts its own.
 */
export interface KillableDevServer {
  readonly address: string;
  readonly namespace: string;
  /** Everything the server processes wrote to stderr, across restarts. */
  readonly stderr: string;
  /** Starts the server (again) on the same file and ports and waits until the namespace answers. */
  start(): Promise<void>;
  /** SIGKILL to the server's process group; resolves once it is gone. */
  kill(): Promise<void>;
  /** SIGTERM, SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port assigned');
  return address.port;
}

export async function killableDevServer(options: { cliPath: string; dbFile: string }): Promise<KillableDevServer> {
  const port = await freePort();
  const uiPort = await freePort();
  const namespace = 'default';
  const address = `127.0.0.1:${port}`;
  const args = devServerArgs({ dbFile: options.dbFile, port, uiPort, namespace });
  let child: ChildProcess | undefined;
  let exited: Promise<unknown> = Promise.resolve();
  let stderr = '';

  const signal = (name: NodeJS.Signals) => {
    try {
      if (child?.pid !== undefined) process.kill(-child.pid, name);
    } catch {
      // Already gone.
    }
  };
  const running = () => child !== undefined && child.exitCode === null && child.signalCode === null;

  const server: KillableDevServer = {
    address,
    namespace,
    get stderr() {
      return stderr;
    },
    async start() {
      if (running()) throw new Error('the dev server is already running');
      const started = spawn(options.cliPath, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
      child = started;
      exited = once(started, 'exit');
      started.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const connection = await waitForTemporal(address, {
        timeoutMs: 30_000,
        namespace,
        gaveUp: () => (running() ? undefined : `exited (${started.exitCode ?? started.signalCode})`),
      });
      await connection.close();
    },
    async kill() {
      if (!running()) return;
      signal('SIGKILL');
      await exited;
    },
    async stop(graceMs = 10_000) {
      if (!running()) return;
      signal('SIGTERM');
      const outcome = await Promise.race([exited.then(() => 'exited'), sleep(graceMs).then(() => 'timeout')]);
      if (outcome === 'timeout') await server.kill();
    },
  };
  return server;
}
