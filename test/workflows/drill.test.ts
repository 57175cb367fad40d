import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import type { incidentWorkflow } from '../../src/workflows';
import { drillWorkflow } from '../../src/workflows';
import {
  acknowledgeUpdate,
  assignRoleUpdate,
  incidentWorkflowId,
  postStatusUpdate,
  resolveUpdate,
  stateQuery,
} from '../../src/workflows/definitions';
import { drillProgressQuery } from '../../src/workflows/drill/definitions';
import { postmortemWorkflowId } from '../../src/workflows/postmortem/definitions';
import { startTimeSkippingHarness, TEST_POLICY, type Harness } from './harness';

/** The drill workflow on the time-skipping server: a fire drill the team handles, one nobody answers, a log flood. */

const POLICY = {
  ...TEST_POLICY,
  contacts: {
    ...TEST_POLICY.contacts,
    alice: { email: ['alice@example.com'] },
    bob: { email: ['bob@example.com'] },
    'primary-oncall': { email: ['oncall@example.com'] },
  },
  drills: {
    friday: { kind: 'sev1-fire-drill', cron: '0 14 * * FRI', participants: ['alice', 'bob'], runFor: '20m' },
    flood: { kind: 'log-flood', every: '7d', participants: ['alice'], alerts: 12, runFor: '2m', service: 'checkout' },
  },
};

let harness: Harness;
let runs = 0;

// A server per test: the time-skipping clock is global, and one drill's leftover timers would hold the next back.
beforeEach(async () => {
  harness = await startTimeSkippingHarness({ policy: POLICY });
});
afterEach(async () => {
  await harness.stop();
});

