import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { loadPlatformConfig } from '../../src/config/platform';
import { loadRecordsConfig } from '../../src/config/records';
import { provisionTemporalServer, type ServerInstall } from '../../src/dev/cluster/binaries';
import { startLocalCluster, type LocalCluster } from '../../src/dev/cluster/cluster';

/**
 * Temporal's own server on PostgreSQL for a test, as `npm run start:cluster` runs it but in a temporary directory
 * (PostgreSQL without fsync: the tests kill the Temporal server and workers, never the database).
 */

let install: Promise<ServerInstall> | undefined;

/** Built once per machine into the cache (a cold `go install` takes minutes), like the CLI. */
export function provisionedServer(): Promise<ServerInstall> {
  return (install ??= provisionTemporalServer(loadPlatformConfig(), undefined));
}

export interface TestCluster extends LocalCluster {
  dir: string;
  close(): Promise<void>;
}

export async function startTestCluster(
  log: (line: string) => void = () => undefined,
  env?: Record<string, string | undefined>,
): Promise<TestCluster> {
  const server = await provisionedServer();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'incident-cluster-'));
  // PostgreSQL runs as `nobody` when the tests run as root: it must be able to reach its directory.
  await chmod(dir, 0o711);
  try {
    const cluster = await startLocalCluster({
      install: server,
      dir,
      port: 0,
      postgresPort: 0,
      postgresBinDir: undefined,
      namespace: 'default',
      durable: false,
      retentionMs: loadRecordsConfig({}).retentionMs,
      log,
      ...(env ? { env } : {}),
    });
    return {
      ...cluster,
      dir,
      async close() {
        await cluster.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Which worker processes took workflow and activity tasks, by their identity (`pid@host`). */
export async function taskIdentities(client: Client, workflowIds: string[]): Promise<Set<string>> {
  const identities = new Set<string>();
  for (const workflowId of workflowIds) {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    for (const event of history.events ?? []) {
      const identity =
        event.workflowTaskStartedEventAttributes?.identity ?? event.activityTaskStartedEventAttributes?.identity;
      if (identity) identities.add(identity);
    }
  }
  return identities;
}

/** The process group of a live process (from /proc), to tell which worker an identity's pid belongs to. */
export async function processGroup(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (in parentheses, which may hold spaces): state, ppid, pgrp.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[2]);
  } catch {
    return undefined;
  }
}
