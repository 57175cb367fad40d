import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { snapshotDiagnostics, type DiagnosticsArtifact } from '../../src/activities/diagnostics/snapshot';
import { buildPolicy } from '../../src/domain/policy';
import type { incidentWorkflow } from '../../src/workflows';
import {
  acknowledgeUpdate,
  diagnoseUpdate,
  finishMitigationUpdate,
  resolveUpdate,
  startMitigationUpdate,
  stateQuery,
} from '../../src/workflows/definitions';
import { startFakeGrafana, type FakeGrafanaApi } from '../fakes/grafana-api';
import { startFakeLoki, type FakeLokiApi } from '../fakes/loki-api';
import { startTimeSkippingHarness, TEST_POLICY, type Harness } from './harness';

const TOKEN = 'glsa_workflow-test-token';
const LOGQL = '{app="checkout"} |= "error"';

interface Posted {
  kind?: string;
  text?: string;
}

/** Diagnostics at declaration, on demand and after a mitigation; dashboard marks through to resolution. */
describe('diagnostics in the incident (time-skipping)', () => {
  let harness: Harness;
  let grafana: FakeGrafanaApi;
  let loki: FakeLokiApi;
  let artifactDir: string;

  before(async () => {
    [grafana, loki] = await Promise.all([startFakeGrafana(TOKEN), startFakeLoki()]);
    loki.load(LOGQL, [{ at: Date.now() - 60_000, line: 'ERROR payment provider timeout' }]);
    artifactDir = await mkdtemp(path.join(os.tmpdir(), 'workflow-diagnostics-'));
    const policy = {
      ...TEST_POLICY,
      diagnostics: {
        grafana: {
          url: grafana.url,
          headers: { Authorization: 'Bearer {{secret.GRAFANA_TOKEN}}' },
          lokiDatasourceUid: 'loki',
        },
        loki: { url: loki.url },
      },
      services: {
        checkout: { diagnostics: { grafana: { dashboardUid: 'checkout' }, loki: { query: LOGQL } } },
      },
    };
    const built = buildPolicy(policy);
    harness = await startTimeSkippingHarness({
      policy,
      override: () => ({
        diagnostics: snapshotDiagnostics({
          services: built.services,
          artifactDir,
          tools: built.diagnostics,
          env: { GRAFANA_TOKEN: TOKEN },
        }),
      }),
    });
  });
  after(async () => {
    await harness?.stop();
    await Promise.all([grafana?.close(), loki?.close()]);
    await rm(artifactDir, { recursive: true, force: true });
  });

  /** Background steps land a moment after the update that started them. */
  async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const value = await read();
      if (done(value) || Date.now() > deadline) return value;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const diagnosticsOf = (incident: WorkflowHandle<typeof incidentWorkflow>) =>
    incident.query(stateQuery).then((state) => state.timeline.filter((e) => e.type === 'diagnostics'));
  const marksFor = (id: string) => grafana.annotations.filter((a) => a.tags.includes(`incident:${id}`));

  it('a SEV-1 is diagnosed at declaration: summary and links in the channel, the findings in an artifact', async () => {
    const incident = await harness.declare({ severity: 'SEV-1', commander: 'carol' });
    const { id } = await incident.query(stateQuery);
    const [entry] = await eventually(
      () => diagnosticsOf(incident),
      (entries) => entries.length > 0,
    );
    assert.equal(
      entry?.message,
      'Loki: 1 error lines in 15m, top ×1 "ERROR payment provider timeout"; not configured: Sentry, change feed, command',
    );
    assert.equal(entry?.data?.when, 'at declaration');
    const artifact = JSON.parse(await readFile(String(entry?.data?.artifact), 'utf8')) as DiagnosticsArtifact;
    assert.equal(artifact.tools?.loki?.top[0]?.line, 'ERROR payment provider timeout');

    const chat = await eventually(
      async () => (await harness.outbox.read({ incidentId: id, channel: 'chat' })).map((r) => r.payload as Posted),
      (posts) => posts.some((p) => p.text?.startsWith('diagnostics:')),
    );
    const posted = chat.find((p) => p.text?.startsWith('diagnostics:'));
    // The message's lines after the summary: `label: value`, as the channel shows them.
    const fields = Object.fromEntries(
      (posted?.text ?? '')
        .split('\n')
        .slice(1)
        .map((line) => [line.slice(0, line.indexOf(': ')), line.slice(line.indexOf(': ') + 2)]),
    );
    assert.equal(fields.Taken, 'at declaration');
    assert.equal(fields.dashboard, `${grafana.url}/d/checkout?orgId=1`);
    assert.match(fields['logs in Explore'] ?? '', /\/explore\?schemaVersion=1&orgId=1&panes=/);
    assert.equal(fields.Artifact, entry?.data?.artifact);

    const marks = await eventually(
      () => Promise.resolve(marksFor(id)),
      (found) => found.length > 0,
    );
    assert.deepEqual(
      marks.map((m) => [m.dashboardUID, m.tags[2], m.text]),
      [['checkout', 'declared', `[SEV-1] ${id} declared: Checkout is down`]],
    );
    assert.equal(marks[0]?.time, (await incident.query(stateQuery)).declaredAt, 'marked when it was declared');
  });

  it('`diagnose` collects again on demand and answers with the summary; a mitigation and the resolution are marked', async () => {
    // SEV-3 takes no diagnostics at declaration (the default policy), but its dashboard is still marked.
    const incident = await harness.declare({ severity: 'SEV-3', commander: 'carol' });
    const { id } = await incident.query(stateQuery);
    await incident.executeUpdate(acknowledgeUpdate, { args: [{ by: 'alice' }] });

    const diagnosed = await incident.executeUpdate(diagnoseUpdate, { args: [{ by: 'alice', reason: 'errors again' }] });
    const taken = diagnosed.added.find((e) => e.type === 'diagnostics');
    assert.equal(taken?.actor, 'alice');
    assert.equal(taken?.data?.when, 'requested by alice: errors again');
    assert.match(taken?.message ?? '', /^Loki: 1 error lines in 15m/);
    assert.deepEqual(
      (await diagnosticsOf(incident)).map((e) => e.data?.when),
      ['requested by alice: errors again'],
      'nothing at declaration for a SEV-3',
    );

    await incident.executeUpdate(startMitigationUpdate, { args: [{ action: 'restart the payment pods', by: 'bob' }] });
    await incident.executeUpdate(finishMitigationUpdate, {
      args: [{ actionId: 'm1', outcome: 'succeeded', by: 'bob' }],
    });
    await incident.executeUpdate(resolveUpdate, {
      args: [{ by: 'carol', summary: 'pods restarted', unverified: 'checkout has no smoke checks yet' }],
    });
    const marks = await eventually(
      () => Promise.resolve(marksFor(id)),
      (found) => found.length >= 3,
    );
    assert.deepEqual(
      marks.map((m) => `${m.tags[2]}: ${m.text}`),
      [
        `declared: [SEV-3] ${id} declared: Checkout is down`,
        `mitigation: [SEV-3] ${id} m1 succeeded: restart the payment pods`,
        `resolved: [SEV-3] ${id} resolved: pods restarted`,
      ],
    );
    // Grafana holds the third mark before the activity's result reaches the workflow.
    const annotated = await eventually(
      async () =>
        (await incident.query(stateQuery)).timeline.filter((e) =>
          e.message.startsWith('grafana: dashboard checkout annotated'),
        ),
      (entries) => entries.length >= 3,
    );
    assert.equal(annotated.length, 3);
  });

  it('the tools that are not configured are said once per incident, by its first diagnostics', async () => {
    const incident = await harness.declare({ severity: 'SEV-1', commander: 'carol' });
    const { id } = await incident.query(stateQuery);
    const [first] = await eventually(
      () => diagnosticsOf(incident),
      (entries) => entries.length > 0,
    );
    assert.match(first?.message ?? '', /; not configured: Sentry, change feed, command$/);

    const diagnosed = await incident.executeUpdate(diagnoseUpdate, { args: [{ by: 'alice' }] });
    const again = diagnosed.added.find((e) => e.type === 'diagnostics');
    assert.equal(again?.message, 'Loki: 1 error lines in 15m, top ×1 "ERROR payment provider timeout"');
    const said = await eventually(
      async () =>
        (await harness.outbox.read({ incidentId: id, channel: 'chat' }))
          .map((r) => (r.payload as Posted).text ?? '')
          .filter((text) => text.startsWith('diagnostics:')),
      (texts) => texts.length >= 2,
    );
    assert.deepEqual(
      said.map((text) => text.split('\n')[0]?.includes('not configured')),
      [true, false],
      'two diagnostics in the channel, the first names what is not configured',
    );
  });

  it('a service without a dashboard is not marked at declaration, and no activity is spent learning that', async () => {
    const incident = await harness.declare({ severity: 'SEV-1', service: 'billing', commander: 'carol' });
    await eventually(
      () => diagnosticsOf(incident),
      (entries) => entries.length > 0,
    );
    const scheduled = (await incident.fetchHistory()).events?.flatMap(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? [],
    );
    assert.ok(scheduled?.includes('collectDiagnostics'), JSON.stringify(scheduled));
    assert.ok(!scheduled?.includes('annotateDashboard'), JSON.stringify(scheduled));
    assert.equal((await incident.query(stateQuery)).policy.dashboard, false);
  });

  it('a SEV-2 is diagnosed again after each mitigation', async () => {
    const incident = await harness.declare({ severity: 'SEV-2' });
    await incident.executeUpdate(acknowledgeUpdate, { args: [{ by: 'alice' }] });
    await incident.executeUpdate(startMitigationUpdate, { args: [{ action: 'scale out', by: 'bob' }] });
    await incident.executeUpdate(finishMitigationUpdate, {
      args: [{ actionId: 'm1', outcome: 'succeeded', by: 'bob' }],
    });
    const entries = await eventually(
      () => diagnosticsOf(incident),
      (found) => found.length >= 2,
    );
    assert.deepEqual(entries.map((e) => e.data?.when).sort(), ['after mitigation m1', 'at declaration']);
  });
});
