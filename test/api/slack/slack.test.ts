import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { actionItemDoneId, incidentActionId } from '../../../src/activities/chat/slack/actions';
import { keyedIncidentId } from '../../../src/api/idempotency';
import { DECLARE_CALLBACK, STATUS_UPDATE_CALLBACK } from '../../../src/api/slack/modals';
import { RESOLVE_CALLBACK } from '../../../src/api/slack/response-modals';
import type { IncidentService } from '../../../src/client/service';
import { incidentWorkflowId } from '../../../src/workflows/definitions';
import type { FakeSlackApi } from '../../fakes/slack-api';
import { createDevServerEnv } from '../../support/temporal';
import { startHealthServer, type FakeHealthServer } from '../../fakes/health-server';
import { startHarness, TEST_POLICY, type Harness } from '../../workflows/harness';
import {
  buttonClick,
  newTrigger,
  slackPost,
  slashCommandForm,
  startSlackApp,
  viewSubmission,
  waitUntil,
  type ResponseUrls,
  type SignOptions,
  type SlackApp,
} from './support';

const SECRET = 'test-signing-secret-0123456789abcdef';
/** Nothing listens on port 1. */
const DEAD_PREFIX = 'http://127.0.0.1:1/';

/** Alice is known by her Slack id, Bob by his email (users.info), Carol not at all. */
const ALICE = 'UALICE001';
const BOB = 'UBOB00002';
const CAROL = 'UCAROL003';
const POLICY = {
  contacts: {
    alice: { name: 'Alice Nguyen', slackUserId: ALICE },
    bob: { name: 'Bob Stone', email: ['Bob@Example.com'] },
    stakeholders: { email: ['stakeholders@example.com'] },
  },
};

