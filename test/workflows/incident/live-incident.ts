import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { IncidentService } from '../../../src/client/service';
import { startHarness, type Harness } from '../harness';

/** A worker and the incident service on a dev server this suite owns; stop() ends the incidents, then the server. */
export interface LiveSuite {
  env: TestWorkflowEnvironment;
  harness: Harness;
  incidents: IncidentService;
  stop(): Promise<void>;
}

export async function startLiveSuite(env: TestWorkflowEnvironment): Promise<LiveSuite> {
  const harness = await startHarness(env);
  return {
    env,
    harness,
    incidents: new IncidentService(env.client, { taskQueue: harness.taskQueue }),
    async stop() {
      await harness.stop();
      await env.teardown();
    },
  };
}

/** What the live incident's status update says in private: it must never reach the Web UI's metadata. */
export const HYPOTHESIS = 'a leaked deploy token let someone roll out build 4711';
export const USER_FACING = 'Card payments fail for some customers; we are rolling back.';

/** A SEV-1 someone is working: declared, acknowledged, with an Incident Commander and a public update. */
export async function workedIncident(incidents: IncidentService, id: string, security = false): Promise<void> {
  await incidents.declare({ id, title: 'Checkout is down', severity: 'SEV-1', service: 'checkout', security });
  await incidents.command('acknowledge', id, { by: 'bob' });
  await incidents.command('assignRole', id, { role: 'commander', user: 'alice', by: 'bob' });
  await incidents.command('postStatusUpdate', id, {
    impact: 'payments failing for 30% of checkouts',
    hypothesis: HYPOTHESIS,
    userFacing: USER_FACING,
    by: 'alice',
  });
}
