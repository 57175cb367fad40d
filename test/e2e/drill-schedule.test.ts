import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { ScheduleNotFoundError } from '@temporalio/client';
import { DrillService, syncDrillSchedules } from '../../src/client/drills';
import { buildPolicy } from '../../src/domain/policy';
import type { drillWorkflow, incidentWorkflow } from '../../src/workflows';
import { incidentWorkflowId, stateQuery } from '../../src/workflows/definitions';
import { startApi, TOKENS } from '../api/server';
import { eventually, startRig, STAKEHOLDERS, type Rig } from './stack';

/**
 * A drill Schedule on the dev server (the time-skipping server has no Schedules): the worker process creates it from
 * its policy at start, `drill run` triggers it now, and the drill incident runs on the real providers' fakes. Nobody
 * answers, so the report fails it; the status page and the stakeholders never hear of it, and only the participant
 * is paged.
 */

const DRILLS = {
  'friday-fire': {
    kind: 'sev1-fire-drill',
    every: '7d',
    participants: ['primary-oncall'],
    service: 'checkout',
    title: 'API total outage test',
    runFor: '6s',
  },
};

let rig: Rig;

before(async () => {
  rig = await startRig({ sev1: { acknowledgeWithin: '2s' } });
  // The rig's policy plus the drill, as the worker will read it at start.
  const policyPath = rig.workerEnv.INCIDENT_POLICY ?? '';
  const policy = JSON.parse(await readFile(policyPath, 'utf8')) as Record<string, unknown>;
  await writeFile(policyPath, JSON.stringify({ ...policy, drills: DRILLS }));
  await rig.startWorker();
});

after(async () => {
  await rig?.close();
});

test('a drill Schedule triggered now leaves a drill incident and a report, and touches no status page or stakeholder', async () => {
  const drills = new DrillService(rig.env.client, buildPolicy({ drills: DRILLS }).drills);
  const schedule = rig.env.client.schedule.getHandle('drill-friday-fire');
  await eventually('the worker to create the drill Schedule', () => schedule.describe().catch(() => undefined), 60_000);

  await drills.run('friday-fire');
  const started = await eventually('the Schedule to start the drill', async () => {
    return (await schedule.describe()).info.recentActions[0]?.action.workflow;
  });
  const run = rig.env.client.workflow.getHandle<typeof drillWorkflow>(started.workflowId, started.firstExecutionRunId);
  const report = await run.result();

  assert.equal(report.drill, 'friday-fire');
  assert.match(report.incidentId ?? '', /^\d{8}-[a-z0-9]{4}$/);
  assert.equal(report.passed, false, 'nobody acknowledged');
  assert.ok(report.deadlinesMissed.includes('acknowledge within 2s'), report.deadlinesMissed.join(', '));
  assert.ok(
    report.escalations.some((e) => e.startsWith('ack-timeout')),
    report.escalations.join(', '),
  );

  const incident = rig.env.client.workflow.getHandle<typeof incidentWorkflow>(
    incidentWorkflowId(report.incidentId ?? ''),
  );
  const state = await incident.query(stateQuery);
  assert.equal(state.drill, true);
  assert.equal(state.status, 'closed', 'the drill ends its incident');
  assert.ok(state.timeline.some((e) => e.type === 'note' && e.message.startsWith('DRILL REPORT (friday-fire')));

  // The fakes count every call: the public page and the stakeholders were never reached.
  assert.equal(rig.statuspage.requests.length, 0, 'no Statuspage request');
  const stakeholderMail = rig.smtp.received.filter((mail) => mail.rcptTo.some((to) => STAKEHOLDERS.includes(to)));
  assert.equal(stakeholderMail.length, 0, 'no stakeholder email');
  assert.ok(rig.smtp.received.every((mail) => mail.subject.startsWith('[DRILL]')));
  // The only pages went to the participant's routing key, drill-marked.
  const triggers = rig.pagerduty.events.filter((e) => e.event.event_action === 'trigger');
  assert.ok(triggers.length > 0, 'the participant was paged');
  for (const { event } of triggers) {
    assert.equal(event.routing_key, rig.secrets.routingKeys['primary-oncall']);
    assert.match(String(event.payload?.summary), /^\[DRILL\]/);
  }
  const channel = rig.slack.channelNamed(`inc-${report.incidentId}-api-total-outage-test`);
  assert.ok(channel, 'the drill has its channel');
  const messages = rig.slack.postedMessages(channel.id);
  assert.ok(
    messages.some((m) => m.text.includes('DRILL REPORT')),
    'the report is in the channel',
  );
  assert.ok(
    messages.every((m) => m.text.includes('DRILL')),
    'every message carries the DRILL marker',
  );

  // Runbook 002's table: last run and next scheduled.
  const [row] = await drills.list();
  assert.equal(row?.lastRun?.passed, false);
  assert.equal(row?.lastRun?.incidentId, report.incidentId);
  assert.ok(row?.nextRun, 'the next run is scheduled');

  // The same table over HTTP, and a pause through the API (with a read token it is refused).
  const api = await startApi(rig.incidents, { policy: buildPolicy({ drills: DRILLS }) });
  try {
    const listed = await api.call('GET', '/api/v1/drills', { token: TOKENS.read });
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.body, JSON.parse(JSON.stringify({ drills: await drills.list() })));
    const refused = await api.call('POST', '/api/v1/drills/friday-fire/pause', { token: TOKENS.read, body: {} });
    assert.equal(refused.status, 403);
    const unknown = await api.call('POST', '/api/v1/drills/nope/run', { body: {} });
    assert.equal(unknown.status, 404);
  } finally {
    await api.close();
  }
});

test('syncing is idempotent, keeps a pause, and deletes a drill the policy no longer names', async () => {
  const { drills } = buildPolicy({ drills: DRILLS });
  const service = new DrillService(rig.env.client, drills);
  await service.pause('friday-fire', 'quarter freeze');
  assert.deepEqual(await syncDrillSchedules(rig.env.client, drills, rig.taskQueue), {
    created: [],
    updated: ['friday-fire'],
    deleted: [],
  });
  const [row] = await service.list();
  assert.equal(row?.paused, true, 'a restart does not undo a pause');
  assert.equal(row?.note, 'quarter freeze');
  assert.equal(row?.nextRun, null);

  const synced = await eventually('the Schedule to be listed', async () => {
    const result = await syncDrillSchedules(rig.env.client, {}, rig.taskQueue);
    return result.deleted.length > 0 && result;
  });
  assert.deepEqual(synced.deleted, ['friday-fire']);
  await assert.rejects(rig.env.client.schedule.getHandle('drill-friday-fire').describe(), ScheduleNotFoundError);
});
