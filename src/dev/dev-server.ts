import { createInterface } from 'node:readline';
import type { Connection } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { msToTs, tsToMs } from '@temporalio/common/lib/time';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { INCIDENT_SEARCH_ATTRIBUTES } from '../domain/search-attributes';
import { DEV_SERVER_DYNAMIC_CONFIG_ARGS } from './server-settings';
import type { Log } from './run-command';
import { spawnService, type Service } from './supervisor';
import type { Provisioned } from './temporal-binaries';
import { waitForTemporal } from './wait-for-server';

export interface DevServerOptions {
  dbFile: string;
  port: number;
  uiPort: number;
  namespace: string;
  log: Log;
  /** Returns true once `npm start` is stopping, to drop the server's own shutdown chatter. */
  quiet: () => boolean;
  /** Called as soon as the server exists, so a Ctrl-C while it is still starting stops it too. */
  register: (service: Service) => void;
  /** `PRAGMA=VALUE` settings for the server's SQLite database, e.g. `journal_mode=wal` (none by default). */
  sqlitePragmas?: readonly string[];
  /** How long closed incidents stay in Temporal; the dev server would create the namespace with 24 h. */
  retentionMs?: number;
}

export function devServerArgs(
  options: Pick<DevServerOptions, 'dbFile' | 'port' | 'uiPort' | 'namespace' | 'sqlitePragmas'>,
): string[] {
  const args = ['server', 'start-dev', '--db-filename', options.dbFile];
  for (const pragma of options.sqlitePragmas ?? []) args.push('--sqlite-pragma', pragma);
  args.push('--port', String(options.port), '--ui-port', String(options.uiPort), ...DEV_SERVER_DYNAMIC_CONFIG_ARGS);
  args.push('--log-level', 'warn');
  if (options.namespace !== 'default') args.push('--namespace', options.namespace);
  for (const name of INCIDENT_SEARCH_ATTRIBUTES) args.push('--search-attribute', `${name}=Keyword`);
  return args;
}

/** Starts the dev server (our provisioned binary, or the SDK's download as the last resort) and waits for it. */
export async function startDevServer(cli: Provisioned, options: DevServerOptions): Promise<void> {
  const address = `localhost:${options.port}`;
  if (cli.source === 'sdk-download') return startWithSdkDownload(cli, options);
  const server = spawnService('Temporal dev server', cli.path, devServerArgs(options), {
    stdio: ['ignore', 'pipe', 'pipe'],
    log: options.log,
  });
  options.register(server);
  let endedWith: string | undefined;
  void server.ended.then((description) => (endedWith = description));
  for (const stream of server.output) {
    createInterface({ input: stream }).on('line', (line) => {
      if (!options.quiet()) options.log(`[temporal] ${line}`);
    });
  }
  const connection = await waitForTemporal(address, {
    timeoutMs: 60_000,
    namespace: options.namespace,
    gaveUp: () => endedWith,
  });
  try {
    await assertSearchAttributes(connection, options.namespace);
    if (options.retentionMs !== undefined) await setRetention(connection, options.namespace, options.retentionMs);
  } finally {
    await connection.close();
  }
}

async function startWithSdkDownload(
  cli: Extract<Provisioned, { source: 'sdk-download' }>,
  options: DevServerOptions,
): Promise<void> {
  let env: TestWorkflowEnvironment;
  try {
    env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: cli.executable,
        dbFilename: options.dbFile,
        port: options.port,
        ui: true,
        uiPort: options.uiPort,
        namespace: options.namespace,
        searchAttributes: INCIDENT_SEARCH_ATTRIBUTES.map((name) =>
          defineSearchAttributeKey(name, SearchAttributeType.KEYWORD),
        ),
        extraArgs: [
          ...DEV_SERVER_DYNAMIC_CONFIG_ARGS,
          ...(options.sqlitePragmas ?? []).flatMap((pragma) => ['--sqlite-pragma', pragma]),
        ],
      },
    });
  } catch (error) {
    throw new Error(`${cli.unavailable}\nThe SDK's download failed too: ${(error as Error).message}`);
  }
  // The SDK owns this process and reports no exit, so it only ends when we stop it.
  const ended = new Promise<string>(() => {});
  options.register({ name: 'Temporal dev server (SDK download)', ended, stop: () => env.teardown() });
  if (options.retentionMs !== undefined) await setRetention(env.connection, options.namespace, options.retentionMs);
}

/**
 * `temporal server start-dev` has no retention flag and creates its namespaces with 24 h, so the retention is set
 * after start, on every start: a changed INCIDENT_RETENTION applies to the same data directory next time.
 */
export async function setRetention(connection: Connection, namespace: string, retentionMs: number): Promise<void> {
  // Only the fields set change: the rest of the namespace's config stays as it was.
  await connection.workflowService.updateNamespace({
    namespace,
    config: { workflowExecutionRetentionTtl: msToTs(retentionMs) },
  });
}

/** The namespace's retention in milliseconds, as the server holds it. */
export async function readRetention(connection: Connection, namespace: string): Promise<number> {
  const { config } = await connection.workflowService.describeNamespace({ namespace });
  return tsToMs(config?.workflowExecutionRetentionTtl);
}

/** The incident search attributes the namespace lacks (the Web UI filters and `incident list` need all of them). */
async function missingSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const response = await connection.operatorService.listSearchAttributes({ namespace });
  const custom = response.customAttributes ?? {};
  return INCIDENT_SEARCH_ATTRIBUTES.filter((name) => !(name in custom));
}

async function assertSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  const missing = await missingSearchAttributes(connection, namespace);
  if (missing.length > 0) {
    throw new Error(`the dev server started without the search attributes ${missing.join(', ')}`);
  }
}
