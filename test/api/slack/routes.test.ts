import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import {
  actionItemDoneId,
  INCIDENT_ACTIONS,
  incidentActionId,
  parseActionItemDoneId,
  parseIncidentActionId,
} from '../../../src/activities/chat/slack/actions';
import { createSlackClient } from '../../../src/activities/chat/slack/client';
import { slackChat } from '../../../src/activities/chat/slack/provider';
import { buildApp } from '../../../src/api/app';
import { TokenRegistry } from '../../../src/api/plugins/auth';
import type { SlackDeps } from '../../../src/api/slack/deps';
import { IncidentService } from '../../../src/client/service';
import { buildPolicy } from '../../../src/domain/policy';
import type { RenderedMessage } from '../../../src/domain/templates';
import { FakeSlackApi } from '../../fakes/slack-api';
import { interactionForm, slackPost, slashCommandForm } from './support';

const SECRET = 'routes-signing-secret-0123456789';

/** The app with a Temporal client that never connects: these requests are refused or answered before Temporal. */
async function startApp(t: TestContext, slack: SlackDeps | undefined): Promise<string> {
  const client = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
  const app = await buildApp({
    incidents: new IncidentService(client, { taskQueue: 'incidents', answerTimeoutMs: 500 }),
    policy: buildPolicy(),
    tokens: new TokenRegistry(new Map()),
    rateLimitPerMinute: 100_000,
    ...(slack ? { slack } : {}),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  t.after(() => app.close());
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

const help = slashCommandForm({ text: 'help', user: 'UALICE001', responseUrl: 'https://hooks.slack.com/x' });

describe('the /slack routes without Temporal', () => {
  it('answer 503, naming SLACK_SIGNING_SECRET, when no signing secret is configured', async (t) => {
    for (const slack of [undefined, { signingSecret: undefined }]) {
      const base = await startApp(t, slack);
      for (const path of ['/slack/commands', '/slack/interactions']) {
        const answer = await slackPost(base, path, help, { secret: 'whatever' });
        assert.equal(answer.status, 503);
        assert.equal(answer.body?.type, 'slack-not-configured');
        assert.match(String(answer.body?.detail), /SLACK_SIGNING_SECRET/);
      }
    }
  });

  it('verify before anything else, then take only forms; a signed oddity is a 4xx, never a 500', async (t) => {
    const base = await startApp(t, { signingSecret: SECRET });
    assert.equal((await slackPost(base, '/slack/commands', help, { secret: SECRET })).status, 200);
    // Bodiless and JSON requests without a valid signature are 401 like any other.
    assert.equal((await slackPost(base, '/slack/commands', '', { secret: 'wrong-secret' })).status, 401);
    const json = await slackPost(base, '/slack/commands', '{"text":"help"}', {
      secret: SECRET,
      contentType: 'application/json',
    });
    assert.equal(json.status, 415, 'signed, but not what Slack sends');
    const empty = await slackPost(base, '/slack/commands', '', { secret: SECRET });
    assert.equal(empty.status, 400);
    const ssl = await slackPost(base, '/slack/commands', 'ssl_check=1&token=x', { secret: SECRET });
    assert.deepEqual([ssl.status, ssl.text], [200, '']);
    const broken = await slackPost(base, '/slack/interactions', 'payload=%7Bnot-json', { secret: SECRET });
    assert.equal(broken.status, 400);
    const closed = interactionForm({ type: 'view_closed', user: { id: 'UALICE001' } });
    const ignored = await slackPost(base, '/slack/interactions', closed, { secret: SECRET });
    assert.deepEqual([ignored.status, ignored.text], [200, '']);
    const badUser = interactionForm({ type: 'block_actions', user: { id: '../x' }, trigger_id: 't', actions: [] });
    assert.equal((await slackPost(base, '/slack/interactions', badUser, { secret: SECRET })).status, 400);
  });
});

describe('the buttons on the incident messages', () => {
  const incidentId = '20250314-k3f9';
  const rendered = (kind: RenderedMessage['kind'], status: string): RenderedMessage => ({
    kind,
    subject: `[SEV-1] Checkout errors — ${status}`,
    text: `Status: ${status}`,
    fields: [{ label: 'Status', value: status }],
  });

  it('action ids carry the incident id and read back', () => {
    for (const action of INCIDENT_ACTIONS) {
      assert.deepEqual(parseIncidentActionId(incidentActionId(action, incidentId)), { action, incidentId });
    }
    assert.equal(parseIncidentActionId('incident-delete:20250314-k3f9'), undefined);
    assert.equal(parseIncidentActionId('incident-ack:../x'), undefined);
  });

  it('the declaration and the pinned summary carry the incident buttons, Rollback behind a confirmation', async (t) => {
    const fake = await FakeSlackApi.start({ token: 'xoxb-buttons' });
    t.after(() => fake.close());
    const chat = slackChat({
      client: createSlackClient('xoxb-buttons', fake.url),
      contacts: {},
      archiveOnClose: false,
    });
    const channel = fake.addChannel({ name: 'inc-20250314-k3f9-checkout' }).id;
    const ref = (step: string) => ({ incidentId, key: `incident-${incidentId}/${step}`, drill: false, channel });
    await chat.post({ ...ref('1'), message: rendered('declaration', 'declared'), pin: true }, 1);
    await chat.post({ ...ref('2'), message: rendered('note', 'declared') }, 1);
    await chat.updateSummary({ ...ref('3'), summary: rendered('summary', 'investigating'), topic: 'SEV-1' }, 1);

    const buttonsOf = (blocks: unknown[] | undefined) =>
      (blocks ?? [])
        .filter(
          (block): block is { type: 'actions'; elements: Array<{ action_id: string; text: { text: string } }> } =>
            (block as { type: string }).type === 'actions',
        )
        .flatMap((block) => block.elements.map((e) => `${e.text.text}=${e.action_id}`));
    const expected = [
      `Acknowledge=incident-ack:${incidentId}`,
      `Take command=incident-take-command:${incidentId}`,
      `Post update=incident-post-update:${incidentId}`,
      `Run diagnostics=incident-diagnose:${incidentId}`,
      `Run action=incident-run-action:${incidentId}`,
      `Rollback=incident-rollback:${incidentId}`,
      `Page=incident-page:${incidentId}`,
      `Resolve=incident-resolve:${incidentId}`,
    ];
    const [declaration, note, summary] = fake.postedMessages(channel);
    assert.deepEqual(buttonsOf(declaration?.blocks), expected);
    assert.deepEqual(buttonsOf(note?.blocks), [], 'other messages carry no buttons');
    assert.deepEqual(buttonsOf(summary?.blocks), expected);
    const actions = declaration?.blocks?.find((b) => (b as { type: string }).type === 'actions');
    const confirmed = (actions as { elements: Array<{ action_id: string; confirm?: unknown }> }).elements
      .filter((element) => element.confirm !== undefined)
      .map((element) => element.action_id);
    // Rollback changes production at once; Resolve, Run action and Page open a form first.
    assert.deepEqual(confirmed, [`incident-rollback:${incidentId}`]);

    // Once resolved, the summary drops them: every one would only be refused.
    await chat.updateSummary({ ...ref('4'), summary: rendered('summary', 'resolved'), topic: 'SEV-1' }, 1);
    assert.deepEqual(buttonsOf(fake.postedMessages(channel)[2]?.blocks), []);
  });

  it('an action item reminder carries Mark done, whose id reads back and is never an incident action', async (t) => {
    const id = actionItemDoneId(incidentId, 'a12');
    assert.deepEqual(parseActionItemDoneId(id), { incidentId, itemId: 'a12' });
    assert.equal(parseIncidentActionId(id), undefined);
    assert.equal(parseActionItemDoneId(incidentActionId('ack', incidentId)), undefined);
    assert.equal(parseActionItemDoneId(`action-item-done:${incidentId}:x1`), undefined);

    const fake = await FakeSlackApi.start({ token: 'xoxb-items' });
    t.after(() => fake.close());
    const chat = slackChat({ client: createSlackClient('xoxb-items', fake.url), contacts: {}, archiveOnClose: false });
    const channel = fake.addChannel({ name: 'inc-20250314-k3f9-items' }).id;
    const ref = { incidentId, key: `postmortem-${incidentId}/a3-reminder-chat`, drill: false, channel };
    await chat.post({ ...ref, message: rendered('note', 'reminder: action item a3'), actionItem: 'a3' }, 1);
    const [reminder] = fake.postedMessages(channel);
    const actions = reminder?.blocks?.filter((block) => (block as { type: string }).type === 'actions');
    assert.deepEqual(
      actions?.flatMap((block) =>
        (block as { elements: Array<{ action_id: string }> }).elements.map((e) => e.action_id),
      ),
      [actionItemDoneId(incidentId, 'a3')],
    );
  });
});
