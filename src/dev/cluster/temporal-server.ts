import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import type { Log } from '../run-command';
import { spawnService, type Service } from '../supervisor';
import { waitForTemporal } from '../wait-for-server';
import type { ServerInstall } from './binaries';
import type { RunningPostgres } from './postgres';
import { CLUSTER, renderDynamicConfig, renderServerConfig, type ServerPorts } from './server-config';

const run = promisify(execFile);

/** A free loopback port; `below` keeps it out of the ephemeral range for ports stored as smallint. */
export async function freePort(below?: number): Promise<number> {
  for (let attempt = 0; ; attempt += 1) {
    const wanted = below === undefined ? 0 : 20_000 + Math.floor(Math.random() * (below - 20_000));
    try {
      return await listenOnce(wanted);
    } catch (error) {
      if (below === undefined || attempt > 50) throw error;
    }
  }
}

async function listenOnce(port: number): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port assigned');
  return address.port;
}

/** The membership table keeps ports in a smallint column: above 32767 the server dies at its first heartbeat. */
const MEMBERSHIP_PORT_LIMIT = 32_768;

/**
 * What auto-setup does to an empty PostgreSQL, with the same tool: create both databases, set up the schema's
 * version table, and apply every versioned schema directory of this server version. Safe to run again.
 */
export async function setupSchema(install: ServerInstall, db: RunningPostgres, log: Log): Promise<void> {
  const env = {
    SQL_PLUGIN: CLUSTER.sqlPlugin,
    SQL_HOST: db.host,
    SQL_PORT: String(db.port),
    SQL_USER: db.user,
    SQL_PASSWORD: db.password,
  };
  const existing = new Set((await db.query('postgres', 'select datname from pg_database')).map((row) => row[0]));
  for (const kind of ['default', 'visibility'] as const) {
    const database = CLUSTER.databases[kind];
    const sqlTool = async (...args: string[]) => {
      try {
        await run(install.sqlTool, ['--db', database, ...args], { env: { ...env, SQL_DATABASE: database } });
      } catch (error) {
        const detail = (error as { stderr?: string }).stderr ?? (error as Error).message;
        throw new Error(`temporal-sql-tool ${args[0]} on ${database} failed: ${detail}`);
      }
    };
    if (!existing.has(database)) await sqlTool('create-database');
    await sqlTool('setup-schema', '-v', '0.0');
    await sqlTool('update-schema', '-d', path.join(install.schemaDir, CLUSTER.schemaDirs[kind]));
  }
  log(`[cluster] schema of ${CLUSTER.databases.default} and ${CLUSTER.databases.visibility} is current`);
}

export interface TemporalServerOptions {
  install: ServerInstall;
  db: RunningPostgres;
  /** Holds the rendered config; the state itself lives in PostgreSQL. */
  dir: string;
  /** The frontend's gRPC port; 0 picks a free one. */
  port: number;
  namespace: string;
  log: Log;
  /** Echo the server's own log lines (warnings and errors); off in tests, which keep them in `stderr`. */
  echo?: () => boolean;
  /** Called once with the server as a service, so a supervisor stops it (`npm run start:cluster`). */
  register?: (service: Service) => void;
  env?: Record<string, string | undefined>;
}

/** The Temporal server as a process one can SIGKILL and start again on the same database and ports. */
export class TemporalServer {
  private service: (Service & { pid: number | undefined }) | undefined;
  private running = false;
  /** Echo only a server that is up: starting and stopping on purpose is chatty at warn level. */
  private echoing = false;
  private output = '';
  private endedUnexpectedly: (description: string) => void = () => undefined;
  /**
   * The server across its restarts, for a supervisor: it ends only when a process exits that nobody stopped or
   * killed through this object, and stopping it stops whichever process runs now.
   */
  readonly asService: Service;

  private constructor(
    private readonly options: TemporalServerOptions,
    private readonly configDir: string,
    readonly address: string,
  ) {
    this.asService = {
      name: 'Temporal server',
      ended: new Promise<string>((resolve) => (this.endedUnexpectedly = resolve)),
      stop: () => this.stop(),
    };
    options.register?.(this.asService);
  }

  get namespace(): string {
    return this.options.namespace;
  }

  /** What the server processes wrote, across restarts (the tail). */
  get stderr(): string {
    return this.output;
  }

