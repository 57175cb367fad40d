import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { directoryArchive } from '../../src/activities/archive/directory';
import { archivedIncident } from '../../src/activities/archive/record';
import { incidentReport } from '../../src/client/report';
import { IncidentService } from '../../src/client/service';
import type { ResponseReport } from '../../src/metrics/report';
import { acknowledgeUpdate } from '../../src/workflows/definitions';
import { startApi, TOKENS, type RunningApi } from '../api/server';
import { EXPECTED, inMinutes, reportFixtures } from '../metrics/report-fixtures';
import { createDevServerEnv } from '../support/temporal';
import { startHarness, type Harness } from '../workflows/harness';

const DAY = 24 * 60 * 60_000;

describe('incident report over Visibility and the archive (dev server)', () => {
  let env: TestWorkflowEnvironment;
  let harness: Harness;
  let archiveDir: string;
  let incidents: IncidentService;
  let api: RunningApi;
  before(async () => {
    archiveDir = await mkdtemp(path.join(os.tmpdir(), 'report-archive-'));
    const archive = directoryArchive(archiveDir);
    // Closed incidents Temporal no longer has: only their archived records remain.
    for (const state of reportFixtures(Date.now())) await archive.put(archivedIncident(state, new Date()));
    env = await createDevServerEnv();
    harness = await startHarness(env);
    incidents = new IncidentService(env.client, { taskQueue: harness.taskQueue, archive });
    api = await startApi(incidents);
  });
  after(async () => {
    await api?.close();
    await harness?.stop();
    await env?.teardown();
    await rm(archiveDir, { recursive: true, force: true });
  });

  it('reads archived incidents and open ones alike; drills and older ones stay out', async () => {
    const open = await harness.declare({ severity: 'SEV-2', service: 'search', title: 'Search is slow' });
    await open.executeUpdate(acknowledgeUpdate, { args: [{ by: 'alice' }] });

    const checkout = await incidentReport(incidents, { since: 30 * DAY, service: 'checkout' });
    assert.deepEqual(inMinutes(checkout), EXPECTED);

    // The open incident comes from Temporal (Visibility lists it, its state query measures it).
    const all = await incidentReport(incidents, { since: 30 * DAY });
    assert.equal(all.incidents, EXPECTED.incidents + 1);
    assert.equal(all.bySeverity['SEV-2'], EXPECTED.bySeverity['SEV-2'] + 1);
    assert.equal(all.mtta.incidents, 4);
    assert.equal(all.mttr.incidents, 3, 'the open incident is not resolved');
  });

  it('the API serves the same report, for the read scope, and names a bad field', async () => {
    const { status, body } = await api.call('GET', '/api/v1/report?since=30d&service=checkout', {
      token: TOKENS.read,
    });
    assert.equal(status, 200);
    assert.deepEqual(inMinutes(body as unknown as ResponseReport), EXPECTED);

    const bad = await api.call('GET', '/api/v1/report?since=soon', { token: TOKENS.read });
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(bad.body), /since/);
    const unknown = await api.call('GET', '/api/v1/report?sevrity=SEV-1', { token: TOKENS.read });
    assert.equal(unknown.status, 400);
    assert.equal((await api.call('GET', '/api/v1/report', { token: null })).status, 401);
  });
});
