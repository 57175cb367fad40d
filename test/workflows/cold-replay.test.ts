import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import type { incidentWorkflow } from '../../src/workflows';
import {
  acknowledgeUpdate,
  closeUpdate,
  finishMitigationUpdate,
  resolveUpdate,
  startMitigationUpdate,
  stateQuery,
} from '../../src/workflows/definitions';
import { startTimeSkippingHarness, type Harness } from './harness';

/**
 * A worker that keeps no incident in memory rebuilds each one from its history for every workflow task, as any
 * worker does after a restart or a cache eviction. Commands that arrive right after results the incident did
 * nothing with (a workflow task without commands) once ran before those results on a rebuilt incident and after
 * them on its replay, and the incident failed on nondeterminism at its next command.
 */
describe('an incident rebuilt from history for every workflow task', () => {
  let harness: Harness;
  before(async () => {
    harness = await startTimeSkippingHarness({ maxCachedWorkflows: 0 });
  });
  after(async () => {
    await harness?.stop();
  });

  it('runs a SEV-1 from declaration to close without a nondeterminism failure', { timeout: 240_000 }, async () => {
    // Whether a workflow task without commands comes just before a command depends on timing: without the fix
    // this failed about one run in three.
    await lifecycle(harness, await harness.declare({ severity: 'SEV-1', service: 'checkout', commander: 'alice' }));
  });
});

async function lifecycle(harness: Harness, incident: WorkflowHandle<typeof incidentWorkflow>): Promise<void> {
  await harness.env.sleep('7m');
  await incident.executeUpdate(acknowledgeUpdate, { args: [{ by: 'alice' }] });
  await harness.env.sleep('3m');
  await incident.executeUpdate(startMitigationUpdate, {
    args: [{ action: 'roll back deploy 412', kind: 'rollback', by: 'bob' }],
  });
  await harness.env.sleep('15m');
  await incident.executeUpdate(finishMitigationUpdate, { args: [{ actionId: 'm1', outcome: 'succeeded', by: 'bob' }] });
  await harness.env.sleep('15m');
  await incident.executeUpdate(resolveUpdate, {
    args: [{ by: 'alice', summary: 'rolled back', unverified: 'checkout has no smoke checks' }],
  });
  await incident.executeUpdate(closeUpdate, { args: [{ by: 'alice' }] });
  const outcome = await incident.result();
  assert.equal(outcome.status, 'closed');

  const failures = (await incident.fetchHistory()).events?.filter((e) => e.workflowTaskFailedEventAttributes) ?? [];
  assert.deepEqual(
    failures.map((e) => e.workflowTaskFailedEventAttributes?.failure?.message),
    [],
    'no workflow task failed',
  );
  const state = await incident.query(stateQuery);
  assert.ok(
    state.timeline.some((e) => e.type === 'escalation'),
    'the unacknowledged SEV-1 escalated',
  );
}
