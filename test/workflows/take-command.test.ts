import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { acknowledgeUpdate, assignRoleUpdate, pageUpdate, stateQuery } from '../../src/workflows/definitions';
import { entriesOf, escalationsOf, startTimeSkippingHarness, TEST_POLICY, type Harness } from './harness';

describe('an incident without an Incident Commander (time-skipping)', () => {
  let harness: Harness;
  before(async () => {
    harness = await startTimeSkippingHarness({
      policy: { ...TEST_POLICY, roles: { takeCommandWithin: '10m', remindersBeforeEscalation: 1 } },
    });
  });
  after(() => harness.stop());

  it('reminds the on-call to take command, then escalates like a missed ack; an IC ends it', async () => {
    const incident = await harness.declare({ severity: 'SEV-2' });
    await incident.executeUpdate(acknowledgeUpdate, { args: [{ by: 'alice' }] });
    await harness.env.sleep('25m');
    assert.deepEqual(await entriesOf(incident, 'commander-reminder'), [
      `no Incident Commander yet: reminded primary-oncall to take command: incident assign ${(await incident.query(stateQuery)).id} --role commander --user <you> --by <you>@10`,
    ]);
    assert.deepEqual(await escalationsOf(incident), ['no-commander:1:secondary-oncall@20']);

    await incident.executeUpdate(assignRoleUpdate, { args: [{ role: 'commander', user: 'alice', by: 'alice' }] });
    await harness.env.sleep('1h');
    assert.equal((await entriesOf(incident, 'commander-reminder')).length, 1, 'no reminder once someone has command');
    const noCommander = (await escalationsOf(incident)).filter((e) => e.startsWith('no-commander'));
    assert.deepEqual(noCommander, ['no-commander:1:secondary-oncall@20']);
    assert.ok(!(await incident.query(stateQuery)).deadlines.some((d) => d.kind === 'commander-reminder'));
  });

  it('an incident declared with a commander is never reminded', async () => {
    const incident = await harness.declare({ severity: 'SEV-2', commander: 'carol' });
    await incident.executeUpdate(acknowledgeUpdate, { args: [{ by: 'carol' }] });
    await harness.env.sleep('30m');
    assert.deepEqual(await entriesOf(incident, 'commander-reminder'), []);
    assert.deepEqual(
      (await escalationsOf(incident)).filter((e) => e.startsWith('no-commander')),
      [],
    );
  });

  it('incident page pages any configured target on demand, with who and why; an unknown target is refused', async () => {
    const incident = await harness.declare({ severity: 'SEV-2', commander: 'carol' });
    const paged = await incident.executeUpdate(pageUpdate, {
      args: [{ target: 'engineering-manager', reason: 'need approval to fail over', by: 'carol' }],
    });
    const entry = paged.added.find((e) => e.type === 'escalation');
    assert.equal(entry?.message, 'carol paged engineering-manager: need approval to fail over');
    assert.deepEqual(entry?.data, { level: 0, reason: 'manual', target: 'engineering-manager' });
    assert.ok((await incident.query(stateQuery)).escalation.openPages.some((p) => p.target === 'engineering-manager'));
    await assert.rejects(
      incident.executeUpdate(pageUpdate, { args: [{ target: 'db-oncall', reason: 'x', by: 'carol' }] }),
      (error: Error & { cause?: Error }) =>
        /target: db-oncall is not in the policy \(known: /.test(error.cause?.message ?? ''),
    );
  });
});
