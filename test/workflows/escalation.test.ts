import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { acknowledgeUpdate, stateQuery } from '../../src/workflows/definitions';
import { escalationsOf, startTimeSkippingHarness, type Harness } from './harness';

describe('acknowledgement ladder (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  let harness: Harness;

  beforeEach(async () => {
    harness = await startTimeSkippingHarness();
    env = harness.env;
  });
  afterEach(() => harness.stop());

  it('SEV-1 without acknowledgement climbs the whole ladder, one level per window, then stops', async () => {
    const incident = await harness.declare({ severity: 'SEV-1' });
    await env.sleep('4m');
    assert.deepEqual(await escalationsOf(incident), []);
    await env.sleep('2m');
    assert.deepEqual(await escalationsOf(incident), ['ack-timeout:1:secondary-oncall@5']);
    await env.sleep('6m');
    const ladder = (await escalationsOf(incident)).filter((e) => e.startsWith('ack-timeout'));
    assert.deepEqual(ladder, ['ack-timeout:1:secondary-oncall@5', 'ack-timeout:2:engineering-manager@10']);
    await env.sleep('1h');
    const later = (await escalationsOf(incident)).filter((e) => e.startsWith('ack-timeout'));
    assert.equal(later.length, 2, 'the ladder ends at its last level');

    const pages = await harness.outbox.read({ incidentId: (await incident.query(stateQuery)).id, channel: 'pager' });
    const ackPages = pages.map((p) => `${String(p.payload.action)}:${String(p.payload.target)}`);
    assert.deepEqual(ackPages.slice(0, 3), [
      'trigger:primary-oncall',
      'trigger:secondary-oncall',
      'trigger:engineering-manager',
    ]);
  });

  it('acknowledging stops the ladder and acknowledges the open pages', async () => {
    const incident = await harness.declare({ severity: 'SEV-1' });
    await env.sleep('3m');
    const acked = await incident.executeUpdate(acknowledgeUpdate, { args: [{ by: 'alice' }] });
    assert.equal(acked.status, 'acknowledged');
    const view = await incident.query(stateQuery);
    assert.equal(view.roles.oncall, 'alice');
    await env.sleep('30m');
    const ladder = (await escalationsOf(incident)).filter((e) => e.startsWith('ack-timeout'));
    assert.deepEqual(ladder, []);
    const pages = await harness.outbox.read({ incidentId: view.id, channel: 'pager' });
    assert.deepEqual(
      pages.map((p) => `${String(p.payload.action)}:${String(p.payload.target)}`).filter((p) => p.startsWith('ack')),
      ['acknowledge:primary-oncall'],
    );
  });

  it('SEV-2 and SEV-3 have different acknowledge windows (15 and 30 minutes)', async () => {
    const sev2 = await harness.declare({ severity: 'SEV-2' });
    const sev3 = await harness.declare({ severity: 'SEV-3' });
    await env.sleep('14m');
    assert.deepEqual(await escalationsOf(sev2), []);
    await env.sleep('2m');
    assert.deepEqual(await escalationsOf(sev2), ['ack-timeout:1:secondary-oncall@15']);
    // SEV-3 pages on-call in business hours: if they begin during the test, that page is not the ladder's business.
    const ladder = async () => (await escalationsOf(sev3)).filter((e) => e.startsWith('ack-timeout'));
    assert.deepEqual(await ladder(), []);
    await env.sleep('15m');
    assert.deepEqual(await ladder(), ['ack-timeout:1:secondary-oncall@30']);
  });

  it('SEV-4 over three days: one escalation after 24 hours, no cadence, no unresolved escalation', async () => {
    const incident = await harness.declare({ severity: 'SEV-4' });
    await env.sleep('3 days');
    assert.deepEqual(await escalationsOf(incident), ['ack-timeout:1:team-lead@1440']);
    const state = await incident.query(stateQuery);
    assert.equal(state.timeline.filter((e) => e.type === 'status-reminder').length, 0);
    assert.deepEqual(state.deadlines, []);
  });
});
