import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { OutboxChannel } from '../../src/activities/outbox/store';
import { addNoteUpdate, assignRoleUpdate, stateQuery } from '../../src/workflows/definitions';
import { outboxPayloadsOf, startTimeSkippingHarness, TEST_POLICY, type Harness } from './harness';

const POLICY = {
  ...TEST_POLICY,
  contacts: { ...TEST_POLICY.contacts, dana: { email: ['dana@example.com'], slackUserId: 'U0DANA1' } },
  severities: { 'SEV-1': { bridge: 'https://meet.example.com/incident-{incidentId}' } },
};

interface Posted {
  action?: string;
  kind?: string;
  text?: string;
  mention?: string[];
}

/** The war room (runbooks 003, 004): the bridge where people look for it, mentions, notes in the channel. */
describe('the war room (time-skipping)', () => {
  let harness: Harness;
  before(async () => {
    harness = await startTimeSkippingHarness({ policy: POLICY });
  });
  after(() => harness?.stop());

  const recordsOf = (incidentId: string, channel: OutboxChannel, match: (p: Posted) => boolean) =>
    outboxPayloadsOf(harness, incidentId, channel, match);

  it('a SEV-1 carries its bridge in the declaration, the pinned summary and the declaration email', async () => {
    const incident = await harness.declare({ severity: 'SEV-1', commander: 'carol' });
    const { id } = await incident.query(stateQuery);
    const bridge = `Bridge: https://meet.example.com/incident-${id}`;
    const chat = await recordsOf(id, 'chat', (p) => p.action === 'update-summary' && Boolean(p.text?.includes(bridge)));
    assert.ok(chat.find((p) => p.kind === 'declaration')?.text?.includes(bridge), 'the declaration');
    assert.ok(chat.find((p) => p.action === 'update-summary')?.text?.includes(bridge), 'the pinned summary');
    const email = await recordsOf(id, 'email', (p) => Boolean(p.text?.includes(bridge)));
    assert.ok(
      email.some((p) => p.text?.includes(bridge)),
      `the declaration email: ${JSON.stringify(email)}`,
    );

    const sev2 = await harness.declare({ severity: 'SEV-2' });
    const sev2Id = (await sev2.query(stateQuery)).id;
    const sev2Chat = await recordsOf(sev2Id, 'chat', (p) => p.kind === 'declaration');
    assert.ok(!JSON.stringify(sev2Chat).includes('Bridge:'), 'a severity without a bridge shows none');
  });

  it('mentions the person given a role, and posts notes in the channel with who wrote them and when', async () => {
    const incident = await harness.declare({ severity: 'SEV-2' });
    const { id } = await incident.query(stateQuery);
    await incident.executeUpdate(assignRoleUpdate, { args: [{ role: 'comms', user: 'dana', by: 'carol' }] });
    const assigned = await recordsOf(id, 'chat', (p) => Boolean(p.text?.includes('dana is now')));
    assert.deepEqual(assigned.find((p) => p.text?.includes('dana is now'))?.mention, ['dana']);

    await incident.executeUpdate(addNoteUpdate, {
      args: [{ text: 'kubectl rollout undo deploy/checkout', by: 'bob' }],
    });
    const noted = await recordsOf(id, 'chat', (p) => Boolean(p.text?.includes('kubectl rollout undo')));
    const note = noted.find((p) => p.text?.includes('kubectl rollout undo'));
    assert.match(note?.text ?? '', /^bob \(\d{4}-\d\d-\d\dT[\d:.]+Z\): kubectl rollout undo deploy\/checkout/);
    const timeline = (await incident.query(stateQuery)).timeline.filter((e) => e.type === 'note');
    assert.deepEqual(
      timeline.map((e) => e.message),
      ['kubectl rollout undo deploy/checkout'],
    );
  });
});
