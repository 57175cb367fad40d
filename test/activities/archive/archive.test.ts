import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import S3rver from 's3rver';
import { directoryArchive } from '../../../src/activities/archive/directory';
import { archivedIncident, incidentDurations, type IncidentArchive } from '../../../src/activities/archive/record';
import { s3Archive } from '../../../src/activities/archive/s3';
import { openIncidentState, type IncidentState } from '../../../src/domain/incident';
import { buildPolicy, incidentPolicyFor } from '../../../src/domain/policy';
import { declareSchema } from '../../../src/domain/inputs';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const MIN = 60_000;

function closedIncident(id: string): IncidentState {
  const declaration = declareSchema.parse({ id, title: 'Checkout is down', severity: 'SEV-1', service: 'checkout' });
  const state = openIncidentState(declaration, incidentPolicyFor(buildPolicy(), 'SEV-1'), T0);
  state.acknowledgedAt = T0 + 4 * MIN;
  state.mitigations.push({
    id: 'm1',
    action: 'roll back',
    kind: 'rollback',
    startedBy: 'bob',
    startedAt: T0 + 10 * MIN,
    finishedAt: T0 + 20 * MIN,
    outcome: 'succeeded',
  });
  state.resolvedAt = T0 + 45 * MIN;
  state.closedAt = T0 + 60 * MIN;
  state.status = 'closed';
  state.publicUpdates.push({ at: T0 + 5 * MIN, phase: 'investigating', message: 'We are investigating.' });
  state.timeline.push({
    at: T0 + 46 * MIN,
    type: 'postmortem',
    actor: 'system',
    message: 'postmortem draft',
    data: { location: '/data/postmortems/x.md' },
  });
  return state;
}

void test('the record: durations from the declaration (mitigated at the first mitigation that worked), postmortem link', () => {
  const state = closedIncident('inc-1');
  assert.deepEqual(incidentDurations(state), {
    toAcknowledgeMs: 4 * MIN,
    toMitigateMs: 20 * MIN,
    toResolveMs: 45 * MIN,
    toCloseMs: 60 * MIN,
  });
  const record = archivedIncident(state, new Date(T0 + 61 * MIN));
  assert.equal(record.postmortem, '/data/postmortems/x.md');
  assert.equal(record.incident.publicUpdates[0]?.message, 'We are investigating.');
  state.mitigations = [];
  assert.equal(incidentDurations(state).toMitigateMs, 45 * MIN, 'no mitigation recorded: mitigated when resolved');
});

/** The same contract for every archive: a write replaces the record whole, reads find it, unknown ids are null. */
async function exercise(archive: IncidentArchive): Promise<void> {
  assert.equal(await archive.get('never-archived'), null);
  assert.deepEqual(await archive.list(), []);
  const first = archivedIncident(closedIncident('inc-a'), new Date(T0 + 61 * MIN));
  await archive.put(first);
  // Again, as a retried activity would: still one record, the later one.
  const again = { ...first, archivedAt: new Date(T0 + 62 * MIN).toISOString() };
  await archive.put(again);
  await archive.put(archivedIncident(closedIncident('inc-b'), new Date(T0 + 63 * MIN)));
  assert.deepEqual(await archive.get('inc-a'), again);
  assert.deepEqual((await archive.list()).map((r) => r.incident.id).sort(), ['inc-a', 'inc-b']);
  await assert.rejects(() => archive.get('../etc/passwd'), /not an incident id/);
}

void describe('directory archive', () => {
  let dir: string;
  before(async () => (dir = await mkdtemp(path.join(os.tmpdir(), 'archive-test-'))));
  after(() => rm(dir, { recursive: true, force: true }));

  void test('one JSON file per incident, written whole (no temporary file left), rewritten idempotently', async () => {
    const archiveDir = path.join(dir, 'archive');
    await exercise(directoryArchive(archiveDir));
    assert.deepEqual((await readdir(archiveDir)).sort(), ['inc-a.json', 'inc-b.json']);
    const onDisk = JSON.parse(await readFile(path.join(archiveDir, 'inc-a.json'), 'utf8')) as { version: number };
    assert.equal(onDisk.version, 1);
  });
});

void describe('S3 archive against s3rver (an S3-protocol server on loopback)', () => {
  let dir: string;
  let server: S3rver;
  let endpoint: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 's3rver-'));
    server = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory: dir,
      vhostBuckets: false,
      configureBuckets: [{ name: 'incident-archive' }],
    });
    const { port } = await server.run();
    endpoint = `http://127.0.0.1:${port}`;
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  void test('objects under the prefix through the AWS SDK, with the same contract', async () => {
    const archive = s3Archive({
      bucket: 'incident-archive',
      prefix: 'incidents/',
      region: 'us-east-1',
      endpoint,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    await exercise(archive);
    assert.equal(archive.location, 's3://incident-archive/incidents/');
    const stored = await readdir(path.join(dir, 'incident-archive', 'incidents'));
    assert.ok(
      stored.some((name) => name.startsWith('inc-a.json')),
      stored.join(', '),
    );
  });
});
