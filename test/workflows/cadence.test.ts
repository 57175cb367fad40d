import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { acknowledgeUpdate, changeSeverityUpdate, postStatusUpdate, stateQuery } from '../../src/workflows/definitions';
import { entriesOf, escalationsOf, startTimeSkippingHarness, type Harness } from './harness';

const update = { impact: 'checkout errors for 30% of users', hypothesis: 'bad deploy 412', by: 'bob' };

describe('status cadence, unresolved escalation and severity changes (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  let harness: Harness;

  beforeEach(async () => {
    harness = await startTimeSkippingHarness();
    env = harness.env;
  });
  afterEach(() => harness.stop());

  it('reminds when a status update is due, then escalates after the grace period', async () => {
    const incident = await harness.declare({ severity: 'SEV-2' });
    await incident.executeUpdate(acknowledgeUpdate, { args: [{ by: 'alice' }] });
    await env.sleep('29m');
    assert.deepEqual(await entriesOf(incident, 'status-reminder'), []);
    await env.sleep('2m');
    assert.deepEqual(await entriesOf(incident, 'status-reminder'), ['status update due@30']);
    assert.deepEqual(await escalationsOf(incident), []);
    await env.sleep('10m');
    assert.deepEqual(await escalationsOf(incident), ['no-status-update:1:engineering-manager@40']);
  });

  it('a posted update resets the cadence', async () => {
    const incident = await harness.declare({ severity: 'SEV-2' });
    await incident.executeUpdate(acknowledgeUpdate, { args: [{ by: 'alice' }] });
    await env.sleep('20m');
    const view = await incident.executeUpdate(postStatusUpdate, { args: [update] });
    assert.equal(view.status, 'investigating');
    await env.sleep('25m');
    assert.deepEqual(await entriesOf(incident, 'status-reminder'), [], 'no reminder 30 minutes after declaration');
    await env.sleep('6m');
    assert.deepEqual(await entriesOf(incident, 'status-reminder'), ['status update due@50']);
  });

  it('"next update" may shorten the cadence but never lengthen it', async () => {
    const shortened = await harness.declare({ severity: 'SEV-2' });
    const lengthened = await harness.declare({ severity: 'SEV-2' });
    for (const incident of [shortened, lengthened]) {
      await incident.executeUpdate(acknowledgeUpdate, { args: [{ by: 'alice' }] });
    }
    await env.sleep('5m');
    await shortened.executeUpdate(postStatusUpdate, { args: [{ ...update, nextUpdateIn: '10m' }] });
    await lengthened.executeUpdate(postStatusUpdate, { args: [{ ...update, nextUpdateIn: '2h' }] });
    await env.sleep('11m');
    assert.deepEqual(await entriesOf(shortened, 'status-reminder'), ['status update due@15']);
    assert.deepEqual(await entriesOf(lengthened, 'status-reminder'), []);
    await env.sleep('20m');
    assert.deepEqual(await entriesOf(lengthened, 'status-reminder'), ['status update due@35']);
  });

  it('escalates a SEV-1 still unresolved after 15 minutes to the engineering manager, once', async () => {
    const incident = await harness.declare({ severity: 'SEV-1' });
    await incident.executeUpdate(acknowledgeUpdate, { args: [{ by: 'alice' }] });
    await env.sleep('14m');
    await incident.executeUpdate(postStatusUpdate, { args: [update] });
    assert.deepEqual(await escalationsOf(incident), []);
    await env.sleep('2m');
    assert.deepEqual(await escalationsOf(incident), ['unresolved:1:engineering-manager@15']);
    await env.sleep('2h');
    const unresolved = (await escalationsOf(incident)).filter((e) => e.startsWith('unresolved'));
    assert.equal(unresolved.length, 1);
  });

  it('upgrading SEV-3 to SEV-1 re-plans every timer at once: cadence, unresolved, paging, status page', async () => {
    const incident = await harness.declare({ severity: 'SEV-3', service: 'payments' });
    await incident.executeUpdate(acknowledgeUpdate, { args: [{ by: 'alice' }] });
    await env.sleep('10m');
    await incident.executeUpdate(postStatusUpdate, { args: [update] });
    const before = await incident.query(stateQuery);
    assert.equal(
      before.deadlines.find((d) => d.kind === 'status-reminder')?.at,
      before.statusClock.since + 60 * 60_000,
    );

    await env.sleep('10m');
    await incident.executeUpdate(changeSeverityUpdate, {
      args: [{ severity: 'SEV-1', by: 'alice', reason: 'payments failing' }],
    });
    const upgraded = await incident.query(stateQuery);
    assert.equal(upgraded.severity, 'SEV-1');
    // The 15-minute cadence now counts from the update at minute 10: due at 25, not 70.
    assert.equal(
      upgraded.deadlines.find((d) => d.kind === 'status-reminder')?.at,
      before.statusClock.since + 15 * 60_000,
    );
    await env.sleep('1m');
    // Unresolved after 15 minutes: already past at minute 20, so it fires at once.
    assert.deepEqual(await escalationsOf(incident), ['unresolved:1:engineering-manager@20']);
    const state = await incident.query(stateQuery);
    assert.equal(state.publicUpdates.length, 1, 'the status page now shows the incident');
    await env.sleep('5m');
    assert.deepEqual(await entriesOf(incident, 'status-reminder'), ['status update due@25']);
  });

  it('downgrading SEV-1 to SEV-3 stretches the cadence at once', async () => {
    const incident = await harness.declare({ severity: 'SEV-1' });
    await incident.executeUpdate(acknowledgeUpdate, { args: [{ by: 'alice' }] });
    await env.sleep('5m');
    await incident.executeUpdate(changeSeverityUpdate, {
      args: [{ severity: 'SEV-3', by: 'alice', reason: 'only internal tools affected' }],
    });
    const downgraded = await incident.query(stateQuery);
    const reminder = downgraded.deadlines.find((d) => d.kind === 'status-reminder');
    assert.equal(reminder?.at, downgraded.declaredAt + 60 * 60_000);
    await env.sleep('20m');
    assert.deepEqual(await entriesOf(incident, 'status-reminder'), [], 'no SEV-1 reminder at 15 minutes');
    assert.deepEqual(await escalationsOf(incident), [], 'no SEV-1 unresolved escalation either');
  });
});
