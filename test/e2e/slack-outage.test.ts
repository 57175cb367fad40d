import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FakeChannel, FakeMessage } from '../fakes/slack-api';
import { assertNoSecretLeaked } from './secret-scan';
import { deliveries, entries, eventually, startRig, stepKey, type Rig } from './stack';

/**
 * Slack goes down mid-incident: first rate limiting (429, Retry-After 1 s) for 32 s, then 500s for 8 s.
 * The incident does not notice beyond its timeline: the escalation fires on time and pages, ack and status
 * updates answer at once, the messages that were still within their retries arrive after recovery, the ones
 * whose retries ran out during the outage are recorded as failed, and nothing is posted twice.
 *
 * The notification retry policy is 6 attempts; a rate-limited attempt takes ~3 s (three 1 s waits inside the
 * call) and is retried 1 s later, so a step that starts early in the 429 phase spends all six within ~24 s.
 */

const ID = `e2e-${randomBytes(3).toString('hex')}`;
const CHANNEL = `inc-${ID}-checkout-is-down`;
const RATE_LIMITED_MS = 32_000;
const SERVER_ERRORS_MS = 8_000;

let rig: Rig;

before(async () => {
  rig = await startRig({
    sev1: {
      acknowledgeWithin: '4s',
      escalationLadder: [{ target: 'secondary-oncall' }, { target: 'engineering-manager', after: '1h' }],
      statusUpdates: { every: '1h', escalateAfter: '1h', target: 'engineering-manager' },
      unresolved: { after: '1h', target: 'engineering-manager' },
      diagnostics: false,
    },
  });
  await rig.startWorker();
});

after(async () => {
  await rig?.close();
});

function channel(): FakeChannel {
  const found = rig.slack.channelNamed(CHANNEL);
  assert.ok(found, `channel ${CHANNEL} exists`);
  return found;
}

const text = (message: FakeMessage) => message.text.replace(/^(?:<@\w+>\s*)+/, '');
const isSummary = (message: FakeMessage) => message.metadata?.event_type === 'incident_summary';

async function chatDeliveries() {
  return deliveries(await rig.incidents.timeline(ID), 'chat');
}