async function startDrill(drill: string) {
  const handle = await harness.env.client.workflow.start(drillWorkflow, {
    taskQueue: harness.taskQueue,
    workflowId: `drill-${drill}-test-${++runs}`,
    args: [{ drill }],
  });
  // The drill declares in its first tasks; wait (in real time, nothing to skip) until its incident exists.
  for (;;) {
    const { incidentId } = await handle.query(drillProgressQuery);
    if (incidentId !== null) {
      const incident = harness.env.client.workflow.getHandle<typeof incidentWorkflow>(incidentWorkflowId(incidentId));
      await waitForState(incident);
      return { handle, incident, incidentId };
    }
    const { status } = await handle.describe();
    if (status.name !== 'RUNNING') await handle.result(); // throws the drill's failure
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function waitForState(incident: WorkflowHandle<typeof incidentWorkflow>) {
  for (;;) {
    try {
      return await incident.query(stateQuery);
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

describe('drill workflow', () => {
  it('a fire drill the team handles in time passes, pages only its participants and mails no stakeholder', async () => {
    const { handle, incident, incidentId } = await startDrill('friday');
    assert.match(incidentId, /^\d{8}-[a-z0-9]{4}$/, 'the project’s incident id format');
    const declared = await incident.query(stateQuery);
    assert.equal(declared.drill, true);
    assert.equal(declared.severity, 'SEV-1');

    await incident.executeUpdate(acknowledgeUpdate, { args: [{ by: 'alice' }] });
    await incident.executeUpdate(assignRoleUpdate, { args: [{ role: 'commander', user: 'alice', by: 'alice' }] });
    await incident.executeUpdate(postStatusUpdate, {
      args: [{ impact: 'none: a drill', hypothesis: 'simulated outage', by: 'alice' }],
    });
    await incident.executeUpdate(resolveUpdate, { args: [{ by: 'alice', unverified: 'a drill: nothing to verify' }] });

    const report = await handle.result();
    assert.equal(report.passed, true, report.failures.join('; '));
    assert.deepEqual(report.escalations, []);
    assert.deepEqual(report.deadlinesMissed, []);
    assert.equal(report.ended, 'incident closed', 'the drill takes command from the IC to close its incident');
    assert.notEqual(report.timeToAcknowledgeMs, null);
    assert.notEqual(report.timeToFirstUpdateMs, null);

    const state = await incident.query(stateQuery);
    assert.equal(state.status, 'closed', 'the drill closes its incident');
    const note = state.timeline.find((entry) => entry.type === 'note' && entry.message.startsWith('DRILL REPORT'));
    assert.ok(note, 'the report is on the timeline');
    assert.match(note.message, /PASSED/);
    const noPostmortem = state.timeline.find((entry) => entry.type === 'postmortem');
    assert.equal(noPostmortem?.message, 'drill: no postmortem, the drill report is its record');
    await assert.rejects(
      harness.env.client.workflow.getHandle(postmortemWorkflowId(incidentId)).describe(),
      WorkflowNotFoundError,
      'a drill starts no postmortem workflow (its reminders and escalations would reach real managers)',
    );

    const chat = await harness.outbox.read({ incidentId, channel: 'chat' });
    assert.ok(
      chat.some((record) => JSON.stringify(record.payload).includes('DRILL REPORT')),
      'the report is in the channel',
    );
    assert.ok(
      chat.every((record) => record.drill),
      'every chat message is drill-marked',
    );
    const pages = await harness.outbox.read({ incidentId, channel: 'pager' });
    const paged = new Set(pages.map((record) => (record.payload as { target: string }).target));
    assert.deepEqual([...paged].sort(), ['alice', 'bob'], 'only the participants are paged');
    assert.deepEqual(await harness.outbox.read({ incidentId, channel: 'status-page' }), []);
    const mail = await harness.outbox.read({ incidentId, channel: 'email' });
    const recipients = mail.flatMap((record) => (record.payload as { to: string[] }).to);
    assert.ok(
      !recipients.includes('stakeholders@example.com'),
      `no stakeholder email (sent to ${recipients.join(', ')})`,
    );
    assert.ok(mail.every((record) => (record.payload as { subject: string }).subject.startsWith('[DRILL]')));
  });

  it('a fire drill nobody answers fails, naming the escalations and the missed deadlines', async () => {
    const { handle, incident, incidentId } = await startDrill('friday');
    const report = await handle.result();
    assert.equal(report.passed, false);
    assert.equal(report.timeToAcknowledgeMs, null);
    assert.ok(report.escalations.includes('ack-timeout → secondary-oncall'), report.escalations.join(', '));
    assert.ok(report.deadlinesMissed.includes('acknowledge within 5m'), report.deadlinesMissed.join(', '));
    assert.ok(report.deadlinesMissed.includes('first status update within 15m'));
    const state = await incident.query(stateQuery);
    assert.equal(state.status, 'closed');
    const pages = await harness.outbox.read({ incidentId, channel: 'pager' });
    const targets = new Set(pages.map((record) => (record.payload as { target: string }).target));
    assert.deepEqual([...targets].sort(), ['alice', 'bob'], 'escalations page nobody outside the drill');
  });

  it('a log flood opens one incident for the whole burst and reports alert → incident → page', async () => {
    const { handle, incidentId } = await startDrill('flood');
    const report = await handle.result();
    assert.equal(report.incidentId, incidentId);
    assert.equal(report.flood?.deliveries, 12);
    assert.equal(report.flood?.incidents, 1, 'dedup held');
    assert.notEqual(report.flood?.declaredAfterMs, null);
    assert.notEqual(report.flood?.pageAfterMs, null, 'the incident decided its on-call page');
    assert.ok(!report.failures.some((failure) => failure.startsWith('dedup')), report.failures.join('; '));
    const incident = harness.env.client.workflow.getHandle<typeof incidentWorkflow>(incidentWorkflowId(incidentId));
    const state = await incident.query(stateQuery);
    assert.equal(state.drill, true, 'the alert-declared incident is a drill');
    assert.equal(state.alerts?.tracked.length, 5, 'five distinct alerts in the group');
    assert.equal(state.status, 'closed');
  });
});