  static async create(options: TemporalServerOptions): Promise<TemporalServer> {
    const ports: ServerPorts = {
      frontend: options.port === 0 ? await freePort() : options.port,
      frontendHttp: await freePort(),
      frontendMembership: await freePort(MEMBERSHIP_PORT_LIMIT),
      history: await freePort(),
      historyMembership: await freePort(MEMBERSHIP_PORT_LIMIT),
      matching: await freePort(),
      matchingMembership: await freePort(MEMBERSHIP_PORT_LIMIT),
      worker: await freePort(),
      workerMembership: await freePort(MEMBERSHIP_PORT_LIMIT),
    };
    const configDir = path.join(options.dir, 'config');
    await mkdir(configDir, { recursive: true });
    const dynamicConfig = path.join(configDir, 'dynamic.yaml');
    await writeFile(dynamicConfig, renderDynamicConfig());
    // The file holds the database password: readable by us only.
    await writeFile(path.join(configDir, 'cluster.yaml'), renderServerConfig(options.db, ports, dynamicConfig), {
      mode: 0o600,
    });
    return new TemporalServer(options, configDir, `127.0.0.1:${ports.frontend}`);
  }

  /** Starts the server and waits until its frontend answers (and knows the namespace, once registered). */
  async start(waitForNamespace = true): Promise<void> {
    if (this.running) throw new Error('the Temporal server is already running');
    const { install, log } = this.options;
    const args = ['--root', '/', '--config', this.configDir, '--env', 'cluster', '--allow-no-auth', 'start'];
    const service = spawnService('Temporal server', install.server, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: this.options.env,
      log,
    });
    this.service = service;
    this.running = true;
    let endedWith: string | undefined;
    void service.ended.then((description) => {
      endedWith = description;
      if (this.service !== service || !this.running) return;
      this.running = false;
      this.endedUnexpectedly(description);
    });
    for (const stream of service.output) {
      createInterface({ input: stream }).on('line', (line) => {
        this.output = `${this.output}${line}\n`.slice(-20_000);
        if (this.echoing && this.options.echo?.()) log(`[temporal] ${line}`);
      });
    }
    const connection = await waitForTemporal(this.address, {
      timeoutMs: 60_000,
      ...(waitForNamespace ? { namespace: this.namespace } : {}),
      gaveUp: () => (endedWith === undefined ? undefined : `${endedWith}:\n${this.output.slice(-3000)}`),
    });
    await connection.close();
    this.echoing = true;
  }

  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  async stop(): Promise<void> {
    const service = this.service;
    if (!this.running || service === undefined) return;
    this.running = false;
    this.echoing = false;
    await service.stop();
  }

  private async signal(name: NodeJS.Signals): Promise<void> {
    const service = this.service;
    if (!this.running || service?.pid === undefined) return;
    this.running = false;
    this.echoing = false;
    try {
      process.kill(-service.pid, name);
    } catch {
      // Already gone.
    }
    await service.ended;
  }

  /**
   * Registers the namespace with auto-setup's retention and the incident search attributes, like the compose
   * file's setup jobs. Returns true when it changed anything: the server's services cache both for up to a
   * minute, so a caller restarts the server before the first incident rather than have it refused.
   */
  async registerNamespace(): Promise<boolean> {
    const connection = await Connection.connect({ address: this.address });
    let changed = false;
    try {
      const { namespace } = this;
      try {
        await connection.workflowService.describeNamespace({ namespace });
      } catch (error) {
        if ((error as { code?: number }).code !== 5) throw error; // 5 = NOT_FOUND
        await connection.workflowService.registerNamespace({
          namespace,
          workflowExecutionRetentionPeriod: msToTs(CLUSTER.retention),
        });
        changed = true;
      }
      const { customAttributes } = await untilNamespaceKnown(() =>
        connection.operatorService.listSearchAttributes({ namespace }),
      );
      const missing = CLUSTER.searchAttributes.filter(({ name }) => !(name in (customAttributes ?? {})));
      if (missing.length > 0) {
        await connection.operatorService.addSearchAttributes({
          namespace,
          searchAttributes: Object.fromEntries(
            missing.map(({ name }) => [name, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD]),
          ),
        });
        changed = true;
      }
    } finally {
      await connection.close();
    }
    return changed;
  }
}

/** A namespace registered a moment ago is unknown to the server's other services until their cache refreshes. */
async function untilNamespaceKnown<T>(call: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if ((error as { code?: number }).code !== 5 || Date.now() > deadline) throw error;
    }
    await sleep(250);
  }
}
