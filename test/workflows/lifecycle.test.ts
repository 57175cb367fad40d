import assert from 'node:assert/strict';
import { setTimeout } from 'node:timers/promises';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { IncidentErrorType } from '../../src/domain/errors';
import {
  acknowledgeUpdate,
  addNoteUpdate,
  assignRoleUpdate,
  closeUpdate,
  postStatusUpdate,
  startMitigationUpdate,
  stateQuery,
} from '../../src/workflows/definitions';
import { createDevServerEnv } from '../support/temporal';
import { startHarness, startTimeSkippingHarness, type Harness } from './harness';

/** The update's failure as the workflow raised it: type and message. */
async function rejection(promise: Promise<unknown>): Promise<{ type: string | undefined; message: string }> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof WorkflowUpdateFailedError, `expected an update failure, got ${String(error)}`);
    assert.ok(error.cause instanceof ApplicationFailure);
    return { type: error.cause.type ?? undefined, message: error.cause.message };
  }
  assert.fail('the update was accepted');
}

describe('lifecycle rules and long incidents (time-skipping)', () => {
  let harness: Harness;
  beforeEach(async () => {
    harness = await startTimeSkippingHarness();
  });
  afterEach(() => harness.stop());

  it('rejects invalid input naming the field, and changes nothing', async () => {
    const incident = await harness.declare({ severity: 'SEV-2' });
    await incident.executeUpdate(acknowledgeUpdate, { args: [{ by: 'alice' }] });
    const role = await rejection(
      // Deliberately wrong: the point is what the workflow says about it.
      incident.executeUpdate(assignRoleUpdate, { args: [{ role: 'boss' as 'commander', user: 'carol', by: 'alice' }] }),
    );
    assert.equal(role.type, IncidentErrorType.InvalidInput);
    assert.match(role.message, /^role: /);
    const next = await rejection(
      incident.executeUpdate(postStatusUpdate, {
        args: [{ impact: 'slow', hypothesis: 'db', nextUpdateIn: 'soon', by: 'bob' }],
      }),
    );
    assert.match(next.message, /nextUpdateIn: "soon" is not a duration/);
    const empty = await rejection(incident.executeUpdate(acknowledgeUpdate, { args: [{ by: '' }] }));
    assert.match(empty.message, /by: must not be empty/);
    const state = await incident.query(stateQuery);
    assert.deepEqual(state.roles, { oncall: 'alice' });
    assert.equal(state.statusUpdates.length, 0);
  });

  it('continues as new mid-incident keeping the timeline and every deadline', async () => {
    const incident = await harness.declare({ severity: 'SEV-1' }, { historyEventLimit: 60 });
    const firstRun = (await incident.describe()).runId;
    await harness.env.sleep('3m');
    await incident.executeUpdate(acknowledgeUpdate, { args: [{ by: 'alice' }] });
    await incident.executeUpdate(postStatusUpdate, {
      args: [{ impact: 'checkout failing', hypothesis: 'deploy 412', nextUpdateIn: '10m', by: 'bob' }],
    });
    const beforeBoundary = await incident.query(stateQuery);
    // Enough traffic to pass the event limit: each note is an update in history.
    for (let i = 0; i < 12; i++) {
      await incident.executeUpdate(assignRoleUpdate, { args: [{ role: 'scribe', user: `s${i}`, by: 'alice' }] });
    }
    await harness.env.sleep('1m');
    const after = await incident.query(stateQuery);
    // Commands that race the run boundary are all kept: the run ends only once no command and no delivery is in flight.
    const scribes = after.timeline.filter((e) => e.type === 'role-assigned' && e.data?.role === 'scribe');
    assert.deepEqual(
      scribes.map((e) => e.data?.user),
      Array.from({ length: 12 }, (_, i) => `s${i}`),
    );
    const latestRun = (await harness.env.client.workflow.getHandle(incident.workflowId).describe()).runId;
    assert.notEqual(latestRun, firstRun, 'the incident continued as new');
    // Deliveries stay in the first run's history; everything else carries over unchanged.
    const facts = (timeline: typeof after.timeline) => timeline.filter((e) => e.type !== 'notification-sent');
    const carried = facts(beforeBoundary.timeline);
    assert.deepEqual(facts(after.timeline).slice(0, carried.length), carried);
    assert.deepEqual(
      after.deadlines.map((d) => [d.kind, d.at]),
      beforeBoundary.deadlines.map((d) => [d.kind, d.at]),
      'deadlines are absolute times: the run boundary moves none of them',
    );
    await harness.env.sleep('10m');
    const reminders = (await incident.query(stateQuery)).timeline.filter((e) => e.type === 'status-reminder');
    assert.equal(reminders.length, 1, 'the shortened cadence still fires after the boundary');
  });
});

// The time-skipping test server writes workflow-task events even for rejected updates; the real server does not,
// which is the guarantee this test is about.
describe('rejected updates on the real server (dev server)', () => {
  let env: TestWorkflowEnvironment;
  let devHarness: Harness;
  before(async () => {
    env = await createDevServerEnv();
    devHarness = await startHarness(env);
  });
  after(async () => {
    await devHarness?.stop();
    await env?.teardown();
  });

  it('rejects an illegal transition with the reason and leaves the history unchanged', async () => {
    const incident = await devHarness.declare({ severity: 'SEV-2' });
    // Let the declaration's notifications finish, so the only thing that could add events is the update.
    await incident.executeUpdate(addNoteUpdate, { args: [{ text: 'watching', by: 'alice' }] });
    while (((await incident.describe()).raw.pendingActivities?.length ?? 0) > 0) await setTimeout(100);
    await setTimeout(500);
    const before = (await incident.fetchHistory()).events?.length;
    const closing = await rejection(incident.executeUpdate(closeUpdate, { args: [{ by: 'alice' }] }));
    assert.equal(closing.type, IncidentErrorType.IllegalTransition);
    assert.match(closing.message, /cannot close incident .* while it is declared: resolve it first/);
    const mitigating = await rejection(
      incident.executeUpdate(startMitigationUpdate, { args: [{ action: 'restart', by: 'bob' }] }),
    );
    assert.match(mitigating.message, /acknowledge it first/);
    const after = (await incident.fetchHistory()).events?.length;
    assert.equal(after, before, 'a rejected update writes nothing to history');
    assert.equal((await incident.query(stateQuery)).status, 'declared');
  });
});
