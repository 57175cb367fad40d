import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test, type TestContext } from 'node:test';
import { WebClient } from '@slack/web-api';
import { ApplicationFailure } from '@temporalio/common';
import type { ChatProvider } from '../../../../src/activities/providers';
import { incidentActionsBlock } from '../../../../src/activities/chat/slack/actions';
import { createSlackClient, type SlackClientOptions } from '../../../../src/activities/chat/slack/client';
import { SlackFailureType } from '../../../../src/activities/chat/slack/errors';
import { slackChat } from '../../../../src/activities/chat/slack/provider';
import type { ChatSummaryRequest, OpenChannelRequest } from '../../../../src/activities/types';
import type { Contact } from '../../../../src/domain/policy';
import type { RenderedMessage } from '../../../../src/domain/templates';
import { FakeSlackApi, type FakeChannel, type FakeMessage } from '../../../fakes/slack-api';

const TOKEN = 'xoxb-1111-2222-SECRETSECRET';
const INCIDENT = '20250314-k3f9';
const CHANNEL_NAME = 'inc-20250314-k3f9-checkout-errors';

const CONTACTS: Record<string, Contact> = {
  'incident-commander': { email: ['ic@example.com'], slackUserId: 'UIC00001' },
  'secondary-oncall': { email: ['nobody-here@example.com', 'oncall2@example.com'] },
  'engineering-manager': { email: ['em@example.com'] },
  ghost: { email: ['ghost@example.com'] },
};
const USERS = [
  { id: 'UIC00001', name: 'alice', email: 'ic@example.com' },
  { id: 'UON00002', name: 'bob', email: 'oncall2@example.com' },
  { id: 'UEM00003', name: 'carol', email: 'em@example.com' },
];

const ref = (step: string, drill = false) => ({ incidentId: INCIDENT, key: `incident-${INCIDENT}/${step}`, drill });

const openRequest = (overrides: Partial<OpenChannelRequest> = {}): OpenChannelRequest => ({
  ...ref('1-channel'),
  title: 'Checkout errors',
  severity: 'SEV-1',
  security: false,
  topic: 'SEV-1 · investigating · IC alice',
  responders: ['incident-commander', 'secondary-oncall', 'ghost'],
  ...overrides,
});

const declaration: RenderedMessage = {
  kind: 'declaration',
  subject: 'Incident declared: [SEV-1] Checkout errors',
  text: '[SEV-1] Checkout errors has been declared.\nSeverity: SEV-1\nService: checkout <prod>',
  fields: [
    { label: 'Severity', value: 'SEV-1' },
    { label: 'Service', value: 'checkout <prod>' },
  ],
};

const summary = (status: string): RenderedMessage => ({
  kind: 'note',
  subject: `[SEV-1] Checkout errors — ${status}`,
  text: `Status: ${status}`,
  fields: [{ label: 'Status', value: status }],
});

const summaryRequest = (channel: string | null, step: string, status: string): ChatSummaryRequest => ({
  ...ref(step),
  channel,
  summary: summary(status),
  topic: `SEV-1 · ${status} · IC alice`,
});

async function startFake(t: TestContext, token = TOKEN): Promise<FakeSlackApi> {
  const fake = await FakeSlackApi.start({ token, users: USERS });
  t.after(() => fake.close());
  return fake;
}

function provider(
  fake: FakeSlackApi,
  options: { archiveOnClose?: boolean; client?: WebClient; clientOptions?: SlackClientOptions } = {},
): ChatProvider {
  return slackChat({
    client: options.client ?? createSlackClient(TOKEN, fake.url, options.clientOptions),
    contacts: CONTACTS,
    archiveOnClose: options.archiveOnClose ?? false,
  });
}

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ApplicationFailure, `expected an ApplicationFailure, got ${String(error)}`);
    return error;
  }
  return assert.fail('expected the call to fail');
}

function assertNoToken(failure: ApplicationFailure, token = TOKEN) {
  const everything = `${failure.message} ${failure.stack ?? ''} ${JSON.stringify(failure.details)}`;
  assert.ok(!everything.includes(token), 'the token leaked into the failure');
  assert.ok(!everything.includes('SECRET'), 'part of the token leaked into the failure');
}

