/**
 * Records the history of one whole incident (declare → escalate → acknowledge → update → failed mitigation with
 * rollback → resolution refused by smoke tests → resolved → closed) on the time-skipping server, for the replay
 * test. Run it again, deliberately, when the workflow changes in a way that needs a new baseline:
 *   npx tsx scripts/record-history.ts
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { SmokeTestReport } from '../src/activities/types';
import { IncidentService } from '../src/client/service';
import type { incidentWorkflow } from '../src/workflows';
import { incidentWorkflowId, stateQuery } from '../src/workflows/definitions';
import { CHECKED_CHECKOUT_POLICY, startTimeSkippingHarness } from '../test/workflows/harness';

/**
 * Histories of incidents started before the planned-deadlines patch stay in the fixtures too: incidents running
 * during a deploy must finish on the new code, and replaying the old recording proves it.
 */
export const FULL_LIFECYCLE_HISTORY = path.join(__dirname, '../test/fixtures/histories/full-lifecycle-v8.json');

async function main(): Promise<void> {
  const outcomes: SmokeTestReport[] = [
    { passed: true, checks: [{ name: 'checkout', passed: true, latencyMs: 30, reason: 'status 200' }] },
    { passed: false, checks: [{ name: 'checkout', passed: false, latencyMs: 31, reason: 'status 503' }] },
    { passed: true, checks: [{ name: 'checkout', passed: true, latencyMs: 29, reason: 'status 200' }] },
  ];
  const harness = await startTimeSkippingHarness({
    // Checkout has a smoke check, so the resolution is verified (the outcomes below), not unverified.
    policy: CHECKED_CHECKOUT_POLICY,
    override: () => ({
      smokeTests: { run: () => Promise.resolve(outcomes.shift() ?? { passed: true, checks: [] }) },
      rollback: { run: () => Promise.resolve({ succeeded: true, detail: 'rolled back to deploy 411' }) },
    }),
  });
  try {
    const incidents = new IncidentService(harness.env.client, { taskQueue: harness.taskQueue });
    const id = 'replay-2';
    await incidents.declare({
      id,
      title: 'Checkout is down',
      severity: 'SEV-1',
      service: 'checkout',
      commander: 'alice',
    });
    const incident = harness.env.client.workflow.getHandle<typeof incidentWorkflow>(incidentWorkflowId(id));
    const by = { by: 'alice' };
    await harness.env.sleep('6m');
    await incidents.command('acknowledge', id, by);
    await incidents.command('assignRole', id, { role: 'comms', user: 'bob', by: 'alice' });
    await incidents.command('postStatusUpdate', id, {
      impact: 'checkout down for all users',
      hypothesis: 'deploy 412',
      nextUpdateIn: '10m',
      userFacing: 'Checkout is failing for some customers; a fix is underway.',
      by: 'bob',
    });
    await incidents.command('addNote', id, { text: 'error rate back to 40%', by: 'bob' });
    await harness.env.sleep('12m');
    await incidents.command('startMitigation', id, { action: 'disable flag', kind: 'feature-flag', ...by });
    await incidents.command('finishMitigation', id, { actionId: 'm1', outcome: 'failed', ...by });
    await incidents.command('resolve', id, by);
    await incidents.command('startMitigation', id, { action: 'roll back deploy 412', kind: 'rollback', ...by });
    await incidents.command('finishMitigation', id, { actionId: 'm2', outcome: 'succeeded', ...by });
    await incidents.command('resolve', id, { by: 'alice', summary: 'deploy 412 broke checkout' });
    await incidents.command('close', id, by);
    await incident.result();
    const result = await incident.query(stateQuery);
    const history = await incident.fetchHistory();
    writeFileSync(FULL_LIFECYCLE_HISTORY, historyToJSON(history));
    const bytes = Buffer.byteLength(JSON.stringify(history));
    console.log(
      `recorded ${history.events?.length} events (${bytes} bytes), ${result.timeline.length} timeline entries → ${FULL_LIFECYCLE_HISTORY}`,
    );
  } finally {
    await harness.stop();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
