import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  acknowledgeUpdate,
  addNoteUpdate,
  assignRoleUpdate,
  changeSeverityUpdate,
  closeUpdate,
  postStatusUpdate,
  resolveUpdate,
  startMitigationUpdate,
} from '../../src/workflows/definitions';
import { entriesOf, refusedWith, startTimeSkippingHarness, TEST_POLICY, type Harness } from './harness';

/** Staffed roles and who may do what (runbooks 000, 002), from the policy's `roles` section and its defaults. */
describe('roles and permissions (time-skipping)', () => {
  let harness: Harness;
  before(async () => {
    harness = await startTimeSkippingHarness({
      policy: {
        ...TEST_POLICY,
        // In place of TEST_POLICY's opt-out of the reminder: every other field of roles keeps its default.
        roles: { admins: ['root'], mitigationsUnderCommanderAuthority: true },
      },
    });
  });
  after(() => harness?.stop());

  it('by default reminds the on-call to take command, and asks for a Communications and an Operations Lead', async () => {
    const incident = await harness.declare({ severity: 'SEV-2' });
    await incident.executeUpdate(acknowledgeUpdate, { args: [{ by: 'alice' }] });
    assert.deepEqual(await entriesOf(incident, 'role-prompt'), [
      'SEV-2 needs a Communications Lead and an Operations Lead: asked primary-oncall@0',
    ]);
    await harness.env.sleep('11m');
    assert.equal((await entriesOf(incident, 'commander-reminder')).length, 1, 'reminded at 10 minutes (the default)');

    await incident.executeUpdate(assignRoleUpdate, { args: [{ role: 'comms', user: 'bob', by: 'alice' }] });
    const took = await incident.executeUpdate(assignRoleUpdate, {
      args: [{ role: 'commander', user: 'alice', by: 'alice' }],
    });
    const prompt = took.added.find((e) => e.type === 'role-prompt');
    assert.equal(
      prompt?.message,
      'SEV-2 needs an Operations Lead: asked alice',
      'the new IC is asked for the lead left',
    );
  });

  it('a SEV-3 is not asked for leads', async () => {
    const incident = await harness.declare({ severity: 'SEV-3' });
    assert.deepEqual(await entriesOf(incident, 'role-prompt'), []);
  });

  it('severity, resolve and close need the IC or an admin; mitigations under IC authority; notes are anyone’s', async () => {
    const incident = await harness.declare({ severity: 'SEV-2', commander: 'carol' });
    await incident.executeUpdate(acknowledgeUpdate, { args: [{ by: 'alice' }] });
    await incident.executeUpdate(addNoteUpdate, { args: [{ text: 'looking at the pool', by: 'bob' }] });
    await incident.executeUpdate(postStatusUpdate, { args: [{ impact: 'slow', hypothesis: 'pool', by: 'bob' }] });

    await assert.rejects(
      incident.executeUpdate(changeSeverityUpdate, { args: [{ severity: 'SEV-1', by: 'bob' }] }),
      refusedWith(
        /^by: bob may not change severity: policy roles.permissions.changeSeverity allows the Incident Commander \(carol\) or an admin \(root\)$/,
      ),
    );
    await assert.rejects(
      incident.executeUpdate(startMitigationUpdate, { args: [{ action: 'restart the pool', by: 'bob' }] }),
      refusedWith(/^by: bob may not start mitigation: policy roles.permissions.startMitigation allows the Incident/),
    );
    await incident.executeUpdate(startMitigationUpdate, { args: [{ action: 'restart the pool', by: 'carol' }] });
    assert.equal(
      (await incident.executeUpdate(changeSeverityUpdate, { args: [{ severity: 'SEV-1', by: 'root' }] })).severity,
      'SEV-1',
      'an admin may',
    );
    await assert.rejects(
      incident.executeUpdate(resolveUpdate, { args: [{ by: 'bob' }] }),
      refusedWith(/^by: bob may not resolve: /),
    );
    const resolved = await incident.executeUpdate(resolveUpdate, {
      args: [{ by: 'carol', unverified: 'the service has no smoke checks' }],
    });
    assert.equal(resolved.status, 'resolved');
    await assert.rejects(
      incident.executeUpdate(closeUpdate, { args: [{ by: 'bob' }] }),
      refusedWith(/^by: bob may not close: /),
    );
    assert.equal((await incident.executeUpdate(closeUpdate, { args: [{ by: 'carol' }] })).status, 'closed');
  });

  it('before anyone has command, a rule naming only the IC admits anyone (nobody could act otherwise)', async () => {
    const incident = await harness.declare({ severity: 'SEV-3' });
    await incident.executeUpdate(acknowledgeUpdate, { args: [{ by: 'alice' }] });
    const changed = await incident.executeUpdate(changeSeverityUpdate, { args: [{ severity: 'SEV-2', by: 'alice' }] });
    assert.equal(changed.severity, 'SEV-2');
  });
});
