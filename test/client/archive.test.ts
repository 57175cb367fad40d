import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { directoryArchive } from '../../src/activities/archive/directory';
import type { ArchivedIncident } from '../../src/activities/archive/record';
import { IncidentService } from '../../src/client/service';
import { incidentWorkflowId } from '../../src/workflows/definitions';
import { startApi, type RunningApi } from '../api/server';
import { createDevServerEnv } from '../support/temporal';
import { startHarness, type Harness } from '../workflows/harness';

describe('closed incidents kept in the archive, read when Temporal no longer has them (dev server)', () => {
  let env: TestWorkflowEnvironment;
  let harness: Harness;
  let archiveDir: string;
  let incidents: IncidentService;
  let api: RunningApi;
  before(async () => {
    archiveDir = await mkdtemp(path.join(os.tmpdir(), 'archive-'));
    env = await createDevServerEnv();
    harness = await startHarness(env, { override: () => ({ archive: directoryArchive(archiveDir) }) });
    incidents = new IncidentService(env.client, {
      taskQueue: harness.taskQueue,
      archive: directoryArchive(archiveDir),
    });
    api = await startApi(incidents);
  });
  after(async () => {
    await api?.close();
    await harness?.stop();
    await env?.teardown();
    await rm(archiveDir, { recursive: true, force: true });
  });

  it('close writes the full record; show, timeline, list and the API still answer after the workflow is deleted', async () => {
    const id = 'archived-sev2';
    await incidents.declare({ id, title: 'Search is slow', severity: 'SEV-2', service: 'search', commander: 'alice' });
    await incidents.command('acknowledge', id, { by: 'alice' });
    await incidents.command('postStatusUpdate', id, {
      by: 'alice',
      impact: 'Search results take 10 s',
      hypothesis: 'the index change',
      userFacing: 'Search is slow; we are rolling back a change.',
    });
    await incidents.command('resolve', id, {
      by: 'alice',
      summary: 'index change rolled back',
      unverified: 'search has no smoke checks',
    });
    await incidents.command('close', id, { by: 'alice' });
    const handle = env.client.workflow.getHandle(incidentWorkflowId(id));
    await handle.result();

    const record = JSON.parse(await readFile(path.join(archiveDir, `${id}.json`), 'utf8')) as ArchivedIncident;
    assert.equal(record.incident.status, 'closed');
    assert.ok(record.durations.toAcknowledgeMs !== null && record.durations.toCloseMs !== null);
    assert.ok(record.incident.timeline.some((e) => e.type === 'closed'));
    assert.match(record.postmortem ?? '', /\.md$/, 'the SEV-2 postmortem draft is linked');
    assert.ok(
      (await incidents.timeline(id)).some((e) => e.type === 'note' && e.message.startsWith('incident record archived')),
      'the workflow recorded where its record went',
    );

    // Gone from Temporal, as its retention would remove it.
    await env.connection.workflowService.deleteWorkflowExecution({
      namespace: 'default',
      workflowExecution: { workflowId: incidentWorkflowId(id) },
    });
    await waitFor('the workflow deleted', async () => {
      try {
        await handle.describe();
        return false;
      } catch {
        return true;
      }
    });
    const shown = await incidents.show(id);
    assert.equal(shown.status, 'closed');
    assert.equal(shown.title, 'Search is slow');
    assert.deepEqual(
      shown.statusUpdates.map((u) => u.impact),
      ['Search results take 10 s'],
    );
    assert.ok((await incidents.timeline(id)).some((e) => e.type === 'resolved'));
    await waitFor(
      'list shows it archived',
      async () => (await incidents.list()).find((row) => row.id === id)?.execution === 'ARCHIVED',
    );
    assert.deepEqual(
      (await incidents.list({ state: 'closed', severities: ['SEV-2'] })).map((row) => row.id),
      [id],
      'filters apply to archived rows',
    );
    assert.deepEqual(await incidents.list({ state: 'open', services: ['search'] }), []);

    const overApi = await api.call('GET', `/api/v1/incidents/${id}`, {});
    assert.equal(overApi.status, 200);
    assert.equal(overApi.body.status, 'closed');
    const unknown = await api.call('GET', '/api/v1/incidents/never-declared', {});
    assert.equal(unknown.status, 404);
  });
});

async function waitFor(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.fail(`timed out waiting: ${what}`);
}
