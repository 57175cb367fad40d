import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { openChannelWithPosts } from '../../../src/activities/chat/opening';
import { createSlackClient } from '../../../src/activities/chat/slack/client';
import { slackChat } from '../../../src/activities/chat/slack/provider';
import type { OpenChannelRequest } from '../../../src/activities/types';
import { packMessage } from '../../../src/domain/packed-message';
import { buildPolicy } from '../../../src/domain/policy';
import type { RenderedMessage } from '../../../src/domain/templates';
import { FakeSlackApi } from '../../fakes/slack-api';

const TOKEN = 'xoxb-1111-2222-opening';
const INCIDENT = '20261202-op3n';
const key = (step: string) => `incident-${INCIDENT}/${step}`;
const note = (text: string): RenderedMessage => ({ kind: 'note', subject: text, text, fields: [] });

const request: OpenChannelRequest = {
  incidentId: INCIDENT,
  key: key('1-channel'),
  drill: false,
  title: 'Checkout errors',
  severity: 'SEV-1',
  security: false,
  topic: 'SEV-1 · declared · IC: alice · checkout',
  responders: [],
  declaration: {
    key: key('2-chat'),
    message: packMessage({
      kind: 'declaration',
      subject: 'Incident declared: [SEV-1] Checkout errors',
      text: '[SEV-1] Checkout errors has been declared.\nSeverity: SEV-1',
      fields: [{ label: 'Severity', value: 'SEV-1' }],
    }),
  },
  summary: { key: key('5-summary'), summary: packMessage(note('Status: declared')) },
  posts: [
    { key: key('3-chat'), message: packMessage(note('data loss checklist')) },
    { key: key('4-chat'), message: packMessage(note('needs a Communications Lead')), mention: ['bob'] },
  ],
};

async function startFake(t: TestContext): Promise<FakeSlackApi> {
  const fake = await FakeSlackApi.start({ token: TOKEN, users: [{ id: 'UB0B', name: 'bob', email: 'b@example.com' }] });
  t.after(() => fake.close());
  return fake;
}

const chatOn = (fake: FakeSlackApi) =>
  slackChat({ client: createSlackClient(TOKEN, fake.url), contacts: {}, archiveOnClose: false });
const policy = buildPolicy({});
const texts = (fake: FakeSlackApi, channel: string) => fake.postedMessages(channel).map((m) => m.text.split('\n')[0]);
const pinnedTexts = (fake: FakeSlackApi, channel: string) =>
  fake
    .postedMessages(channel)
    .filter((m) => m.pinned)
    .map((m) => m.text.split('\n')[0]);
const DECLARED = '[SEV-1] Checkout errors has been declared.';
const IN_ORDER = [DECLARED, 'data loss checklist', '@bob needs a Communications Lead'];

describe('opening an incident channel with what the incident said before it existed', () => {
  test('one attempt posts the declaration, then the posts in order, and pins the summary, reading nothing', async (t) => {
    const fake = await startFake(t);
    const receipt = await openChannelWithPosts(chatOn(fake), policy, request, 1);

    const posted = texts(fake, receipt.channel);
    // The summary goes beside the posts, so only its presence is fixed, not its place among them.
    assert.deepEqual(
      posted.filter((text) => text !== 'Status: declared'),
      IN_ORDER,
    );
    assert.deepEqual(pinnedTexts(fake, receipt.channel).sort(), [DECLARED, 'Status: declared'].sort());
    assert.equal(fake.callsTo('conversations.history').length + fake.callsTo('pins.list').length, 0);
    assert.equal(receipt.posts?.length, 2);
    assert.ok(receipt.summary && receipt.declaration);
    assert.deepEqual(
      [receipt, receipt.summary, receipt.declaration, ...receipt.posts].map((r) => 'duplicate' in r && r.duplicate),
      [false, false, false, false, false],
    );
  });

  test('a retry after an attempt that stopped half way posts only what is missing', async (t) => {
    const fake = await startFake(t);
    // Attempt 1 dies (a worker crash) after the channel, the declaration and the first post.
    const { channel } = await openChannelWithPosts(
      chatOn(fake),
      policy,
      { ...request, summary: undefined, posts: request.posts?.slice(0, 1) },
      1,
    );

    // Attempt 2, on another worker: the channel is found again, and each message is there once.
    const retried = await openChannelWithPosts(chatOn(fake), policy, request, 2);
    assert.equal(retried.channel, channel);
    assert.equal(retried.duplicate, true, 'the channel was reused');
    assert.deepEqual(
      texts(fake, channel).filter((text) => text !== 'Status: declared'),
      IN_ORDER,
    );
    assert.deepEqual(pinnedTexts(fake, channel).sort(), [DECLARED, 'Status: declared'].sort());
    assert.deepEqual(
      [retried.declaration, ...(retried.posts ?? []), retried.summary].map((r) => r && 'duplicate' in r && r.duplicate),
      [true, true, false, false],
    );
  });

  test('a message Slack refuses for good is reported failed; the channel opens and the next post still goes', async (t) => {
    const fake = await startFake(t);
    fake.failNext('chat.postMessage', { error: 'msg_too_long' });
    const receipt = await openChannelWithPosts(
      chatOn(fake),
      policy,
      { ...request, declaration: undefined, summary: undefined },
      1,
    );

    assert.deepEqual(receipt.posts?.[0], { failed: 'Slack refused chat.postMessage (msg_too_long)' });
    assert.deepEqual(texts(fake, receipt.channel), ['@bob needs a Communications Lead']);
  });
});
