import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { loadPlatformConfig, REPO_ROOT } from '../../src/config/platform';
import { freePort } from '../../src/dev/test-server-jvm';
import { INCIDENT_SEARCH_ATTRIBUTES } from '../../src/domain/search-attributes';
import { provisionedCli } from '../support/temporal';
import { descendants, stillRunning } from './processes';

/** `npm start` end to end: one data dir, two runs, real server and worker, checked from the outside. */

let dataDir: string;
let cliPath: string;
let port: number;
let uiPort: number;
let apiPort: number;
const API_TOKEN = 'platform-test-token-0123456789';
const workflowId = 'platform-test-survives-restart';

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

async function startApp(): Promise<Started> {
  // Without TEMPORAL_ADDRESS, whatever the developer's shell has: this test is about the local server.
  const env: Record<string, string | undefined> = {
    ...loadPlatformConfig().childEnv,
    TEMPORAL_ADDRESS: undefined,
    INCIDENT_DATA_DIR: dataDir,
    TEMPORAL_PORT: String(port),
    TEMPORAL_UI_PORT: String(uiPort),
    TEMPORAL_CLI_PATH: cliPath,
    INCIDENT_API_PORT: String(apiPort),
    INCIDENT_API_TOKENS: JSON.stringify({ [API_TOKEN]: { actor: 'platform-test', scopes: ['respond'] } }),
  };
  // The same entry point as `npm start` without npm and tsx's wrappers, so the pid is start.ts itself.
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/dev/start.ts'], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const deadline = Date.now() + 120_000;
  while (!output.includes('Press Ctrl-C to stop.')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGTERM');
      assert.fail(`npm start did not come up:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { child, output: () => output, exited };
}

async function clientFor(run: (client: Client) => Promise<void>): Promise<void> {
  const connection = await Connection.connect({ address: `localhost:${port}` });
  try {
    await run(new Client({ connection }));
  } finally {
    await connection.close();
  }
}

before(async () => {
  const cli = await provisionedCli();
  if (cli.source === 'sdk-download') throw new Error(cli.unavailable);
  cliPath = cli.path;
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'npm-start-test-'));
  port = await freePort();
  uiPort = await freePort();
  apiPort = await freePort();
});

after(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

void test('npm start serves the Web UI and the search attributes, and SIGTERM leaves no process behind', async () => {
  const app = await startApp();
  const tree = descendants(app.child.pid!);
  assert.ok(
    tree.some((row) => row.args.includes('start-dev') && row.args.includes(dataDir)),
    'dev server with the data dir',
  );
  assert.ok(
    tree.some((row) => row.args.includes('src/worker.ts')),
    'worker',
  );
  assert.match(app.output(), new RegExp(`Web UI\\s+http://localhost:${uiPort}/`));

  const page = await fetch(`http://localhost:${uiPort}/`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<!doctype html>/i);

  const { stdout } = await promisify(execFile)(cliPath, [
    'operator',
    'search-attribute',
    'list',
    '--address',
    `localhost:${port}`,
  ]);
  for (const name of INCIDENT_SEARCH_ATTRIBUTES) assert.match(stdout, new RegExp(`${name}\\s+Keyword`));

  // The API runs next to the worker: ready once the worker polls, and it declares through the same workflow.
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  assert.match(app.output(), new RegExp(`API\\s+${apiUrl}/api/v1`));
  assert.ok(
    tree.some((row) => row.args.includes('src/api/server.ts')),
    'api',
  );
  // The worker bundles its workflows before it polls: up to a minute on a busy 2-core machine.
  let ready = await fetch(`${apiUrl}/readyz`);
  for (let i = 0; i < 300 && ready.status !== 200; i++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    ready = await fetch(`${apiUrl}/readyz`);
  }
  assert.equal(ready.status, 200, await ready.text());
  const declared = await fetch(`${apiUrl}/api/v1/incidents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'Declared through npm start', severity: 'SEV-4', drill: true }),
  });
  assert.equal(declared.status, 201, await declared.text());

  await clientFor(async (client) => {
    // No worker polls this queue, so the workflow simply stays open: something to look for after a restart.
    await client.workflow.start('PlatformRestartProbe', { taskQueue: 'platform-test-probe', workflowId });
  });

  app.child.kill('SIGTERM');
  assert.equal(await app.exited, 0, app.output());
  assert.deepEqual(stillRunning(tree.map((row) => row.pid)), []);
});

void test('a second start finds the same data; a crashed worker stops everything with a non-zero exit', async () => {
  const app = await startApp();
  await clientFor(async (client) => {
    const description = await client.workflow.getHandle(workflowId).describe();
    assert.equal(description.status.name, 'RUNNING');
  });
  const tree = descendants(app.child.pid!);
  const worker = tree.find((row) => row.args.includes('src/worker.ts'));
  assert.ok(worker, 'worker is running');
  process.kill(worker.pid, 'SIGKILL');
  assert.equal(await app.exited, 1, app.output());
  assert.match(app.output(), /worker was killed by SIGKILL unexpectedly; stopping everything/);
  assert.deepEqual(stillRunning(tree.map((row) => row.pid)), []);
});

void test('a bad setting stops npm start before anything runs, naming the variable', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/dev/start.ts'], {
    cwd: REPO_ROOT,
    env: { ...loadPlatformConfig().childEnv, TEMPORAL_UI_PORT: 'eighty' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 1);
  assert.match(stderr, /TEMPORAL_UI_PORT="eighty" must be a TCP port number/);
});
