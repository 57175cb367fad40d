import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { Connection } from '@temporalio/client';
import { loadPlatformConfig, REPO_ROOT } from '../../src/config/platform';
import { loadRecordsConfig } from '../../src/config/records';
import { freePort } from '../../src/dev/cluster/temporal-server';
import { readRetention } from '../../src/dev/dev-server';
import { INCIDENT_SEARCH_ATTRIBUTES } from '../../src/domain/search-attributes';
import { provisionedServer } from '../e2e/cluster-stack';
import { descendants, stillRunning } from './processes';

/** `npm run start:cluster` from the outside: PostgreSQL, the server, the worker and the API up; SIGTERM stops all. */

let dataDir: string;

before(async () => {
  await provisionedServer();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'start-cluster-test-'));
  // PostgreSQL runs as `nobody` when the tests run as root.
  await chmod(dataDir, 0o711);
});

after(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

test('start:cluster runs PostgreSQL, the Temporal server, the worker and the API; SIGTERM leaves nothing', async () => {
  const [port, apiPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/dev/start.ts', '--cluster'], {
    cwd: REPO_ROOT,
    env: {
      ...loadPlatformConfig().childEnv,
      TEMPORAL_ADDRESS: undefined,
      INCIDENT_DATA_DIR: dataDir,
      TEMPORAL_PORT: String(port),
      INCIDENT_API_PORT: String(apiPort),
      TEMPORAL_SERVER_PATH: (await provisionedServer()).server,
    },
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
      assert.fail(`start:cluster did not come up:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const tree = descendants(child.pid!);
  const running = (what: RegExp) => tree.some((row) => what.test(row.args));
  assert.ok(running(new RegExp(`postgres -D ${dataDir}/cluster/postgres/data`)), 'PostgreSQL on the data dir');
  assert.ok(running(/server --root \/ --config .*cluster\/temporal\/config .*start/), 'the Temporal server');
  assert.ok(running(/src\/worker\.ts/) && running(/src\/api\/server\.ts/), 'worker and API');
  assert.match(output, new RegExp(`Temporal\\s+127\\.0\\.0\\.1:${port}\\s+namespace default`));
  assert.equal((await fetch(`http://127.0.0.1:${apiPort}/healthz`)).status, 200);

  const connection = await Connection.connect({ address: `127.0.0.1:${port}` });
  try {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
    assert.deepEqual(Object.keys(customAttributes ?? {}).sort(), [...INCIDENT_SEARCH_ATTRIBUTES].sort());
    assert.equal(await readRetention(connection, 'default'), loadRecordsConfig({}).retentionMs);
  } finally {
    await connection.close();
  }

  child.kill('SIGTERM');
  assert.equal(await exited, 0, output);
  assert.deepEqual(stillRunning(tree.map((row) => row.pid)), []);
});
