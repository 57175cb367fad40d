import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { temporal } from '@temporalio/proto';
import { incidentWorkflowId } from '../../src/workflows/definitions';
import type { FakeChannel } from '../fakes/slack-api';
import { HoldingProxy, type HeldRequest } from './holding-proxy';
import { assertNoSecretLeaked } from './secret-scan';
import { deliveries, entries, eventually, startRig, stepKey, type Rig } from './stack';
import type { WorkerProcess } from './worker-process';

/**
 * Idempotency across a worker crash. A proxy in front of the Slack fake carries one chat.postMessage out and
 * withholds Slack's answer; the worker process is SIGKILLed while it waits for it. Temporal retries the activity
 * once its 30 s start-to-close timeout has passed, on a new worker process, and the provider finds the message
 * by its step key in the channel history instead of posting it again.
 */

const ID = `e2e-${randomBytes(3).toString('hex')}`;
const CHANNEL = `inc-${ID}-checkout-is-down`;
const NOTIFICATION_START_TO_CLOSE_MS = 30_000;

let rig: Rig;
let proxy: HoldingProxy | undefined;

before(async () => {
  rig = await startRig({
    sev1: {
      acknowledgeWithin: '1h',
      statusUpdates: { every: '1h', escalateAfter: '1h', target: 'engineering-manager' },
      unresolved: { after: '1h', target: 'engineering-manager' },
      diagnostics: false,
    },
    slackUrl: async (fake) => {
      proxy = await HoldingProxy.start(fake.url);
      return proxy.url;
    },
  });
});

after(async () => {
  await proxy?.close();
  await rig?.close();
});

function channel(): FakeChannel {
  const found = rig.slack.channelNamed(CHANNEL);
  assert.ok(found, `channel ${CHANNEL} exists`);
  return found;
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms).unref()),
  ]);
}

test('SIGKILL between Slack accepting a message and the activity completing: the retry finds it, nothing is posted twice', async () => {
  assert.ok(proxy);
  const { incidents, slack } = rig;
  const first: WorkerProcess = await rig.startWorker();
  await rig.declare({ id: ID });
  // The declaration's fan-out (channel, declaration, summary, page, email, status page) settles first, so the
  // only activity the crash interrupts is the one under test.
  await eventually(
    'the declaration fan-out',
    async () => entries(await incidents.timeline(ID), 'notification-sent').length === 6,
  );

  const held: Promise<HeldRequest> = proxy.holdNext(
    (method, params) => method === 'chat.postMessage' && (params.text ?? '').includes('is now Incident Commander'),
  );
  const assignedAt = Date.now();
  await incidents.command('assignRole', ID, { role: 'commander', user: 'alice', by: 'pat' });
  const request = await within(held, 20_000, 'the commander note to reach Slack');

  // Slack has the message; the worker is still waiting for the answer. Kill it now.
  const metadata = JSON.parse(request.params.metadata ?? '{}') as { event_payload?: { key?: string } };
  const key = metadata.event_payload?.key;
  assert.ok(
    typeof key === 'string' && key.startsWith(`${incidentWorkflowId(ID)}/`),
    `the post carries a step key: ${key}`,
  );
  const landed = slack.postedMessages(channel().id).filter((m) => stepKey(m) === key);
  assert.equal(landed.length, 1, 'the message landed in Slack before the crash');
  const ts = landed[0]!.ts;
  assert.match(request.answer, /"ok":true/);
  const killedAt = Date.now();
  await first.kill();
  assert.equal((await first.exited).signal, 'SIGKILL', 'the worker died by SIGKILL');
  const goneAt = await within(request.clientGone, 5_000, 'the dead worker’s connection to close');
  assert.ok(goneAt >= killedAt, 'the connection closed with the kill: the answer was never delivered');

  const second = await rig.startWorker();
  assert.notEqual(second.pid, first.pid);
  const recorded = await eventually(
    'the retried post to be recorded',
    async () =>
      deliveries(await incidents.timeline(ID), 'chat').sent.find((e) => e.message.includes(`(message ${ts})`)),
    NOTIFICATION_START_TO_CLOSE_MS + 40_000,
  );
  const recoveredAt = Date.now();
  console.log(
    `worker killed ${killedAt - assignedAt} ms after the assignment; retry recorded ${recoveredAt - killedAt} ms ` +
      `after the kill (${recoveredAt - assignedAt} ms in all)`,
  );

  assert.equal(recorded.data?.duplicate, true, 'the provider recognised the step it had already done');
  assert.equal(slack.postedMessages(channel().id).filter((m) => stepKey(m) === key).length, 1, 'exactly one message');
  const posts = slack.callsTo('chat.postMessage').filter((c) => String(c.params.metadata).includes(key));
  assert.equal(posts.length, 1, 'chat.postMessage was called once for the step');
  const lookups = slack.callsTo('conversations.history').filter((c) => c.at > killedAt);
  assert.ok(lookups.length > 0, 'the retry looked in the channel history');

  // The history shows the same: attempt 1 timed out (the dead worker), attempt 2 completed as a duplicate.
  const history = await rig.env.client.workflow.getHandle(incidentWorkflowId(ID)).fetchHistory();
  const attempt = activityAttempt(history, key);
  assert.equal(attempt.started?.attempt, 2, 'completed on the second attempt');
  assert.match(attempt.started?.lastFailure?.message ?? '', /timeout/i);
  assert.ok(attempt.started?.lastFailure?.timeoutFailureInfo, 'attempt 1 ended by its start-to-close timeout');
  assert.deepEqual(attempt.result, { destination: `#${channel().id} (message ${ts})`, duplicate: true });
  assert.ok(recoveredAt - assignedAt >= NOTIFICATION_START_TO_CLOSE_MS, 'the retry waited out the timeout');

  // Everything else of the incident is intact: one message per step, nothing failed.
  const keys = slack.postedMessages(channel().id).map(stepKey);
  assert.equal(new Set(keys).size, keys.length);
  assert.deepEqual(entries(await incidents.timeline(ID), 'notification-failed'), []);
  assert.equal((await incidents.show(ID)).roles.commander, 'alice');
});

test('no configured secret appears in any history or output of either worker', async () => {
  assert.equal(rig.workers.length, 2);
  await assertNoSecretLeaked(rig, [CHANNEL, channel().id]);
});

/** The postToChat activity that carried `key`: its last start (attempt, last failure) and its result. */
function activityAttempt(history: temporal.api.history.v1.IHistory, key: string) {
  const events = history.events ?? [];
  const decode = (payloads: temporal.api.common.v1.IPayloads | null | undefined): unknown[] =>
    (payloads?.payloads ?? []).map((p) => JSON.parse(Buffer.from(p.data ?? []).toString('utf8')) as unknown);
  const scheduled = events.find(
    (e) =>
      e.activityTaskScheduledEventAttributes?.activityType?.name === 'postToChat' &&
      JSON.stringify(decode(e.activityTaskScheduledEventAttributes.input)).includes(key),
  );
  assert.ok(scheduled?.eventId, `postToChat for ${key} is in the history`);
  const id = String(scheduled.eventId);
  const started = events.find((e) => String(e.activityTaskStartedEventAttributes?.scheduledEventId) === id);
  const completed = events.find((e) => String(e.activityTaskCompletedEventAttributes?.scheduledEventId) === id);
  return {
    started: started?.activityTaskStartedEventAttributes,
    result: decode(completed?.activityTaskCompletedEventAttributes?.result)[0],
  };
}