describe('the Slack app end to end: dev server, worker, loopback Slack and response_url', () => {
  let env: TestWorkflowEnvironment;
  let harness: Harness;
  let slack: FakeSlackApi;
  let responses: ResponseUrls;
  let started: SlackApp;
  let base: string;
  let incidents: IncidentService;
  let service: FakeHealthServer;

  const post = (path: string, body: string, options: Partial<SignOptions> = {}) =>
    slackPost(base, path, body, { secret: SECRET, ...options });
  const command = (user: string, text: string, responseUrl = responses.next(), trigger = newTrigger()) =>
    post('/slack/commands', slashCommandForm({ text, user, responseUrl, trigger }));
  /** Commands an incident took: each is one accepted update in its history (the declaration is the first). */
  const updatesTaken = async (id: string) =>
    ((await env.client.workflow.getHandle(incidentWorkflowId(id)).fetchHistory()).events ?? []).filter(
      (event) => event.workflowExecutionUpdateAcceptedEventAttributes,
    ).length;
  /** Incidents Visibility lists, once it has caught up (it lags the starts by a moment). */
  const workflowCount = async () => {
    let last = -1;
    for (;;) {
      const { count } = await env.client.workflow.count();
      if (count === last) return count;
      last = count;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  };
  const timeline = async (id: string) => (await incidents.show(id)).timeline;

  /** Declares through the slash command and answers the new incident's id. */
  async function declareFromSlack(title: string, user = ALICE): Promise<string> {
    const url = responses.next();
    const answer = await command(user, `declare SEV-2 ${title}`, url);
    assert.equal(answer.status, 200);
    const [outcome] = await responses.waitFor(url);
    const id = /incident `([a-z0-9-]+)`/.exec(outcome?.text ?? '')?.[1];
    assert.ok(id, `no incident id in ${outcome?.text}`);
    return id;
  }

  before(async () => {
    env = await createDevServerEnv();
    // A slash-command declaration names no service ('unspecified'); it answers its default checks (/health, /alive),
    // so the Resolve button's resolution is verified.
    service = await startHealthServer({ '/health': { mode: 'healthy' }, '/alive': { mode: 'healthy' } });
    harness = await startHarness(env, {
      policy: { ...TEST_POLICY, services: { unspecified: { baseUrl: service.url } } },
    });
    started = await startSlackApp({
      env,
      taskQueue: harness.taskQueue,
      policy: POLICY,
      signingSecret: SECRET,
      extraPrefixes: [DEAD_PREFIX],
      users: [
        { id: ALICE, name: 'alice', email: 'alice@example.com', realName: 'Alice N.' },
        { id: BOB, name: 'bob', email: 'bob@example.com', realName: 'Robert Stone' },
        { id: CAROL, name: 'carol', email: 'carol@example.com', realName: 'Carol Diaz' },
      ],
    });
    ({ slack, responses, base, incidents } = started);
  });
  after(async () => {
    await started?.close();
    await harness?.stop();
    await env?.teardown();
    await service?.close();
  });

  it('refuses a tampered body, a wrong secret, a stale timestamp and a missing signature with 401; nothing changes', async () => {
    const id = await declareFromSlack('Reference incident for refused requests');
    const updates = await updatesTaken(id);
    const workflows = await workflowCount();
    const url = responses.next();
    const ack = slashCommandForm({ text: `ack ${id}`, user: ALICE, responseUrl: url });
    const forgedTrigger = newTrigger();
    const declare = slashCommandForm({
      text: 'declare SEV-1 Forged',
      user: ALICE,
      responseUrl: url,
      trigger: forgedTrigger,
    });
    // Ten minutes off either way: requests sent seconds after `now` (a loaded machine) are still outside the 5-minute window.
    const now = Math.floor(Date.now() / 1000);
    const refused = [
      await post('/slack/commands', ack, { tamperedBody: ack.replace(ALICE, CAROL) }),
      await post('/slack/commands', declare, { tamperedBody: declare.replace('SEV-1', 'SEV-2') }),
      await post('/slack/commands', ack, { secret: 'another-apps-signing-secret' }),
      await post('/slack/commands', ack, { timestamp: now - 600 }),
      await post('/slack/commands', ack, { timestamp: now + 600 }),
      await post('/slack/commands', ack, { omitSignature: true }),
      await post('/slack/commands', '{"text":"ack"}', { omitSignature: true, contentType: 'application/json' }),
      await post(
        '/slack/interactions',
        buttonClick({ actionId: incidentActionId('ack', id), user: ALICE, responseUrl: url }),
        {
          secret: 'another-apps-signing-secret',
        },
      ),
    ];
    for (const answer of refused) {
      assert.equal(answer.status, 401, answer.text);
      assert.equal(answer.body?.type, 'invalid-slack-signature');
    }
    // Give any stray background work the time it would have needed.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal(await updatesTaken(id), updates, 'the incident took no command');
    assert.equal(await workflowCount(), workflows, 'no new incident');
    assert.equal(await incidents.exists(keyedIncidentId('slack:T0TEAM001', forgedTrigger, new Date())), false);
    assert.deepEqual(responses.posts(url), [], 'nothing was answered to the response_url');
    assert.equal((await incidents.show(id)).status, 'declared');
  });

  it('/incident help answers at once, in the HTTP response', async () => {
    const answer = await command(ALICE, 'help');
    assert.equal(answer.status, 200);
    assert.equal(answer.body?.response_type, 'ephemeral');
    assert.match(String(answer.body?.text), /\/incident declare SEV-2/);
    const unknown = await command(ALICE, 'escalate now');
    assert.match(String(unknown.body?.text), /Unknown command `escalate`/);
  });

  it('/incident declare SEV-n <title> answers at once and posts the declared incident to response_url; a retry declares nothing new', async () => {
    const url = responses.next();
    const trigger = newTrigger();
    const body = slashCommandForm({
      text: 'declare sev1 Checkout returns 500s',
      user: ALICE,
      responseUrl: url,
      trigger,
    });
    const started = Date.now();
    const answer = await post('/slack/commands', body);
    assert.ok(Date.now() - started < 3_000, 'answered within Slack’s three seconds');
    assert.equal(answer.status, 200);
    assert.match(String(answer.body?.text), /Declaring SEV-1: Checkout returns 500s/);
    const [outcome] = await responses.waitFor(url);
    assert.equal(outcome?.response_type, 'in_channel');
    assert.match(String(outcome?.text), /Alice Nguyen declared \*Checkout returns 500s\* \(SEV-1\)/);
    const id = /incident `([a-z0-9-]+)`/.exec(String(outcome?.text))?.[1] ?? '';
    const view = await incidents.show(id);
    assert.equal(view.source, 'slack');
    assert.equal(view.timeline.find((e) => e.type === 'declared')?.actor, 'alice', 'recorded as the contact');
    // The outcome carries the buttons, with the incident id in each action id.
    assert.match(JSON.stringify(outcome?.blocks), new RegExp(`incident-ack:${id}`));

    // Slack sends the same request again (a new signature, the same trigger id): the same incident answers.
    const workflows = await workflowCount();
    const again = await post('/slack/commands', body, { retry: 1 });
    assert.equal(again.status, 200);
    const [, retried] = await responses.waitFor(url, 2);
    assert.match(String(retried?.text), new RegExp(`incident \`${id}\``));
    assert.equal(await workflowCount(), workflows);

    const bad = await command(ALICE, 'declare SEV-9 Nope');
    assert.match(String(bad.body?.text), /Cannot declare: severity/);
  });

  it('/incident declare without arguments opens a modal; field errors answer in the errors shape, a valid one declares', async () => {
    const url = responses.next();
    const trigger = newTrigger();
    assert.equal((await command(BOB, 'declare', url, trigger)).status, 200);
    const opened = await waitForView(trigger);
    assert.equal(opened.view.callback_id, DECLARE_CALLBACK);
    // The policy's severity definitions (here runbooks 001 and 003's defaults), within Block Kit's limits.
    const blocks = opened.view.blocks as Array<{ block_id?: string; element?: { options?: unknown[] } }>;
    const options = blocks.find((b) => b.block_id === 'severity')?.element?.options as
      Array<{ value: string; description?: { text: string } }> | undefined;
    const sev1 = options?.find((o) => o.value === 'SEV-1')?.description?.text ?? '';
    assert.match(sev1, /^Complete outage, data loss or corruption/);
    assert.equal(Array.from(sev1).length, 75, 'an option description holds at most 75 characters');
    assert.match(
      JSON.stringify(blocks.find((b) => b.block_id === 'severity_guide')),
      /SEV-2: Major feature unavailable or significant degradation\. E\.g\. AI features down; Auth not working/,
    );
    const metadata = String(opened.view.private_metadata);
    const modal = { id: opened.id, callback_id: DECLARE_CALLBACK, private_metadata: metadata };

    const invalid = await post(
      '/slack/interactions',
      viewSubmission({
        user: BOB,
        view: modal,
        values: {
          title: 'Payments ../../etc',
          severity: { selected: 'SEV-3' },
          service: 'Payments API',
          summary: null,
        },
      }),
    );
    assert.equal(invalid.status, 200);
    assert.equal(invalid.body?.response_action, 'errors');
    assert.deepEqual(Object.keys(invalid.body?.errors ?? {}).sort(), ['service', 'title']);
    assert.match(String(invalid.body?.errors?.title), /\.\.\//);

    const valid = await post(
      '/slack/interactions',
      viewSubmission({
        user: BOB,
        view: modal,
        values: {
          title: 'Payments time out',
          severity: { selected: 'SEV-3' },
          service: 'payments',
          summary: 'p99 at 8s',
        },
      }),
    );
    assert.equal(valid.status, 200);
    assert.equal(valid.text, '', 'an empty answer closes the modal');
    const [outcome] = await responses.waitFor(url);
    // Bob is mapped by his email (users.info), and shown by the contact's name.
    assert.match(String(outcome?.text), /Bob Stone declared \*Payments time out\* \(SEV-3\)/);
    const id = /incident `([a-z0-9-]+)`/.exec(String(outcome?.text))?.[1] ?? '';
    const view = await incidents.show(id);
    assert.equal(view.service, 'payments');
    assert.equal(view.timeline.find((e) => e.type === 'declared')?.actor, 'bob');
    assert.ok(slack.callsTo('users.info').some((call) => call.params.user === BOB));
  });

  it('/incident ack and /incident status answer at once, then post the outcome and the state to response_url', async () => {
    const id = await declareFromSlack('Search is slow');
    const url = responses.next();
    const answer = await command(BOB, `ack ${id}`, url);
    assert.match(String(answer.body?.text), new RegExp(`Acknowledging ${id}`));
    const [acked] = await responses.waitFor(url);
    assert.match(String(acked?.text), new RegExp(`Acknowledged \`${id}\` as Bob Stone\\. Status: acknowledged`));
    assert.equal(acked?.response_type, 'ephemeral');
    assert.equal((await timeline(id)).find((e) => e.type === 'acknowledged')?.actor, 'bob');

    const statusUrl = responses.next();
    const status = await command(CAROL, `status ${id}`, statusUrl);
    assert.equal(status.status, 200);
    assert.equal(status.text, '');
    const [state] = await responses.waitFor(statusUrl);
    assert.match(String(state?.text), /\*\[SEV-2\] Search is slow\*/);
    assert.match(String(state?.text), /Status: \*acknowledged\*/);

    const missing = await command(ALICE, 'ack');
    assert.match(String(missing.body?.text), /takes an incident id/);
  });

  it('/incident update opens the update modal; a bad field is answered on the modal, a good one posts the update', async () => {
    const id = await declareFromSlack('Login errors');
    const url = responses.next();
    const trigger = newTrigger();
    await command(ALICE, `update ${id}`, url, trigger);
    const opened = await waitForView(trigger);
    assert.equal(opened.view.callback_id, STATUS_UPDATE_CALLBACK);
    const modal = {
      id: opened.id,
      callback_id: STATUS_UPDATE_CALLBACK,
      private_metadata: String(opened.view.private_metadata),
    };
    const values = { impact: 'Logins fail for 5% of users', hypothesis: 'A bad deploy of auth', public_text: null };

    const invalid = await post(
      '/slack/interactions',
      viewSubmission({ user: ALICE, view: modal, values: { ...values, next_update: '5' } }),
    );
    assert.equal(invalid.body?.response_action, 'errors');
    assert.deepEqual(Object.keys(invalid.body?.errors ?? {}), ['next_update']);

    const valid = await post(
      '/slack/interactions',
      viewSubmission({
        user: ALICE,
        view: modal,
        values: { ...values, next_update: '20m', public_text: 'Some logins fail.' },
      }),
    );
    assert.equal(valid.text, '');
    const [outcome] = await responses.waitFor(url);
    assert.match(String(outcome?.text), new RegExp(`Posted a status update to \`${id}\` as Alice Nguyen`));
    const view = await incidents.show(id);
    assert.equal(view.statusUpdates.at(-1)?.by, 'alice');
    assert.equal(view.statusUpdates.at(-1)?.impact, 'Logins fail for 5% of users');
    assert.equal(view.publicUpdates.at(-1)?.message, 'Some logins fail.');
  });

  it('the buttons: Acknowledge, Take command (an unmapped user), Post update, Run diagnostics and Resolve', async () => {
    const id = await declareFromSlack('Cart is empty');
    const click = async (
      action: 'ack' | 'take-command' | 'post-update' | 'diagnose' | 'resolve',
      user: string,
      url = responses.next(),
    ) => {
      const answer = await post(
        '/slack/interactions',
        buttonClick({ actionId: incidentActionId(action, id), user, responseUrl: url }),
      );
      assert.equal(answer.status, 200);
      assert.equal(answer.text, '', 'a click is answered with an empty 200');
      return url;
    };

    const [acked] = await responses.waitFor(await click('ack', ALICE));
    assert.match(String(acked?.text), /Acknowledged .* as Alice Nguyen/);

    // Carol is in no contact: recorded as slack-<id>, shown by her Slack name.
    const [took] = await responses.waitFor(await click('take-command', CAROL));
    assert.match(String(took?.text), new RegExp(`Took command of \`${id}\` as Carol Diaz`));
    assert.equal((await incidents.show(id)).roles.commander, `slack:${CAROL}`);

    const views = slack.views.length;
    await click('post-update', BOB);
    await waitUntil(() => slack.views.length > views);
    const opened = slack.views.at(-1);
    assert.equal(opened?.view.callback_id, STATUS_UPDATE_CALLBACK);
    assert.match(String(opened?.view.private_metadata), new RegExp(id));

    // Diagnostics on demand, as Bob: the answer carries the summary; the timeline names who asked.
    const [collecting, diagnosed] = await responses.waitFor(await click('diagnose', BOB), 2);
    assert.match(String(collecting?.text), /Running the diagnostics/);
    assert.match(String(diagnosed?.text), new RegExp(`Ran the diagnostics of \`${id}\` as Bob Stone\\. Status: `));
    assert.match(String(diagnosed?.text), /\nno diagnostics configured for unspecified/, 'the summary follows');
    assert.ok((await timeline(id)).some((e) => e.type === 'diagnostics' && e.actor === 'bob'));

    // Resolving is the Incident Commander's (policy roles, by default); the button opens the Resolve form.
    const before = slack.views.length;
    const resolveUrl = await click('resolve', CAROL);
    await waitUntil(() => slack.views.length > before);
    const form = slack.views.at(-1);
    assert.equal(form?.view.callback_id, RESOLVE_CALLBACK);
    const submitted = await post(
      '/slack/interactions',
      viewSubmission({
        user: CAROL,
        view: {
          id: form?.id ?? '',
          callback_id: RESOLVE_CALLBACK,
          private_metadata: String(form?.view.private_metadata),
        },
        values: { summary: 'Cart service restarted', unverified: null, reason: null },
      }),
    );
    assert.equal(submitted.text, '', 'an empty answer closes the modal');
    const [working, resolved] = await responses.waitFor(resolveUrl, 2);
    assert.match(String(working?.text), /Running the verification/);
    assert.match(String(resolved?.text), new RegExp(`Resolved \`${id}\` as Carol Diaz\\. Status: resolved`));
    const view = await incidents.show(id);
    assert.equal(view.status, 'resolved');
    assert.equal(view.resolutionSummary, 'Cart service restarted');
  });

  it('a refusal arrives at response_url with its reason: ack on a closed incident', async () => {
    const id = await declareFromSlack('Already over');
    await incidents.command('acknowledge', id, { by: 'alice' });
    await incidents.command('resolve', id, { by: 'alice' });
    await incidents.command('close', id, { by: 'alice' });
    const url = responses.next();
    await command(ALICE, `ack ${id}`, url);
    const [refusal] = await responses.waitFor(url);
    assert.match(
      String(refusal?.text),
      // The workflow refuses while it finishes its closing steps; once it has ended, the service says Closed.
      new RegExp(`Could not acknowledge \`${id}\` \\((IllegalTransition|Closed)\\): .*incident ${id}.* closed`),
    );
    assert.equal(refusal?.response_type, 'ephemeral');

    const clickUrl = responses.next();
    await post(
      '/slack/interactions',
      buttonClick({ actionId: incidentActionId('take-command', id), user: BOB, responseUrl: clickUrl }),
    );
    const [clicked] = await responses.waitFor(clickUrl);
    assert.match(String(clicked?.text), /Could not take command of .*\((IllegalTransition|Closed)\).*closed/);
  });

  it('action items: /incident actions lists them with Mark done buttons; a signed click closes one, once', async () => {
    const id = await declareFromSlack('Search returns nothing');
    await incidents.command('acknowledge', id, { by: 'alice' });
    await incidents.command('assignRole', id, { role: 'commander', user: 'alice', by: 'alice' });
    await incidents.command('resolve', id, { by: 'alice' });
    const postmortems = incidents.postmortems();
    // The resolution starts the postmortem workflow in the background: poll until it answers.
    const deadline = Date.now() + 30_000;
    while (
      !(await postmortems.show(id).then(
        () => true,
        () => false,
      ))
    ) {
      assert.ok(Date.now() < deadline, 'the postmortem workflow never started');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const due = new Date(Date.now() + 7 * 86_400_000).toISOString();
    await postmortems.addActionItem(id, {
      title: 'Alert on empty results',
      owner: 'bob',
      due,
      kind: 'detect',
      by: 'alice',
    });
    await postmortems.addActionItem(id, {
      title: 'Reindex runbook',
      owner: 'alice',
      due,
      kind: 'runbook-update',
      by: 'alice',
    });

    const buttonsIn = (reply: { blocks?: unknown[] } | undefined) =>
      (reply?.blocks ?? []).flatMap((block) => {
        const accessory = (block as { accessory?: { action_id: string } }).accessory;
        return accessory ? [accessory.action_id] : [];
      });
    const listUrl = responses.next();
    assert.equal((await command(ALICE, `actions ${id}`, listUrl)).status, 200);
    const [list] = await responses.waitFor(listUrl);
    assert.match(String(list?.text), /\*a1\* Alert on empty results · detect · owner bob/);
    assert.deepEqual(buttonsIn(list), [actionItemDoneId(id, 'a1'), actionItemDoneId(id, 'a2')]);

    // The same signature check as every interaction: a forged click is refused and closes nothing.
    const doneUrl = responses.next();
    const click = buttonClick({ actionId: actionItemDoneId(id, 'a1'), user: BOB, responseUrl: doneUrl });
    assert.equal((await post('/slack/interactions', click, { secret: 'not-the-signing-secret' })).status, 401);
    assert.equal((await post('/slack/interactions', click, { tamperedBody: click.replace('a1', 'a2') })).status, 401);
    assert.deepEqual(
      (await postmortems.actionItems(id)).map((item) => item.status),
      ['open', 'open'],
    );

    const answer = await post('/slack/interactions', click);
    assert.equal(answer.status, 200);
    assert.equal(answer.text, '', 'a click is answered with an empty 200');
    const [marked] = await responses.waitFor(doneUrl);
    assert.match(
      String(marked?.text),
      new RegExp(`Marked action item a1 \\(Alert on empty results\\) of \`${id}\` done as Bob Stone`),
    );
    const [a1, a2] = await postmortems.actionItems(id);
    assert.equal(a1?.status, 'done');
    assert.equal(a1?.closedBy, 'bob', 'closed as the policy contact the Slack user maps to');
    assert.equal(a2?.status, 'open');

    // Slack's retry of that request answers the first outcome again; it closes nothing twice.
    assert.equal((await post('/slack/interactions', click, { retry: 1 })).status, 200);
    const [, retried] = await responses.waitFor(doneUrl, 2);
    assert.match(String(retried?.text), /Marked action item a1/);
    const closed = (await postmortems.show(id)).events.filter((event) => event.type === 'action-closed');
    assert.equal(closed.length, 1);

    // A new click on the same button is refused with the postmortem's reason.
    const againUrl = responses.next();
    await post(
      '/slack/interactions',
      buttonClick({ actionId: actionItemDoneId(id, 'a1'), user: ALICE, responseUrl: againUrl }),
    );
    const [refusal] = await responses.waitFor(againUrl);
    assert.match(String(refusal?.text), /Could not mark action item a1 done on `[a-z0-9-]+`.*a1 is already done/);

    const relistUrl = responses.next();
    await command(ALICE, `actions ${id}`, relistUrl);
    const [relist] = await responses.waitFor(relistUrl);
    assert.match(String(relist?.text), /\*a1\* Alert on empty results .* · done/);
    assert.deepEqual(buttonsIn(relist), [actionItemDoneId(id, 'a2')], 'only the open item keeps its button');
  });

  it('an outcome whose response_url fails goes to chat.postEphemeral', async () => {
    const channel = slack.addChannel({ name: 'inc-fallback' });
    channel.members.add(ALICE);
    // A response_url nobody answers at, and one under no configured prefix (never fetched).
    const dead = `${DEAD_PREFIX}hooks/none`;
    const answer = await post(
      '/slack/commands',
      slashCommandForm({ text: 'status nosuch-incident', user: ALICE, responseUrl: dead }).replace(
        'channel_id=C0GENERAL',
        `channel_id=${channel.id}`,
      ),
    );
    assert.equal(answer.status, 200);
    await waitUntil(() => slack.ephemerals.length > 0);
    assert.equal(slack.ephemerals[0]?.user, ALICE);
    assert.equal(slack.ephemerals[0]?.channel, channel.id);
    assert.match(String(slack.ephemerals[0]?.text), /Could not show `nosuch-incident`/);

    await post(
      '/slack/commands',
      slashCommandForm({
        text: 'status other-incident',
        user: ALICE,
        responseUrl: 'https://elsewhere.example/hook',
      }).replace('channel_id=C0GENERAL', `channel_id=${channel.id}`),
    );
    await waitUntil(() => slack.ephemerals.length > 1);
    assert.match(String(slack.ephemerals[1]?.text), /Could not show `other-incident`/);
  });

  async function waitForView(trigger: string) {
    await waitUntil(() => slack.views.some((v) => v.triggerId === trigger));
    const opened = slack.views.find((v) => v.triggerId === trigger);
    assert.ok(opened);
    return opened;
  }
});
