import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, chown, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { Log } from '../run-command';
import { spawnService, type Service } from '../supervisor';

/**
 * PostgreSQL from the distribution's packages (Debian: `apt-get install postgresql`), run by the project in a data
 * directory of its own on a loopback port, with password authentication for the `temporal` role. initdb and the
 * server refuse to run as root, so as root both run as `nobody` through `setpriv`, which owns the data directory.
 */

const run = promisify(execFile);
export const POSTGRES_USER = 'temporal';
/** Debian's layout; newest major version first. */
const DEBIAN_ROOT = '/usr/lib/postgresql';
const UNPRIVILEGED = { uid: 65534, gid: 65534, name: 'nobody' };

export async function findPostgresBinDir(override: string | undefined): Promise<string> {
  const candidates = override !== undefined ? [override] : await debianBinDirs();
  for (const dir of candidates) {
    if (await exists(path.join(dir, 'initdb'))) return dir;
  }
  throw new Error(
    override !== undefined
      ? `INCIDENT_POSTGRES_BIN_DIR=${override} has no initdb`
      : `PostgreSQL is not installed (no ${DEBIAN_ROOT}/*/bin/initdb): \`apt-get install postgresql\`, or set INCIDENT_POSTGRES_BIN_DIR`,
  );
}

async function debianBinDirs(): Promise<string[]> {
  const versions = await readdir(DEBIAN_ROOT).catch(() => [] as string[]);
  return versions
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a))
    .map((v) => path.join(DEBIAN_ROOT, v, 'bin'));
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

export interface PostgresOptions {
  binDir: string;
  /** Holds `data/` (the cluster) and `password`; kept across runs, so a second start finds the same databases. */
  dir: string;
  port: number;
  log: Log;
  /** Tests trade crash safety of PostgreSQL itself (never killed there) for speed: no fsync. */
  durable: boolean;
  register?: (service: Service) => void;
}

export interface RunningPostgres {
  host: string;
  port: number;
  user: string;
  password: string;
  service: Service;
  /** Runs SQL through psql as the `temporal` role and returns its unaligned, tab-separated rows. */
  query(database: string, sql: string): Promise<string[][]>;
}

/** As root: run through setpriv as `nobody` (initdb and postgres refuse root); otherwise as ourselves. */
function asUnprivileged(command: string, args: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [command, args];
  return [
    'setpriv',
    [`--reuid=${UNPRIVILEGED.uid}`, `--regid=${UNPRIVILEGED.gid}`, '--clear-groups', '--', command, ...args],
  ];
}

async function ownForPostgres(target: string): Promise<void> {
  if (process.getuid?.() === 0) await chown(target, UNPRIVILEGED.uid, UNPRIVILEGED.gid);
}

export async function startPostgres(options: PostgresOptions): Promise<RunningPostgres> {
  const { binDir, dir, port, log } = options;
  const dataDir = path.join(dir, 'data');
  const passwordFile = path.join(dir, 'password');
  // Only the last directory is private: its parents stay searchable, or `nobody` could not reach it.
  await mkdir(path.dirname(dir), { recursive: true });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await ownForPostgres(dir);
  if (!(await exists(path.join(dataDir, 'PG_VERSION')))) {
    const password = randomBytes(18).toString('base64url');
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
    await ownForPostgres(passwordFile);
    const [command, args] = asUnprivileged(path.join(binDir, 'initdb'), [
      '--pgdata',
      dataDir,
      '--username',
      POSTGRES_USER,
      '--pwfile',
      passwordFile,
      '--auth',
      'scram-sha-256',
      '--encoding',
      'UTF8',
      '--locale',
      'C',
      ...(options.durable ? [] : ['--no-sync']),
    ]);
    try {
      await run(command, args);
    } catch (error) {
      const detail = (error as { stderr?: string }).stderr ?? (error as Error).message;
      const asRoot = process.getuid?.() === 0;
      const hint = asRoot ? ` (run as ${UNPRIVILEGED.name}: every parent of ${dir} must be searchable by others)` : '';
      throw new Error(`initdb in ${dataDir} failed${hint}: ${detail}`);
    }
  }
  const password = (await readFile(passwordFile, 'utf8')).trim();
  const settings = [
    `port=${port}`,
    'listen_addresses=127.0.0.1',
    // TCP only: no socket file in a system directory `nobody` cannot write to.
    'unix_socket_directories=',
    'max_connections=200',
    ...(options.durable ? [] : ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off']),
  ];
  const [command, args] = asUnprivileged(path.join(binDir, 'postgres'), [
    '-D',
    dataDir,
    ...settings.flatMap((s) => ['-c', s]),
  ]);
  const service = spawnService('PostgreSQL', command, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    log,
    stopSignal: 'SIGINT',
  });
  options.register?.(service);
  let output = '';
  for (const stream of service.output) {
    createInterface({ input: stream }).on('line', (line) => (output = `${output}${line}\n`.slice(-4000)));
  }
  let endedWith: string | undefined;
  void service.ended.then((d) => (endedWith = d));
  const host = '127.0.0.1';
  const env = { PGPASSWORD: password, PGCONNECT_TIMEOUT: '2' };
  const psql = path.join(binDir, 'psql');
  const query = async (database: string, sql: string): Promise<string[][]> => {
    const { stdout } = await run(
      psql,
      [
        '-h',
        host,
        '-p',
        String(port),
        '-U',
        POSTGRES_USER,
        '-d',
        database,
        '-XAtq',
        '-F',
        '\t',
        '-v',
        'ON_ERROR_STOP=1',
        '-c',
        sql,
      ],
      { env: { ...env, PATH: '' }, maxBuffer: 64 * 1024 * 1024 },
    );
    return stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => line.split('\t'));
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (endedWith !== undefined) throw new Error(`PostgreSQL ${endedWith}:\n${output}`);
    try {
      await query('postgres', 'select 1');
      break;
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(`PostgreSQL did not answer on ${host}:${port}: ${(error as Error).message}\n${output}`);
    }
    await sleep(100);
  }
  return { host, port, user: POSTGRES_USER, password, service, query };
}
