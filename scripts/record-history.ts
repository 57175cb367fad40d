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
import {
  acknowledgeUpdate,
  assignRoleUpdate,
  closeUpdate,
  finishMitigationUpdate,
  postStatusUpdate,
  resolveUpdate,
  startMitigationUpdate,
} from '../src/workflows/definitions';
import { startTimeSkippingHarness } from '../test/workflows/harness';

export const FULL_LIFECYCLE_HISTORY = path.join(__dirname, '../test/fixtures/histories/full-lifecycle.json');

async function main(): Promise<void> {
  const outcomes: SmokeTestReport[] = [
    { passed: true, checks: [{ name: 'checkout', passed: true, latencyMs: 30, reason: 'status 200' }] },
    { passed: false, checks: [{ name: 'checkout', passed: false, latencyMs: 31, reason: 'status 503' }] },
    { passed: true, checks: [{ name: 'checkout', passed: true, latencyMs: 29, reason: 'status 200' }] },
  ];
  const harness = await startTimeSkippingHarness({
    override: () => ({
      smokeTests: { run: () => Promise.resolve(outcomes.shift() ?? { passed: true, checks: [] }) },
      rollback: { run: () => Promise.resolve({ succeeded: true, detail: 'rolled back to deploy 411' }) },
    }),
  });
  try {
    const incident = await harness.declare({ id: 'replay-1', severity: 'SEV-1', commander: 'alice' });
    const by = { by: 'alice' };
    await harness.env.sleep('6m');
    await incident.executeUpdate(acknowledgeUpdate, { args: [by] });
    await incident.executeUpdate(assignRoleUpdate, { args: [{ role: 'comms', user: 'bob', by: 'alice' }] });
    await incident.executeUpdate(postStatusUpdate, {
      args: [{ impact: 'checkout down for all users', hypothesis: 'deploy 412', nextUpdateIn: '10m', by: 'bob' }],
    });
    await harness.env.sleep('12m');
    await incident.executeUpdate(startMitigationUpdate, {
      args: [{ action: 'disable flag', kind: 'feature-flag', ...by }],
    });
    await incident.executeUpdate(finishMitigationUpdate, { args: [{ actionId: 'm1', outcome: 'failed', ...by }] });
    await incident.executeUpdate(resolveUpdate, { args: [by] });
    await incident.executeUpdate(startMitigationUpdate, {
      args: [{ action: 'roll back deploy 412', kind: 'rollback', ...by }],
    });
    await incident.executeUpdate(finishMitigationUpdate, { args: [{ actionId: 'm2', outcome: 'succeeded', ...by }] });
    await incident.executeUpdate(resolveUpdate, { args: [{ by: 'alice', summary: 'deploy 412 broke checkout' }] });
    await incident.executeUpdate(closeUpdate, { args: [by] });
    const result = await incident.result();
    const history = await incident.fetchHistory();
    writeFileSync(FULL_LIFECYCLE_HISTORY, historyToJSON(history));
    console.log(
      `recorded ${history.events?.length} events, ${result.timeline.length} timeline entries → ${FULL_LIFECYCLE_HISTORY}`,
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