function channelOf(fake: FakeSlackApi, id: string): FakeChannel {
  const channel = fake.channels.get(id);
  assert.ok(channel, `no channel ${id}`);
  return channel;
}

const withMetadata = (fake: FakeSlackApi, channel: string, eventType: string): FakeMessage[] =>
  fake.postedMessages(channel).filter((m) => m.metadata?.event_type === eventType);

const FAST_RETRY: SlackClientOptions = { retryConfig: { retries: 2, minTimeout: 10, maxTimeout: 20 } };

describe('Slack chat provider against a loopback Slack', () => {
  test('opens one channel per incident: name, topic, purpose, responders invited by id and by email', async (t) => {
    const fake = await startFake(t);
    const receipt = await provider(fake).openChannel(openRequest());

    const channel = fake.channelNamed(CHANNEL_NAME);
    assert.ok(channel);
    assert.equal(receipt.channel, channel.id);
    assert.equal(receipt.duplicate, false);
    assert.equal(channel.is_private, false);
    assert.equal(channel.topic.value, 'SEV-1 · investigating · IC alice');
    assert.equal(channel.purpose.value, `[incident ${INCIDENT}] Checkout errors`);
    assert.deepEqual([...channel.members].sort(), [fake.botUserId, 'UIC00001', 'UON00002'].sort());
    // The commander has a Slack id; the on-call is found by their second email; ghost is reported, not fatal.
    assert.deepEqual(
      fake.callsTo('users.lookupByEmail').map((c) => c.params.email),
      ['nobody-here@example.com', 'oncall2@example.com', 'ghost@example.com'],
    );
    assert.match(receipt.destination, new RegExp(`#${CHANNEL_NAME} \\(${channel.id}\\); not invited: ghost`));
    assert.ok(fake.calls.every((c) => c.auth === 'valid'));
  });

  test('posts Block Kit with a plain-text fallback and the step key as metadata, and pins the declaration', async (t) => {
    const fake = await startFake(t);
    const chat = provider(fake);
    const { channel } = await chat.openChannel(openRequest());

    const receipt = await chat.post({ ...ref('2-chat'), channel, message: declaration, pin: true }, 1);

    const [message, ...others] = fake.postedMessages(channel);
    assert.ok(message);
    assert.equal(others.length, 0);
    assert.equal(receipt.duplicate, false);
    assert.equal(message.pinned, true);
    assert.equal(
      message.text,
      '[SEV-1] Checkout errors has been declared.\nSeverity: SEV-1\nService: checkout &lt;prod&gt;',
    );
    assert.deepEqual(message.metadata, {
      event_type: 'incident_step',
      event_payload: { incident_id: INCIDENT, key: `incident-${INCIDENT}/2-chat` },
    });
    assert.deepEqual(message.blocks, [
      { type: 'header', text: { type: 'plain_text', text: 'Incident declared: [SEV-1] Checkout errors' } },
      { type: 'section', text: { type: 'mrkdwn', text: '[SEV-1] Checkout errors has been declared.' } },
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: '*Severity*\nSEV-1' },
          { type: 'mrkdwn', text: '*Service*\ncheckout &lt;prod&gt;' },
        ],
      },
      incidentActionsBlock(INCIDENT),
      { type: 'context', elements: [{ type: 'mrkdwn', text: `Incident ${INCIDENT} · declaration` }] },
    ]);
  });

  test('mentions resolve to Slack user ids; people Slack does not know stay readable', async (t) => {
    const fake = await startFake(t);
    const chat = provider(fake);
    const { channel } = await chat.openChannel(openRequest({ responders: [] }));

    await chat.post({ ...ref('3-chat'), channel, message: declaration, mention: ['engineering-manager', 'ghost'] }, 1);

    const [message] = fake.postedMessages(channel);
    assert.ok(message);
    assert.ok(message.text.startsWith('<@UEM00003> @ghost [SEV-1] Checkout errors'));
    const section = message.blocks?.[1] as { text: { text: string } };
    assert.ok(section.text.text.startsWith('<@UEM00003> @ghost\n'));
    assert.equal(message.pinned, false);
  });

  test('the summary is posted and pinned once, then edited in place; the topic follows', async (t) => {
    const fake = await startFake(t);
    const chat = provider(fake);
    const { channel } = await chat.openChannel(openRequest());

    const first = await chat.updateSummary(summaryRequest(channel, '4-summary', 'investigating'), 1);
    const [posted] = withMetadata(fake, channel, 'incident_summary');
    assert.ok(posted);
    assert.equal(posted.pinned, true);

    const second = await chat.updateSummary(summaryRequest(channel, '5-summary', 'mitigated'), 1);
    const summaries = withMetadata(fake, channel, 'incident_summary');
    assert.equal(summaries.length, 1);
    assert.equal(summaries[0]?.ts, posted.ts);
    assert.equal(summaries[0]?.text, 'Status: mitigated');
    assert.ok(summaries[0]?.edited);
    assert.deepEqual((summaries[0]?.blocks?.[0] as { text: unknown }).text, {
      type: 'plain_text',
      text: '[SEV-1] Checkout errors — mitigated',
    });
    assert.equal(summaries[0]?.metadata?.event_payload?.key, `incident-${INCIDENT}/5-summary`);
    assert.equal(channelOf(fake, channel).topic.value, 'SEV-1 · mitigated · IC alice');
    assert.equal(fake.callsTo('chat.postMessage').length, 1);
    assert.equal(fake.callsTo('chat.update').length, 1);
    assert.deepEqual([first.duplicate, second.duplicate], [false, false]);

    // The same step again (an activity retry) changes nothing.
    const again = await chat.updateSummary(summaryRequest(channel, '5-summary', 'mitigated'), 1);
    assert.equal(again.duplicate, true);
    assert.equal(fake.callsTo('chat.update').length, 1);
  });

  test("a fresh channel's first summary posts without reading Slack; its retry looks first and posts nothing twice", async (t) => {
    const fake = await startFake(t);
    const { channel } = await provider(fake).openChannel(openRequest());
    const reads = () => fake.callsTo('pins.list').length + fake.callsTo('conversations.history').length;
    const first = { ...summaryRequest(channel, '4-summary', 'investigating'), first: true };

    await provider(fake).updateSummary(first, 1);
    assert.equal(reads(), 0);
    assert.equal(withMetadata(fake, channel, 'incident_summary').length, 1);

    // The activity's answer was lost and it runs again on another worker: the retry finds its own post.
    await provider(fake).updateSummary(first, 2);
    assert.ok(reads() > 0);
    assert.equal(withMetadata(fake, channel, 'incident_summary').length, 1);
    assert.equal(fake.callsTo('chat.postMessage').length, 1);
  });

  test('concurrent summary updates in one worker still make one summary message', async (t) => {
    const fake = await startFake(t);
    const chat = provider(fake);
    const { channel } = await chat.openChannel(openRequest());

    await Promise.all([
      chat.updateSummary(summaryRequest(channel, '4-summary', 'investigating'), 1),
      chat.updateSummary(summaryRequest(channel, '5-summary', 'identified'), 1),
    ]);

    const summaries = withMetadata(fake, channel, 'incident_summary');
    assert.equal(summaries.length, 1);
    assert.equal(summaries[0]?.text, 'Status: identified');
  });

  test('a restarted worker finds the pinned summary and edits it, even without the channel id', async (t) => {
    const fake = await startFake(t);
    const { channel } = await provider(fake).openChannel(openRequest());
    await provider(fake).updateSummary(summaryRequest(channel, '4-summary', 'investigating'), 1);

    const restarted = provider(fake);
    await restarted.updateSummary(summaryRequest(null, '9-summary', 'resolved'), 1);

    const summaries = withMetadata(fake, channel, 'incident_summary');
    assert.equal(summaries.length, 1);
    assert.equal(summaries[0]?.text, 'Status: resolved');
    assert.equal(fake.callsTo('chat.postMessage').length, 1);
  });

  test('a summary posted just before a crash (never pinned) is found by its metadata and pinned', async (t) => {
    const fake = await startFake(t);
    const { channel } = await provider(fake).openChannel(openRequest());
    await provider(fake).updateSummary(summaryRequest(channel, '4-summary', 'investigating'), 1);
    const [posted] = withMetadata(fake, channel, 'incident_summary');
    assert.ok(posted);
    posted.pinned = false;

    await provider(fake).updateSummary(summaryRequest(channel, '4-summary', 'investigating'), 1);

    assert.equal(withMetadata(fake, channel, 'incident_summary').length, 1);
    assert.equal(posted.pinned, true);
  });

  test('a retried step is not posted twice, by the same worker or a restarted one', async (t) => {
    const fake = await startFake(t);
    const chat = provider(fake);
    const { channel } = await chat.openChannel(openRequest());
    const request = { ...ref('6-chat'), channel, message: declaration, pin: true };

    const first = await chat.post(request, 1);
    const retried = await chat.post(request, 2);
    const afterRestart = await provider(fake).post(request, 3);

    assert.equal(fake.postedMessages(channel).length, 1);
    assert.equal(fake.callsTo('chat.postMessage').length, 1);
    assert.equal(fake.callsTo('pins.add').length, 1);
    assert.deepEqual([first.duplicate, retried.duplicate, afterRestart.duplicate], [false, true, true]);
    assert.equal(retried.destination, first.destination);
  });

  test('a first attempt makes exactly one Slack call: chat.postMessage, no history read', async (t) => {
    const fake = await startFake(t);
    const chat = provider(fake);
    const { channel } = await chat.openChannel(openRequest());
    const callsBefore = fake.calls.length;

    const receipt = await chat.post({ ...ref('6-chat'), channel, message: declaration }, 1);

    assert.deepEqual(
      fake.calls.slice(callsBefore).map((c) => c.method),
      ['chat.postMessage'],
    );
    assert.equal(fake.postedMessages(channel).length, 1);
    assert.equal(receipt.duplicate, false);
  });

  test('a retried attempt after a post that landed finds it in history and does not post again', async (t) => {
    const fake = await startFake(t);
    const { channel } = await provider(fake).openChannel(openRequest());
    const request = { ...ref('6-chat'), channel, message: declaration };
    // Attempt 1: the post lands but its answer is lost, and Slack is down for the look that follows, so the
    // attempt fails although the message is in the channel.
    fake.failNext('chat.postMessage', { lose: true });
    fake.failNext('conversations.history', { status: 503, times: 3 });
    const failure = await failureOf(provider(fake, { clientOptions: FAST_RETRY }).post(request, 1));
    assert.equal(failure.nonRetryable, false);
    const [landed, ...others] = fake.postedMessages(channel);
    assert.ok(landed);
    assert.equal(others.length, 0);

    // Attempt 2, on another worker: it reads history (asking for metadata), finds the step and posts nothing.
    const callsBefore = fake.calls.length;
    const retried = await provider(fake).post(request, 2);

    const calls = fake.calls.slice(callsBefore);
    assert.deepEqual(
      calls.map((c) => c.method),
      ['conversations.history'],
    );
    assert.equal(calls[0]?.params.include_all_metadata, 'true');
    assert.equal(retried.duplicate, true);
    assert.equal(retried.destination, `#${channel} (message ${landed.ts})`);
    assert.equal(fake.postedMessages(channel).length, 1);
    assert.equal(fake.callsTo('chat.postMessage').length, 1);
  });

  test('a post whose answer was lost is not posted again', async (t) => {
    const fake = await startFake(t);
    const chat = provider(fake);
    const { channel } = await chat.openChannel(openRequest());
    fake.failNext('chat.postMessage', { lose: true });

    const receipt = await chat.post({ ...ref('7-chat'), channel, message: declaration }, 1);

    assert.equal(fake.postedMessages(channel).length, 1);
    assert.equal(fake.callsTo('chat.postMessage').length, 1);
    assert.match(receipt.destination, new RegExp(`message ${fake.postedMessages(channel)[0]?.ts}`));
  });

  test('a taken channel name gets a suffix; the incident’s own channel is reused', async (t) => {
    const fake = await startFake(t);
    fake.addChannel({ name: CHANNEL_NAME, purpose: 'someone else’s channel' });

    const opened = await provider(fake).openChannel(openRequest());
    assert.equal(channelOf(fake, opened.channel).name, `${CHANNEL_NAME}-2`);

    // A retry after a crash: the -2 channel carries this incident's marker, so it is reused, not a -3.
    const retried = await provider(fake).openChannel(openRequest());
    assert.equal(retried.channel, opened.channel);
    assert.equal(retried.duplicate, true);
    assert.equal(fake.channelNamed(`${CHANNEL_NAME}-3`), undefined);
    assert.deepEqual(
      fake.callsTo('conversations.create').map((c) => [c.params.name, c.error]),
      [
        [CHANNEL_NAME, 'name_taken'],
        [`${CHANNEL_NAME}-2`, undefined],
        [CHANNEL_NAME, 'name_taken'],
      ],
    );
  });

  test('a channel the bot created just before a crash (no purpose yet) is reused', async (t) => {
    const fake = await startFake(t);
    const orphan = fake.addChannel({ name: CHANNEL_NAME, creator: fake.botUserId });

    const opened = await provider(fake).openChannel(openRequest());

    assert.equal(opened.channel, orphan.id);
    assert.equal(orphan.purpose.value, `[incident ${INCIDENT}] Checkout errors`);
    assert.equal(fake.channels.size, 1);
  });

  test('the declaration goes out without waiting for the purpose; a retry after the purpose failed posts it once', async (t) => {
    const fake = await startFake(t);
    const first = (attempt: number) => ({ post: { ...ref('1-channel'), message: declaration, pin: true }, attempt });
    fake.failNext('conversations.setPurpose', { error: 'fatal_error' });

    await assert.rejects(provider(fake).openChannel(openRequest(), first(1)));
    const orphan = fake.channelNamed(CHANNEL_NAME);
    assert.ok(orphan);
    assert.equal(fake.postedMessages(orphan.id).length, 1, 'posted before the purpose answered');
    // Nothing but the post: a topic without the marker would hide the channel from the retry.
    assert.equal(orphan.topic.value, '');

    const retried = await provider(fake).openChannel(openRequest(), first(2));
    assert.equal(retried.channel, orphan.id);
    assert.equal(fake.channels.size, 1);
    assert.equal(orphan.purpose.value, `[incident ${INCIDENT}] Checkout errors`);
    assert.equal(fake.postedMessages(orphan.id).length, 1, 'the retry found its post');
  });

  test('security incidents get a private channel', async (t) => {
    const fake = await startFake(t);
    const { channel } = await provider(fake).openChannel(openRequest({ security: true }));
    assert.equal(channelOf(fake, channel).is_private, true);
    assert.equal(fake.callsTo('conversations.create')[0]?.params.is_private, 'true');
  });

  test('drill incidents carry a visible DRILL marker', async (t) => {
    const fake = await startFake(t);
    const chat = provider(fake);
    const { channel } = await chat.openChannel({ ...openRequest(), drill: true });
    await chat.post({ ...ref('2-chat', true), channel, message: declaration }, 1);

    const [message] = fake.postedMessages(channel);
    assert.ok(message);
    assert.ok(message.text.startsWith('[DRILL] '));
    assert.match(JSON.stringify(message.blocks?.[0]), /\[DRILL\] Incident declared/);
    assert.match(JSON.stringify(message.blocks?.at(-1)), /DRILL/);
    assert.ok(channelOf(fake, channel).topic.value.startsWith('[DRILL] '));
  });

  test('archives on close only when configured', async (t) => {
    const fake = await startFake(t);
    const { channel } = await provider(fake).openChannel(openRequest());

    const kept = await provider(fake, { archiveOnClose: false }).archive({ ...ref('8-archive'), channel });
    assert.equal(channelOf(fake, channel).is_archived, false);
    assert.equal(fake.callsTo('conversations.archive').length, 0);
    assert.match(kept.destination, /kept open/);

    const archiving = provider(fake, { archiveOnClose: true });
    const archived = await archiving.archive({ ...ref('8-archive'), channel });
    const again = await archiving.archive({ ...ref('8-archive'), channel });
    assert.equal(channelOf(fake, channel).is_archived, true);
    assert.deepEqual([archived.duplicate, again.duplicate], [false, true]);
  });

  describe('rate limits and outages', () => {
    test('429: the provider waits out Retry-After before trying again', async (t) => {
      const fake = await startFake(t);
      const chat = provider(fake);
      const { channel } = await chat.openChannel(openRequest());
      fake.failNext('chat.postMessage', { status: 429, retryAfter: 1 });

      await chat.post({ ...ref('2-chat'), channel, message: declaration }, 1);

      const [limited, accepted, ...more] = fake.callsTo('chat.postMessage');
      assert.equal(more.length, 0);
      assert.equal(limited?.status, 429);
      assert.equal(accepted?.status, 200);
      assert.ok(accepted.at - limited.at >= 1000, `retried after ${accepted.at - limited.at} ms`);
      assert.equal(fake.postedMessages(channel).length, 1);
    });

    test('429: a WebClient left to handle rate limits itself also honours Retry-After', async (t) => {
      const fake = await startFake(t);
      const client = new WebClient(TOKEN, { slackApiUrl: fake.url, retryConfig: { retries: 2, minTimeout: 10 } });
      const chat = provider(fake, { client });
      const { channel } = await chat.openChannel(openRequest());
      fake.failNext('conversations.history', { status: 429, retryAfter: 1 });

      // A retry, whose history read meets the rate limit.
      await chat.post({ ...ref('2-chat'), channel, message: declaration }, 2);

      const [limited, accepted] = fake.callsTo('conversations.history');
      assert.equal(limited?.status, 429);
      assert.ok(accepted && accepted.at - limited.at >= 1000, 'retried before Retry-After');
    });

    test('429 with a long Retry-After is handed to Temporal with nextRetryDelay, without waiting', async (t) => {
      const fake = await startFake(t);
      const chat = provider(fake);
      const { channel } = await chat.openChannel(openRequest());
      fake.failNext('conversations.history', { status: 429, retryAfter: 30 });

      const started = Date.now();
      const failure = await failureOf(chat.post({ ...ref('2-chat'), channel, message: declaration }, 2));

      assert.ok(Date.now() - started < 1000);
      assert.equal(failure.type, SlackFailureType.RateLimited);
      assert.equal(failure.nonRetryable, false);
      assert.equal(failure.nextRetryDelay, 30_000);
      assert.equal(fake.callsTo('chat.postMessage').length, 0);
    });

    test('HTTP 500 is retried, then succeeds', async (t) => {
      const fake = await startFake(t);
      const chat = provider(fake);
      fake.failNext('conversations.create', { status: 500 });

      const { channel } = await chat.openChannel(openRequest());

      assert.deepEqual(
        fake.callsTo('conversations.create').map((c) => c.status),
        [500, 200],
      );
      assert.equal(fake.channels.size, 1);
      assert.equal(channelOf(fake, channel).name, CHANNEL_NAME);
    });

    test('HTTP 500 on a post: history is checked before posting again, and one message arrives', async (t) => {
      const fake = await startFake(t);
      const chat = provider(fake);
      const { channel } = await chat.openChannel(openRequest());
      fake.failNext('chat.postMessage', { status: 500 });

      await chat.post({ ...ref('2-chat'), channel, message: declaration }, 1);

      assert.deepEqual(
        fake.calls
          .filter((c) => c.method === 'chat.postMessage' || c.method === 'conversations.history')
          .map((c) => c.method),
        ['chat.postMessage', 'conversations.history', 'chat.postMessage'],
      );
      assert.equal(fake.postedMessages(channel).length, 1);
    });

    test('a Slack outage that clears (500s, then 429s) delivers once it is over', async (t) => {
      const fake = await startFake(t);
      const chat = provider(fake);
      const { channel } = await chat.openChannel(openRequest());

      fake.outage({ status: 500, calls: 2 });
      await chat.post({ ...ref('2-chat'), channel, message: declaration }, 1);
      fake.outage({ status: 429, retryAfter: 1, calls: 2 });
      await chat.post({ ...ref('3-chat'), channel, message: summary('identified') }, 1);

      assert.equal(fake.postedMessages(channel).length, 2);
      assert.ok(fake.calls.some((c) => c.status === 500) && fake.calls.some((c) => c.status === 429));
    });

    test('an outage longer than the retry budget is a retryable failure after bounded attempts', async (t) => {
      const fake = await startFake(t);
      const chat = provider(fake, { clientOptions: FAST_RETRY });
      fake.outage({ status: 503, calls: 100 });

      const failure = await failureOf(chat.openChannel(openRequest()));

      assert.equal(failure.type, SlackFailureType.Unavailable);
      assert.equal(failure.nonRetryable, false);
      assert.equal(failure.message, 'Slack answered HTTP 503 to conversations.create');
      assert.equal(fake.callsTo('conversations.create').length, 3);
      assertNoToken(failure);
    });

    test('network errors are retried, and retryable when they persist', async (t) => {
      const fake = await startFake(t);
      const chat = provider(fake, { clientOptions: FAST_RETRY });
      fake.failNext('conversations.create', { drop: true });
      await chat.openChannel(openRequest());
      assert.equal(fake.channels.size, 1);

      const port = await closedPort();
      const unreachable = provider(fake, {
        client: createSlackClient(TOKEN, `http://127.0.0.1:${port}/api/`, FAST_RETRY),
      });
      const failure = await failureOf(unreachable.openChannel(openRequest()));
      assert.equal(failure.type, SlackFailureType.Unavailable);
      assert.equal(failure.nonRetryable, false);
      assert.match(failure.message, /^Slack could not be reached for conversations\.create/);
      assertNoToken(failure);
    });
  });

  describe('permanent errors are non-retryable, readable, and never show the token', () => {
    test('invalid_auth: the token was rejected', async (t) => {
      const fake = await startFake(t, 'xoxb-the-right-one');
      const failure = await failureOf(provider(fake).openChannel(openRequest()));

      assert.equal(failure.nonRetryable, true);
      assert.equal(failure.type, SlackFailureType.Permanent);
      assert.equal(failure.message, 'Slack rejected the token (invalid_auth): check SLACK_BOT_TOKEN');
      assert.equal(fake.callsTo('conversations.create').length, 1);
      assertNoToken(failure);
    });

    const cases: Array<{
      code: string;
      message: RegExp;
      arrange: (fake: FakeSlackApi, channel: FakeChannel) => string;
    }> = [
      {
        code: 'not_in_channel',
        message: /^The Slack app is not a member of channel C\w+, so conversations\.history failed \(not_in_channel\)$/,
        arrange: (_fake, channel) => {
          channel.members.clear();
          return channel.id;
        },
      },
      {
        code: 'channel_not_found',
        message: /^Slack channel CGONE01 was not found or is not visible to the app \(channel_not_found/,
        arrange: () => 'CGONE01',
      },
      {
        code: 'is_archived',
        message: /^Slack channel C\w+ is archived \(is_archived in chat\.postMessage\)$/,
        arrange: (_fake, channel) => {
          channel.is_archived = true;
          return channel.id;
        },
      },
      {
        code: 'account_inactive',
        message: /deactivated user or workspace \(account_inactive\)$/,
        arrange: (fake, channel) => {
          fake.failNext('conversations.history', { error: 'account_inactive' });
          return channel.id;
        },
      },
      {
        code: 'token_revoked',
        message: /^The Slack token has been revoked \(token_revoked\)$/,
        arrange: (fake, channel) => {
          fake.failNext('conversations.history', { error: 'token_revoked' });
          return channel.id;
        },
      },
      {
        code: 'missing_scope',
        message: /^The Slack app lacks the scope channels:history for conversations\.history \(missing_scope\)$/,
        arrange: (fake, channel) => {
          fake.failNext('conversations.history', { error: 'missing_scope', extra: { needed: 'channels:history' } });
          return channel.id;
        },
      },
    ];

    for (const { code, message, arrange } of cases) {
      test(code, async (t) => {
        const fake = await startFake(t);
        const chat = provider(fake);
        const opened = await chat.openChannel(openRequest());
        const target = arrange(fake, channelOf(fake, opened.channel));
        const callsBefore = fake.calls.length;

        // As a retry, so the history read that only retries make meets the refusal too.
        const failure = await failureOf(chat.post({ ...ref('2-chat'), channel: target, message: declaration }, 2));

        assert.equal(failure.nonRetryable, true);
        assert.equal(failure.type, SlackFailureType.Permanent);
        assert.match(failure.message, message);
        assertNoToken(failure);
        const failed = fake.calls.slice(callsBefore).filter((c) => c.error === code);
        assert.equal(failed.length, 1, `${code} was asked for again`);
        assert.equal(fake.postedMessages(opened.channel).length, 0);
      });
    }
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