test('a Slack outage mid-incident: timers, state and updates carry on; messages arrive once or fail on the timeline', async () => {
  const { incidents, slack, pagerduty } = rig;
  await rig.declare({ id: ID });
  const declaredAt = (await incidents.show(ID)).declaredAt;
  // Channel, declaration and summary are in before Slack goes down.
  await eventually('the declaration fan-out', async () => (await chatDeliveries()).sent.length === 3);
  const before = slack.postedMessages(channel().id);
  assert.equal(before.length, 2);

  const outageStart = Date.now();
  slack.outage({ status: 429, retryAfter: 1, forMs: RATE_LIMITED_MS });
  // Early in the outage: the commander is assigned. Its note and summary refresh will run out of retries.
  const assigned = await incidents.command('assignRole', ID, { role: 'commander', user: 'alice', by: 'pat' });
  assert.deepEqual(
    assigned.added.map((e) => e.data?.user),
    ['alice'],
    'the update answers although Slack is down',
  );

  // The ack window closes during the outage: the escalation fires on time and pages (PagerDuty is up).
  const escalation = await eventually('the escalation', async () =>
    entries(await incidents.timeline(ID), 'escalation').at(0),
  );
  const lateBy = escalation.at - (declaredAt + 4_000);
  assert.ok(lateBy >= 0 && lateBy < 2_000, `escalated on time during the outage (${lateBy} ms late)`);
  assert.ok(escalation.at < outageStart + RATE_LIMITED_MS, 'while Slack was down');
  const page = await eventually('the escalation page', () => pagerduty.alerts.get(`incident-${ID}-ack-timeout-1`));
  assert.deepEqual(page.actions, ['trigger']);

  // Late in the outage (now 500s): ack and a status update still answer at once and change the state.
  await sleep(Math.max(0, outageStart + RATE_LIMITED_MS - Date.now()));
  slack.outage({ status: 500, forMs: SERVER_ERRORS_MS });
  const serverErrorsStart = Date.now();
  let started = Date.now();
  assert.equal((await incidents.command('acknowledge', ID, { by: 'pat' })).status, 'acknowledged');
  const investigating = await incidents.command('postStatusUpdate', ID, {
    impact: 'Checkout fails for ~60% of customers',
    hypothesis: 'connection pool exhausted',
    by: 'alice',
  });
  assert.equal(investigating.status, 'investigating');
  assert.ok(Date.now() - started < 5_000, `both updates answered within 5 s (${Date.now() - started} ms)`);
  const duringOutage = await incidents.show(ID);
  assert.equal(duringOutage.roles.commander, 'alice');
  assert.equal(duringOutage.statusUpdates.length, 1);
  const outageEnd = serverErrorsStart + SERVER_ERRORS_MS;

  // Ten chat deliveries in all: 3 before the outage, 3 started early in it, 4 started late in it.
  started = Date.now();
  const settled = await eventually(
    'every chat delivery to be sent or given up',
    async () => {
      const chat = await chatDeliveries();
      return chat.sent.length + chat.failed.length === 10 && chat;
    },
    120_000,
  );
  console.log(`chat deliveries settled ${Math.round((Date.now() - outageStart) / 1000)} s after the outage began`);

  // Slack really was down: it answered both 429s and 500s.
  const during = slack.calls.filter((c) => c.at >= outageStart && c.at < outageEnd);
  assert.ok(during.some((c) => c.status === 429) && during.some((c) => c.status === 500), 'both 429 and 500');

  // Early steps ran out of retries inside the 429 phase: recorded as failed, with the reason, and not in Slack.
  const failures = settled.failed.map((e) => e.message);
  assert.equal(failures.length, 3, `commander note, its summary refresh, escalation message: ${failures.join('; ')}`);
  for (const failure of failures) assert.match(failure, /^chat: Slack rate-limited [\w.]+; retry after 1s$/);
  assert.ok(
    settled.failed.every((e) => e.at < outageStart + RATE_LIMITED_MS),
    'given up during the outage',
  );

  // Late steps arrived after recovery, once each.
  const messages = slack.postedMessages(channel().id);
  const posted = messages.filter((m) => !isSummary(m)).map(text);
  assert.equal(posted.length, 3, posted.join(' | '));
  assert.match(posted[0]!, /has been declared/);
  assert.ok(posted.some((t) => t.includes('pat acknowledged the incident')));
  assert.ok(posted.some((t) => t.includes('Impact: Checkout fails for ~60% of customers')));
  assert.ok(!posted.some((t) => t.includes('is now Incident Commander') || t.startsWith('Escalating')));
  const recovered = messages.filter((m) => !before.includes(m) && !isSummary(m));
  for (const message of recovered) {
    const call = slack
      .callsTo('chat.postMessage')
      .find((c) => c.error === undefined && c.status === 200 && String(c.params.metadata).includes(stepKey(message)!));
    assert.ok(call && call.at >= outageEnd, 'posted after Slack recovered');
  }

  // None twice: one message per step key, one successful post per key, one summary edited in place.
  const keys = messages.map(stepKey);
  assert.equal(new Set(keys).size, keys.length, 'one message per step key');
  const landedPosts = slack.callsTo('chat.postMessage').filter((c) => c.status === 200 && c.error === undefined);
  assert.equal(landedPosts.length, messages.length, 'every successful post made a distinct message');
  const summaries = messages.filter(isSummary);
  assert.equal(summaries.length, 1);
  assert.match(summaries[0]!.text, /Status: investigating/);
  assert.match(summaries[0]!.text, /Incident Commander: alice/, 'the refresh after recovery carries the missed change');
  assert.equal(channel().topic.value, 'SEV-1 · investigating · IC: alice · checkout');

  // The rest of the incident never waited on Slack.
  const timeline = await incidents.timeline(ID);
  assert.deepEqual(deliveries(timeline, 'pager').failed, []);
  assert.equal(deliveries(timeline, 'pager').sent.length, 4, 'trigger x2, acknowledge x2');
  assert.deepEqual(deliveries(timeline, 'email').failed, []);
  assert.equal(entries(timeline, 'escalation').length, 1);
});

test('no configured secret appears in any history or worker output', async () => {
  await assertNoSecretLeaked(rig, [CHANNEL, channel().id]);
});
