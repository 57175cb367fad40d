import path from 'node:path';
import { Connection } from '@temporalio/client';
import { setRetention } from '../dev-server';
import { findPostgresBinDir, startPostgres, type RunningPostgres } from './postgres';
import { freePort, setupSchema, TemporalServer, type TemporalServerOptions } from './temporal-server';

export interface ClusterOptions extends Omit<TemporalServerOptions, 'db'> {
  /** Holds PostgreSQL's data directory and the server's config; kept across runs unless the caller removes it. */
  dir: string;
  /** PostgreSQL's port; 0 picks a free one. */
  postgresPort: number;
  postgresBinDir: string | undefined;
  /** false in tests: PostgreSQL without fsync (it is never the process that gets killed there). */
  durable: boolean;
  /** INCIDENT_RETENTION, set after registration as the compose job does (auto-setup registers with 24 h). */
  retentionMs?: number;
}

export interface LocalCluster {
  postgres: RunningPostgres;
  server: TemporalServer;
  /** Stops the server, then PostgreSQL. */
  stop(): Promise<void>;
}

/**
 * The production topology on one machine, in the compose file's order: PostgreSQL, the schema, the server,
 * the namespace with its retention and search attributes. Each step is safe to repeat on a kept directory.
 */
export async function startLocalCluster(options: ClusterOptions): Promise<LocalCluster> {
  const { log } = options;
  const binDir = await findPostgresBinDir(options.postgresBinDir);
  const postgres = await startPostgres({
    binDir,
    dir: path.join(options.dir, 'postgres'),
    port: options.postgresPort === 0 ? await freePort() : options.postgresPort,
    durable: options.durable,
    log,
    ...(options.register ? { register: options.register } : {}),
  });
  let server: TemporalServer | undefined;
  try {
    log(`[cluster] PostgreSQL ${path.basename(path.dirname(binDir))} on ${postgres.host}:${postgres.port}`);
    await setupSchema(options.install, postgres, log);
    server = await TemporalServer.create({ ...options, db: postgres, dir: path.join(options.dir, 'temporal') });
    await server.start(false);
    if (await server.registerNamespace()) {
      log(`[cluster] registered namespace ${options.namespace} and its search attributes; restarting the server`);
      await server.stop();
      await server.start();
    }
    if (options.retentionMs !== undefined) {
      const connection = await Connection.connect({ address: server.address });
      await setRetention(connection, options.namespace, options.retentionMs).finally(() => connection.close());
    }
  } catch (error) {
    await server?.stop().catch(() => undefined);
    await postgres.service.stop().catch(() => undefined);
    throw error;
  }
  const started = server;
  return {
    postgres,
    server: started,
    async stop() {
      await started.stop();
      await postgres.service.stop();
    },
  };
}
