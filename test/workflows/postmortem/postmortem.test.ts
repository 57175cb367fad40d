import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { IncidentService } from '../../../src/client/service';
import {
  addActionItemUpdate,
  closeActionItemUpdate,
  markReviewedUpdate,
  postmortemQuery,
  postmortemWorkflowId,
  reassignPostmortemUpdate,
  scheduleReviewUpdate,
  type PostmortemState,
} from '../../../src/workflows/postmortem/definitions';
import type { postmortemWorkflow } from '../../../src/workflows/postmortem/workflow';
import { startTimeSkippingHarness, TEST_POLICY, timelineOf, type Harness } from '../harness';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Events as `type@hours-since-resolution`, the shape the assertions read. */
function eventsOf(state: PostmortemState, types: string[]): string[] {
  return state.events
    .filter((e) => types.includes(e.type))
    .map((e) => `${e.type}@${Math.round((e.at - state.resolvedAt) / HOUR)}h`);
}

/** The reason an update was refused: the workflow's own message, under the client's "Workflow Update failed". */
async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return String((error as { cause?: { message?: string } }).cause?.message ?? error);
  }
  assert.fail('the update was accepted');
}

describe('the postmortem workflow (time-skipping)', () => {
  let harness: Harness;
  let incidents: IncidentService;
  before(async () => {
    // erin's contact names a manager (frank); alice, the IC, has none and escalates to the severity's manager.
    const contacts = {
      ...TEST_POLICY.contacts,
      erin: { email: ['erin@example.com'], manager: 'frank' },
      frank: { email: ['frank@example.com'] },
    };
    harness = await startTimeSkippingHarness({ policy: { ...TEST_POLICY, contacts } });
    incidents = new IncidentService(harness.env.client, { taskQueue: harness.taskQueue });
  });
  after(() => harness?.stop());

  /** A SEV-1 with alice as IC, acknowledged and resolved: its postmortem workflow is running when this returns. */
  async function resolvedSev1(id: string): Promise<WorkflowHandle<typeof postmortemWorkflow>> {
    await harness.declare({ id, commander: 'alice' });
    await incidents.command('acknowledge', id, { by: 'alice' });
    await incidents.command('resolve', id, { by: 'alice', summary: 'rolled back', unverified: 'no smoke checks' });
    const handle = harness.env.client.workflow.getHandle<typeof postmortemWorkflow>(postmortemWorkflowId(id));
    for (let i = 0; i < 200; i++) {
      if ((await handle.describe().catch(() => null)) !== null) return handle;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.fail('no postmortem workflow started');
  }

  it('reminds the IC before the 48 h due time and escalates to the manager when overdue (3 days)', async () => {
    const handle = await resolvedSev1('pm-deadlines');
    await incidents.command('close', 'pm-deadlines', { by: 'alice' });
    await harness.env.sleep(3 * DAY);
    const state = await handle.query(postmortemQuery);
    assert.equal(state.owner, 'alice', 'owned by the IC, not by who resolved');
    assert.equal(state.dueAt - state.resolvedAt, 48 * HOUR);
    assert.deepEqual(eventsOf(state, ['drafted', 'reminder', 'escalation']), [
      'drafted@0h',
      'reminder@24h',
      'reminder@46h',
      'escalation@48h',
    ]);
    assert.match(state.events[0]!.message, /owned by alice, due /);
    assert.match(
      state.events.find((e) => e.type === 'escalation')!.message,
      /escalated to engineering-manager \(the SEV-1 manager; alice has no manager in the policy\)/,
    );
    const chat = (await harness.outbox.read({ incidentId: 'pm-deadlines', channel: 'chat' })).map((r) =>
      JSON.stringify(r.payload),
    );
    assert.ok(
      chat.some((text) => text.includes(`postmortem draft: ${state.location}`)),
      'the location in the channel',
    );
    assert.ok(
      chat.some((text) => text.includes('overdue') && text.includes('engineering-manager')),
      'the manager is mentioned',
    );
    // The incident's own timeline links the postmortem and its workflow.
    const entry = (await timelineOf(harness.env.client.workflow.getHandle(`incident-pm-deadlines`))).find(
      (e) => e.type === 'postmortem',
    );
    assert.equal(entry?.data?.workflowId, postmortemWorkflowId('pm-deadlines'));
  });

  it("escalates an overdue postmortem and action item to the owner's manager when the policy names one", async () => {
    const handle = await resolvedSev1('pm-manager');
    await incidents.command('close', 'pm-manager', { by: 'alice' });
    await handle.executeUpdate(reassignPostmortemUpdate, { args: [{ owner: 'erin', by: 'alice' }] });
    const { resolvedAt } = await handle.query(postmortemQuery);
    await handle.executeUpdate(addActionItemUpdate, {
      args: [
        {
          title: 'Pool alert',
          owner: 'erin',
          due: new Date(resolvedAt + DAY).toISOString(),
          kind: 'detect',
          by: 'alice',
        },
      ],
    });
    await harness.env.sleep(3 * DAY);
    const state = await handle.query(postmortemQuery);
    const escalations = state.events.filter((e) => e.type === 'escalation').map((e) => e.message);
    assert.equal(escalations.length, 2, escalations.join('\n'));
    for (const text of escalations) assert.match(text, /owner erin\); escalated to frank \(erin's manager\)/);
    const mail = await harness.outbox.read({ incidentId: 'pm-manager', channel: 'email' });
    const overdue = mail.filter((r) => String(r.payload.subject).includes('overdue'));
    assert.equal(overdue.length, 2);
    for (const record of overdue) assert.deepEqual(record.payload.to, ['erin@example.com', 'frank@example.com']);
    await handle.terminate('test finished');
  });

  it('tracks action items over two weeks and completes once reviewed and every item is done or deferred', async () => {
    const handle = await resolvedSev1('pm-actions');
    await incidents.command('close', 'pm-actions', { by: 'alice' });
    const now = (await handle.query(postmortemQuery)).resolvedAt;
    const add = (title: string, owner: string, dueInDays: number, kind: 'prevent' | 'runbook-update') =>
      handle.executeUpdate(addActionItemUpdate, {
        args: [{ title, owner, due: new Date(now + dueInDays * DAY).toISOString(), kind, by: 'alice' }],
      });
    assert.equal((await add('Alert on connection pool saturation', 'bob', 3, 'prevent')).id, 'a1');
    assert.equal((await add('Rollback section in runbook 004', 'carol', 10, 'runbook-update')).id, 'a2');
    assert.match(
      await refusal(
        handle.executeUpdate(addActionItemUpdate, {
          args: [{ title: 'x', owner: 'bob', due: 'tomorrow', kind: 'prevent', by: 'alice' }],
        }),
      ),
      /due: must be an ISO date-time/,
    );
    await handle.executeUpdate(reassignPostmortemUpdate, { args: [{ owner: 'dave', by: 'alice' }] });
    await handle.executeUpdate(markReviewedUpdate, { args: [{ by: 'dave' }] });
    await harness.env.sleep(14 * DAY);
    const state = await handle.query(postmortemQuery);
    assert.equal(state.status, 'open', 'open while items are');
    assert.deepEqual(eventsOf(state, ['reminder', 'escalation']), [
      'reminder@48h',
      'escalation@72h',
      'reminder@216h',
      'escalation@240h',
    ]);
    assert.match(
      state.events.filter((e) => e.type === 'escalation')[0]!.message,
      /a1 .*owner bob.*engineering-manager/,
    );
    // Each item's reminder and escalation in the channel names the item: Slack gives it a Mark done button.
    const chat = await harness.outbox.read({ incidentId: 'pm-actions', channel: 'chat' });
    assert.deepEqual(
      chat.flatMap((record) => (record.payload as { actionItem?: string }).actionItem ?? []),
      ['a1', 'a1', 'a2', 'a2'],
    );

    await handle.executeUpdate(closeActionItemUpdate, { args: [{ itemId: 'a1', outcome: 'done', by: 'bob' }] });
    assert.match(
      await refusal(
        handle.executeUpdate(closeActionItemUpdate, { args: [{ itemId: 'a2', outcome: 'deferred', by: 'carol' }] }),
      ),
      /reason: a deferred action item needs a reason/,
    );
    await handle.executeUpdate(closeActionItemUpdate, {
      args: [{ itemId: 'a2', outcome: 'deferred', reason: 'runbook rewrite next quarter', by: 'carol' }],
    });
    const done = await handle.result();
    assert.equal(done.status, 'completed');
    assert.deepEqual(
      done.actionItems.map((item) => `${item.id}:${item.status}`),
      ['a1:done', 'a2:deferred'],
    );
  });

  it('the owner schedules the review: attendees get a calendar invitation, and a reminder an hour before', async () => {
    const handle = await resolvedSev1('pm-review');
    await incidents.command('close', 'pm-review', { by: 'alice' });
    const { resolvedAt } = await handle.query(postmortemQuery);
    const at = new Date(resolvedAt + 30 * HOUR).toISOString();
    const scheduled = await handle.executeUpdate(scheduleReviewUpdate, {
      args: [{ at, attendees: ['stakeholders', 'pm@example.com'], by: 'alice' }],
    });
    assert.equal(scheduled.sequence, 0);
    assert.match(
      await refusal(
        handle.executeUpdate(scheduleReviewUpdate, {
          args: [{ at: '2001-01-01T00:00:00Z', attendees: ['x'], by: 'a' }],
        }),
      ),
      /at: must be in the future/,
    );
    await harness.env.sleep(31 * HOUR);
    const state = await handle.query(postmortemQuery);
    assert.deepEqual(eventsOf(state, ['review-scheduled', 'reminder']), [
      'review-scheduled@0h',
      'reminder@24h',
      'reminder@29h',
    ]);
    assert.match(state.events.at(-1)!.message, /the post-incident review starts/);
    const invitation = (await harness.outbox.read({ incidentId: 'pm-review', channel: 'email' })).find(
      (r) => typeof r.payload.calendar === 'string',
    );
    assert.ok(invitation, 'the invitation went out');
    assert.deepEqual(invitation.payload.to, ['stakeholders@example.com', 'pm@example.com']);
    assert.match(String(invitation.payload.calendar), /METHOD:REQUEST/);
    await handle.terminate('test finished');
  });

  it('a reopened incident resolved again keeps its postmortem, action items and all', async () => {
    const handle = await resolvedSev1('pm-reopened');
    const { runId } = await handle.describe();
    const due = new Date(Date.now() + 30 * DAY).toISOString();
    await handle.executeUpdate(addActionItemUpdate, {
      args: [{ title: 'Fix the retry storm', owner: 'bob', due, kind: 'mitigate', by: 'alice' }],
    });
    await incidents.command('reopen', 'pm-reopened', { by: 'alice', reason: 'errors are back' });
    await incidents.command('resolve', 'pm-reopened', {
      by: 'alice',
      summary: 'for real this time',
      unverified: 'no smoke checks',
    });
    const timeline = await timelineOf(harness.env.client.workflow.getHandle('incident-pm-reopened'));
    for (let i = 0; i < 100 && timeline.filter((e) => e.type === 'postmortem').length < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      timeline.splice(
        0,
        Infinity,
        ...(await timelineOf(harness.env.client.workflow.getHandle('incident-pm-reopened'))),
      );
    }
    const entries = timeline.filter((e) => e.type === 'postmortem');
    assert.equal(entries.length, 2, 'both resolutions point at the postmortem');
    assert.ok(entries.every((e) => e.data?.workflowId === postmortemWorkflowId('pm-reopened')));
    assert.equal((await handle.describe()).runId, runId, 'the same run');
    assert.deepEqual(
      (await handle.query(postmortemQuery)).actionItems.map((item) => item.title),
      ['Fix the retry storm'],
    );
    await handle.terminate('test finished');
  });
});
