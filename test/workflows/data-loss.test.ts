import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { OutboxChannel } from '../../src/activities/outbox/store';
import {
  acknowledgeUpdate,
  checkItemUpdate,
  closeUpdate,
  confirmIntegrityUpdate,
  resolveUpdate,
  stateQuery,
} from '../../src/workflows/definitions';
import { outboxPayloadsOf, refusedWith, startTimeSkippingHarness, TEST_POLICY, type Harness } from './harness';

const POLICY = {
  ...TEST_POLICY,
  contacts: { ...TEST_POLICY.contacts, 'data-owners': { email: ['dba@example.com'] } },
};

interface Posted {
  kind?: string;
  text?: string;
  to?: string[];
  mention?: string[];
}

/** Data loss or corruption (runbooks 000-004): SEV-1, owners told, preserve first, close after integrity is confirmed. */
describe('a data-loss incident (time-skipping)', () => {
  let harness: Harness;
  before(async () => {
    harness = await startTimeSkippingHarness({ policy: POLICY });
  });
  after(() => harness?.stop());

  const recordsOf = (incidentId: string, channel: OutboxChannel, match: (p: Posted) => boolean) =>
    outboxPayloadsOf(harness, incidentId, channel, match);

  it('is SEV-1 whatever was typed, tells the data owners, posts the checklist and closes only after confirmation', async () => {
    const incident = await harness.declare({
      severity: 'SEV-3',
      dataLoss: true,
      service: 'ledger',
      commander: 'alice',
    });
    const declared = await incident.query(stateQuery);
    const { id } = declared;
    assert.equal(declared.severity, 'SEV-1');
    assert.equal(declared.policy.severity, 'SEV-1', 'the SEV-1 policy: its clocks and pages');
    assert.deepEqual(declared.dataLoss, { owners: ['data-owners'], confirmedBy: null, confirmedAt: null });
    assert.ok(
      declared.timeline.some((e) => e.message.includes('declared as SEV-3; data loss is SEV-1')),
      'the timeline says why it is SEV-1',
    );
    assert.deepEqual(
      declared.checklist?.map((i) => `${i.list}/${i.id}`),
      ['data-loss/pause-consumers', 'data-loss/snapshot-before-restore', 'data-loss/scope-affected-data'],
    );

    const checklist = await recordsOf(id, 'chat', (p) => Boolean(p.text?.includes('data preservation checklist')));
    const posted = checklist.find((p) => p.text?.includes('data preservation checklist'));
    assert.match(posted?.text ?? '', /\[ \] pause-consumers: Pause the consumers/);
    assert.match(posted?.text ?? '', /\[ \] snapshot-before-restore: Snapshot the current data before any restore/);
    assert.deepEqual(posted?.mention, ['data-owners']);
    const mails = await recordsOf(id, 'email', (p) => Boolean(p.text?.includes('preserve before you repair')));
    assert.ok(
      mails.some((p) => p.text?.includes('preserve before you repair') && p.text.includes('confirm-integrity')),
      JSON.stringify(mails),
    );

    await incident.executeUpdate(acknowledgeUpdate, { args: [{ by: 'alice' }] });
    const ticked = await incident.executeUpdate(checkItemUpdate, {
      args: [{ item: 'pause-consumers', by: 'bob', note: 'ledger-writer scaled to 0' }],
    });
    assert.match(ticked.added[0]?.message ?? '', /pause-consumers done by bob \(ledger-writer scaled to 0\); open: /);
    await assert.rejects(
      incident.executeUpdate(checkItemUpdate, { args: [{ item: 'pause-consumers', by: 'bob' }] }),
      refusedWith(/item: pause-consumers was already done by bob/),
    );
    await assert.rejects(
      incident.executeUpdate(checkItemUpdate, { args: [{ item: 'rotate-keys', by: 'bob' }] }),
      refusedWith(/item: no checklist item rotate-keys \(open: snapshot-before-restore, scope-affected-data\)/),
    );

    await incident.executeUpdate(resolveUpdate, {
      args: [{ by: 'alice', summary: 'restored from snapshot', unverified: 'ledger has no smoke checks' }],
    });
    await assert.rejects(
      incident.executeUpdate(closeUpdate, { args: [{ by: 'alice' }] }),
      refusedWith(/cannot close incident .*: data loss was declared and nobody has confirmed data integrity yet/),
    );
    const confirmed = await incident.executeUpdate(confirmIntegrityUpdate, {
      args: [{ by: 'dora', note: 'row counts and checksums match the snapshot' }],
    });
    assert.equal(
      confirmed.added[0]?.message,
      'data integrity confirmed by dora: row counts and checksums match the snapshot',
    );
    await assert.rejects(
      incident.executeUpdate(confirmIntegrityUpdate, { args: [{ by: 'erin' }] }),
      refusedWith(/already confirmed by dora/),
    );
    const closed = await incident.executeUpdate(closeUpdate, { args: [{ by: 'alice' }] });
    assert.equal(closed.status, 'closed');
  });

  it('an incident without data loss has nothing to confirm and closes as before', async () => {
    const incident = await harness.declare({ severity: 'SEV-2', commander: 'alice' });
    const { checklist, dataLoss } = await incident.query(stateQuery);
    assert.equal(dataLoss, undefined);
    assert.equal(checklist, undefined);
    await assert.rejects(
      incident.executeUpdate(confirmIntegrityUpdate, { args: [{ by: 'dora' }] }),
      refusedWith(/was not declared with data loss/),
    );
    await incident.executeUpdate(acknowledgeUpdate, { args: [{ by: 'alice' }] });
    await incident.executeUpdate(resolveUpdate, { args: [{ by: 'alice', unverified: 'no smoke checks' }] });
    assert.equal((await incident.executeUpdate(closeUpdate, { args: [{ by: 'alice' }] })).status, 'closed');
  });
});
