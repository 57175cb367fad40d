import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { Connection } from '@temporalio/client';
import YAML from 'yaml';
import { z } from 'zod';
import { REPO_ROOT } from '../../src/config/platform';
import { loadRecordsConfig } from '../../src/config/records';
import { readRetention, startDevServer } from '../../src/dev/dev-server';
import type { Service } from '../../src/dev/supervisor';
import { freePort } from '../../src/dev/test-server-jvm';
import { provisionedCli } from '../support/temporal';

const DAY = 86_400_000;

void test('INCIDENT_RETENTION: 90 days by default, a duration of at least a day, naming the variable when bad', () => {
  assert.equal(loadRecordsConfig({}).retentionMs, 90 * DAY);
  assert.equal(loadRecordsConfig({ INCIDENT_RETENTION: '400d' }).retentionMs, 400 * DAY);
  assert.throws(() => loadRecordsConfig({ INCIDENT_RETENTION: '2h' }), /INCIDENT_RETENTION.*at least 1d/);
  assert.throws(() => loadRecordsConfig({ INCIDENT_RETENTION: 'forever' }), /INCIDENT_RETENTION/);
});

/** The compose job's shell script, as compose runs it (`$$` is compose's escape for `$`). */
function composeJobScript(): string {
  const compose = z
    .object({ services: z.record(z.string(), z.object({ command: z.array(z.string()).optional() })) })
    .parse(YAML.parse(readFileSync(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8')));
  return (compose.services['register-search-attributes']?.command ?? []).join('\n').replaceAll('$$', '$');
}

void test("npm start's dev server, then the compose job, set the namespace's retention, read back from Temporal", async () => {
  const cli = await provisionedCli();
  if (cli.source === 'sdk-download') throw new Error(cli.unavailable);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'retention-test-'));
  const port = await freePort();
  const services: Service[] = [];
  try {
    await startDevServer(cli, {
      dbFile: path.join(dataDir, 'temporal.sqlite'),
      port,
      uiPort: await freePort(),
      namespace: 'default',
      log: () => undefined,
      quiet: () => true,
      register: (service) => services.push(service),
      retentionMs: loadRecordsConfig({}).retentionMs,
    });
    const connection = await Connection.connect({ address: `localhost:${port}` });
    try {
      assert.equal(await readRetention(connection, 'default'), 90 * DAY);
      // The compose one-shot job's own script, with the real CLI (the admin-tools image's `temporal`) on PATH.
      await promisify(execFile)('sh', ['-c', composeJobScript()], {
        env: {
          PATH: `${path.dirname(cli.path)}:/usr/bin:/bin`,
          HOME: dataDir,
          TEMPORAL_ADDRESS: `localhost:${port}`,
          TEMPORAL_NAMESPACE: 'default',
          INCIDENT_RETENTION: '30d',
        },
      });
      assert.equal(await readRetention(connection, 'default'), 30 * DAY);
    } finally {
      await connection.close();
    }
  } finally {
    await Promise.all(services.map((service) => service.stop()));
    await rm(dataDir, { recursive: true, force: true });
  }
});
