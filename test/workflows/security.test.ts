import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  acknowledgeUpdate,
  changeSeverityUpdate,
  checkItemUpdate,
  confirmBreachUpdate,
  stateQuery,
} from '../../src/workflows/definitions';
import { outboxPayloadsOf, refusedWith, startTimeSkippingHarness, TEST_POLICY, type Harness } from './harness';

/** Runbook 004's security path (credential leak, unauthorized access) and runbook 003's "breach confirmed: SEV-1". */
describe('a security incident (time-skipping)', () => {
  let harness: Harness;
  before(async () => {
    harness = await startTimeSkippingHarness({ policy: TEST_POLICY });
  });
  after(() => harness?.stop());

  it('posts the security checklist, tracks each item, and a confirmed breach raises it to SEV-1', async () => {
    const incident = await harness.declare({ severity: 'SEV-3', security: true, service: 'login' });
    const { id, checklist } = await incident.query(stateQuery);
    assert.deepEqual(
      checklist?.map((i) => i.id),
      ['rotate-credentials', 'revoke-access', 'preserve-evidence'],
    );
    await incident.executeUpdate(acknowledgeUpdate, { args: [{ by: 'sam' }] });

    const rotated = await incident.executeUpdate(checkItemUpdate, {
      args: [{ item: 'rotate-credentials', by: 'sam', note: 'partner API key rotated' }],
    });
    assert.match(
      rotated.added[0]?.message ?? '',
      /^security checklist: rotate-credentials done by sam .*; open: revoke-access, preserve-evidence$/,
    );

    const breach = await incident.executeUpdate(confirmBreachUpdate, {
      args: [{ by: 'sam', reason: 'access logs show sessions from the leaked key' }],
    });
    assert.equal(breach.severity, 'SEV-1');
    assert.deepEqual(
      breach.added.map((e) => e.type),
      ['breach-confirmed', 'severity-changed'],
      'the checklist was already posted: not twice',
    );
    assert.equal(breach.added[1]?.message, 'SEV-3 → SEV-1: security breach confirmed (runbook 003: at least SEV-1)');
    const view = await incident.query(stateQuery);
    assert.equal(view.policy.severity, 'SEV-1', 'every clock now runs on the SEV-1 policy');
    await assert.rejects(
      incident.executeUpdate(confirmBreachUpdate, { args: [{ by: 'sam', reason: 'again' }] }),
      refusedWith(/a breach was already confirmed at /),
    );

    for (const item of ['revoke-access', 'preserve-evidence']) {
      await incident.executeUpdate(checkItemUpdate, { args: [{ item, by: 'sam' }] });
    }
    const done = (await incident.query(stateQuery)).checklist ?? [];
    assert.ok(done.every((i) => i.doneBy === 'sam' && i.doneAt !== undefined));
    const entries = (await incident.query(stateQuery)).timeline.filter((e) => e.type === 'checklist');
    assert.match(entries.at(-1)?.message ?? '', /preserve-evidence done by sam; every item done$/);

    const posted = (p: { text?: string }) => Boolean(p.text?.includes('[ ] preserve-evidence: Preserve evidence'));
    const chat = await outboxPayloadsOf(harness, id, 'chat', posted);
    assert.ok(chat.some(posted), JSON.stringify(chat));
  });

  it('a breach confirmed in an ordinary incident makes it a security incident; a SEV-1 stays SEV-1', async () => {
    const incident = await harness.declare({ severity: 'SEV-1', service: 'checkout' });
    assert.equal((await incident.query(stateQuery)).checklist, undefined, 'no checklist for an ordinary incident');
    await incident.executeUpdate(acknowledgeUpdate, { args: [{ by: 'alice' }] });
    const breach = await incident.executeUpdate(confirmBreachUpdate, {
      args: [{ by: 'alice', reason: 'card data read by an unknown client' }],
    });
    assert.equal(breach.security, true);
    assert.equal(breach.severity, 'SEV-1');
    assert.deepEqual(
      breach.added.map((e) => e.type),
      ['breach-confirmed', 'checklist'],
    );
    assert.equal((await incident.query(stateQuery)).checklist?.length, 3);
    await assert.rejects(
      incident.executeUpdate(changeSeverityUpdate, { args: [{ severity: 'SEV-1', by: 'alice' }] }),
      refusedWith(/already SEV-1/),
    );
  });
});
