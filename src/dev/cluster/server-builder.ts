import { execFile } from 'node:child_process';
import { cp, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Builder } from '../builders';
import { runWithProgress } from '../run-command';

/** The compose file's `temporalio/auto-setup` tag: the cluster tests and `npm run start:cluster` run the same server. */
export const SERVER_VERSION = '1.29.1';
/** The SQL plugin the compose file's auto-setup uses (`DB=postgres12`), and its schema directory in the module. */
export const SQL_PLUGIN = 'postgres12';
const SCHEMA_DIR_IN_MODULE = 'schema/postgresql/v12';

export const SERVER_DIR_NAME = `temporal-server-${SERVER_VERSION}`;
/** `go install` names each binary after its package directory. */
export const SERVER_BINARY = 'server';
export const SQL_TOOL_BINARY = 'sql';
/** Where the cache entry keeps the versioned schema directories it was built with (copied from the module). */
export const SCHEMA_DIR = 'schema';

/**
 * `go install` of Temporal's server and its SQL schema tool from the Go module proxy, like the CLI; the server
 * module's versioned PostgreSQL schema goes into the same cache entry, so the entry alone can set up a database.
 */
export const temporalServerBuilder: Builder = {
  tools: ['go'],
  toolHint: 'install Go (1.23 or newer) so the Temporal server can be built with `go install`',
  cacheEntries: [{ dirName: SERVER_DIR_NAME, binary: SERVER_BINARY }],
  async build(ctx) {
    const builtDir = path.join(ctx.workDir, SERVER_DIR_NAME);
    await mkdir(builtDir, { recursive: true });
    const run = (args: string[], label: string) =>
      runWithProgress(ctx.tools.go!, args, {
        label,
        cwd: ctx.workDir,
        env: { ...ctx.env, GOBIN: builtDir },
        logFile: path.join(ctx.workDir, `${label}.log`),
        log: ctx.log,
        signal: ctx.signal,
      });
    const module = `go.temporal.io/server@v${SERVER_VERSION}`;
    await run(
      [
        'install',
        '-v',
        `go.temporal.io/server/cmd/server@v${SERVER_VERSION}`,
        `go.temporal.io/server/cmd/tools/sql@v${SERVER_VERSION}`,
      ],
      'temporal-server',
    );
    // `go install pkg@version` put the module in the module cache; `go mod download -json` says where.
    const moduleDir = await goModuleDir(ctx.tools.go!, module, { ...ctx.env }, ctx.workDir);
    await cp(path.join(moduleDir, SCHEMA_DIR_IN_MODULE), path.join(builtDir, SCHEMA_DIR), { recursive: true });
    return { dirName: SERVER_DIR_NAME, builtDir };
  },
};

async function goModuleDir(
  go: string,
  module: string,
  env: Record<string, string | undefined>,
  cwd: string,
): Promise<string> {
  const { stdout } = await promisify(execFile)(go, ['mod', 'download', '-json', module], { env, cwd });
  const dir = (JSON.parse(stdout) as { Dir?: string }).Dir;
  if (!dir) throw new Error(`go mod download ${module} did not name the module's directory`);
  return dir;
}
