import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { acknowledgeUpdate, postStatusUpdate, stateQuery } from '../../src/workflows/definitions';
import { escalationsOf, startTimeSkippingHarness, TEST_POLICY, type Harness } from './harness';

const DAYS = 30;
const UPDATE_EVERY_MINUTES = 15;

// SEV-2 without status page or stakeholder email: each status update costs one chat post, which keeps a month of
// updates quick to run while still writing a few events per update.
const QUIET_SEV2 = {
  ...TEST_POLICY,
  severities: { 'SEV-2': { statusPage: false, stakeholderEmail: 'none', diagnostics: false } },
};

describe('a month-long incident (time-skipping)', () => {
  let harness: Harness;
  before(async () => {
    harness = await startTimeSkippingHarness({ policy: QUIET_SEV2 });
  });
  after(() => harness.stop());

  it(`with a status update every ${UPDATE_EVERY_MINUTES} minutes for ${DAYS} days never passes 4,096 events in a run and keeps every deadline`, async () => {
    const incident = await harness.declare({ severity: 'SEV-2' });
    await incident.executeUpdate(acknowledgeUpdate, { args: [{ by: 'al' }] });
    const updates = (DAYS * 24 * 60) / UPDATE_EVERY_MINUTES;
    for (let i = 0; i < updates; i++) {
      await harness.env.sleep(`${UPDATE_EVERY_MINUTES}m`);
      await incident.executeUpdate(postStatusUpdate, { args: [{ impact: `u${i}`, hypothesis: 'h', by: 'al' }] });
    }
    // The cadence (30 minutes for SEV-2) still holds after the last update: reminded at 30, escalated 10 later.
    await harness.env.sleep('41m');
    const state = await incident.query(stateQuery);
    const last = state.statusUpdates.at(-1)!.at;
    const seconds = (ms: number) => Math.round(ms / 1000);
    const reminder = state.timeline.filter((e) => e.type === 'status-reminder').map((e) => seconds(e.at - last));
    assert.deepEqual(reminder, [30 * 60], 'one reminder, 30 minutes after the last update');
    const escalations = await escalationsOf(incident);
    assert.deepEqual(
      escalations.filter((e) => e.startsWith('no-status-update')),
      [`no-status-update:1:engineering-manager@${Math.round((last + 40 * 60_000 - state.declaredAt) / 60_000)}`],
    );
    assert.equal(
      state.timeline.filter((e) => e.type === 'status-update').length,
      updates,
      'every update carried across runs',
    );

    // Follow the chain of runs from the first, each ending where the next began.
    const lengths: number[] = [];
    let runId: string | null | undefined = (await incident.describe()).raw.workflowExecutionInfo?.firstRunId;
    while (runId) {
      const events =
        (await harness.env.client.workflow.getHandle(incident.workflowId, runId).fetchHistory()).events ?? [];
      lengths.push(events.length);
      runId = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    }
    assert.ok(lengths.length > 1, 'the incident continued as new');
    assert.ok(Math.max(...lengths) <= 4_096 + 64, `every run stays near 4,096 events: ${lengths.join(', ')}`);
  });
});
