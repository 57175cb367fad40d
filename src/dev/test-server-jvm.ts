import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { rename, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import type { Log } from './run-command';
import { waitForTemporal } from './wait-for-server';

export const CLASS_DATA_ARCHIVE = 'server.jsa';
export const TEST_SERVER_MAIN = 'io.temporal.testserver.TestServer';
/** C1 only and the serial GC: the test server is short-lived, so start-up time beats peak throughput. */
export const JVM_FLAGS = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'];

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * `exec` matters: the SDK passes the port as the only argument and stops the server by SIGKILLing its direct
 * child, so the JVM must be that child. The class-data archive (when present) halves the JVM's cold start;
 * `-Xshare:auto` ignores it quietly if a Java upgrade made it stale.
 */
export function testServerWrapper(finalDir: string, java: string): string {
  return `#!/bin/sh
# Temporal time-skipping test server, fetched from Maven Central by incident-response (src/dev/builders.ts).
dir=${shellQuote(finalDir)}
java=${shellQuote(java)}
[ -x "$java" ] || java=java
if [ -f "$dir/${CLASS_DATA_ARCHIVE}" ]; then
  exec "$java" ${JVM_FLAGS.join(' ')} -XX:SharedArchiveFile="$dir/${CLASS_DATA_ARCHIVE}" -Xshare:auto \\
    -Xlog:cds=off -Xlog:cds+dynamic=off -cp "$dir/lib/*" ${TEST_SERVER_MAIN} "$@"
fi
exec "$java" ${JVM_FLAGS.join(' ')} -cp "$dir/lib/*" ${TEST_SERVER_MAIN} "$@"
`;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('could not allocate a free port');
  return address.port;
}

/**
 * Records an AppCDS archive of the classes the server loads while starting and answering its first call, so
 * later starts map them instead of parsing and verifying them again. Best effort: without it the server only
 * starts slower, so failures are logged, never thrown.
 */
export async function buildClassDataArchive(dir: string, java: string, log: Log): Promise<void> {
  const target = path.join(dir, CLASS_DATA_ARCHIVE);
  const partial = `${target}.partial`;
  const port = await freePort();
  // The class path string must be identical to the wrapper's, or the JVM refuses the archive.
  const child = spawn(
    java,
    [...JVM_FLAGS, `-XX:ArchiveClassesAtExit=${partial}`, '-Xlog:cds=off', '-Xlog:cds+dynamic=off'].concat([
      '-cp',
      `${dir}/lib/*`,
      TEST_SERVER_MAIN,
      String(port),
    ]),
    { stdio: 'ignore' },
  );
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  let failure: string | undefined;
  try {
    const connection = await waitForTemporal(`127.0.0.1:${port}`, {
      timeoutMs: 60_000,
      gaveUp: () => (child.exitCode !== null ? `exited with ${child.exitCode}` : undefined),
    });
    await connection.close();
  } catch (error) {
    failure = (error as Error).message;
  }
  // The JVM writes the archive while exiting on SIGTERM; give it time before forcing the issue.
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  await exited;
  clearTimeout(timer);
  try {
    if (failure !== undefined) throw new Error(failure);
    await rename(partial, target);
    log(`[temporal-test-server] class-data archive written: ${target}`);
  } catch (error) {
    await rm(partial, { force: true });
    log(`[temporal-test-server] class-data archive skipped (start-up will be slower): ${(error as Error).message}`);
  }
}
