import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { incidentActionId, type IncidentAction } from '../../../src/activities/chat/slack/actions';
import { PAGE_CALLBACK, RESOLVE_CALLBACK, RUN_ACTION_CALLBACK } from '../../../src/api/slack/response-modals';
import { stateQuery } from '../../../src/workflows/definitions';
import { startHealthServer, type FakeHealthServer } from '../../fakes/health-server';
import { createDevServerEnv } from '../../support/temporal';
import { startHarness, TEST_POLICY, type Harness } from '../../workflows/harness';
import {
  buttonClick,
  slackPost,
  startSlackApp,
  viewSubmission,
  waitUntil,
  type SignOptions,
  type SlackApp,
  type SubmittedValue,
} from './support';

const SECRET = 'response-buttons-signing-secret-0123';
/** Alice and Bob are policy contacts by their Slack ids; Carol is unknown to the policy. */
const ALICE = 'UALICE001';
const BOB = 'UBOB00002';
const CAROL = 'UCAROL003';

/** A deploy system's webhooks on loopback: each call is kept as `METHOD /path`. */
function deploySystem() {
  const calls: string[] = [];
  const server: Server = createServer((req, res) => {
    calls.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => res.writeHead(200).end());
  });
  return {
    calls,
    url: () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    listen: () => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Run action, Rollback, Page and an unverified Resolve from Slack, on a dev server with a worker. */
describe('the Slack response buttons: Run action, Rollback, Page, Resolve unverified', () => {
  const deploy = deploySystem();
  let env: TestWorkflowEnvironment;
  let health: FakeHealthServer;
  let harness: Harness;
  let app: SlackApp;

  const post = (body: string, options: Partial<SignOptions> = {}) =>
    slackPost(app.base, '/slack/interactions', body, { secret: SECRET, ...options });
  const show = (id: string) => app.incidents.show(id);

  before(async () => {
    env = await createDevServerEnv();
    health = await startHealthServer({ '/health': { mode: 'healthy' }, '/alive': { mode: 'healthy' } });
    await deploy.listen();
    const hook = (path: string) => ({ webhook: { url: `${deploy.url()}${path}` } });
    // One policy for the workers and the API, as a deployment reads the same file. Paging is the IC's here.
    const policy = {
      ...TEST_POLICY,
      contacts: {
        ...TEST_POLICY.contacts,
        alice: { name: 'Alice Nguyen', slackUserId: ALICE },
        bob: { name: 'Bob Stone', slackUserId: BOB },
        'db-oncall': { name: 'Database on-call', email: ['db-oncall@example.com'] },
      },
      roles: { ...TEST_POLICY.roles, permissions: { page: ['commander', 'admin'] } },
      services: {
        checkout: { baseUrl: health.url, actions: { restart: hook('/restart'), rollback: hook('/rollback') } },
      },
    };
    harness = await startHarness(env, { policy });
    app = await startSlackApp({
      env,
      taskQueue: harness.taskQueue,
      policy,
      signingSecret: SECRET,
      users: [{ id: CAROL, name: 'carol', email: 'carol@example.com', realName: 'Carol Diaz' }],
    });
  });
  after(async () => {
    await app?.close();
    await harness?.stop();
    await env?.teardown();
    await health?.close();
    await deploy.close();
  });

  /** An acknowledged incident: mitigations start once someone has acknowledged the page. */
  async function declare(service: string): Promise<string> {
    const handle = await harness.declare({ severity: 'SEV-3', service });
    const { id } = await handle.query(stateQuery);
    await app.incidents.command('acknowledge', id, { by: 'alice' });
    return id;
  }

  /** Clicks an incident button; answers where its outcome goes and the click's body (to send again as a retry). */
  async function click(action: IncidentAction, id: string, user: string) {
    const url = app.responses.next();
    const body = buttonClick({ actionId: incidentActionId(action, id), user, responseUrl: url });
    const answer = await post(body);
    assert.equal(answer.status, 200);
    assert.equal(answer.text, '', 'a click is answered with an empty 200');
    return { url, body };
  }

  /** Clicks a button that opens a form; answers the opened form and where its outcome goes. */
  async function openForm(action: IncidentAction, id: string, user: string, callbackId: string) {
    const opened = app.slack.views.length;
    const { url } = await click(action, id, user);
    await waitUntil(() => app.slack.views.length > opened);
    const form = app.slack.views.at(-1);
    assert.equal(form?.view.callback_id, callbackId);
    const view = { id: form?.id ?? '', callback_id: callbackId, private_metadata: String(form?.view.private_metadata) };
    const submit = (values: Record<string, SubmittedValue>, submitter = user, options: Partial<SignOptions> = {}) =>
      post(viewSubmission({ user: submitter, view, values }), options);
    return { url, blocks: form?.view.blocks as Array<Record<string, unknown>>, submit };
  }

  const optionsOf = (blocks: Array<Record<string, unknown>>, blockId: string) =>
    (blocks.find((b) => b.block_id === blockId)?.element as { options: Array<{ value: string }> }).options.map(
      (o) => o.value,
    );

  it("Run action offers the service's actions; a bad field is named, a forged submission is 401, a good one runs the saga once", async () => {
    const id = await declare('checkout');
    const form = await openForm('run-action', id, ALICE, RUN_ACTION_CALLBACK);
    assert.deepEqual(optionsOf(form.blocks, 'action'), ['restart', 'rollback']);

    const invalid = await form.submit({ action: null, note: 'two\nlines' });
    assert.equal(invalid.body?.response_action, 'errors');
    assert.deepEqual(Object.keys(invalid.body?.errors ?? {}).sort(), ['action', 'note']);

    const values = { action: { selected: 'restart' }, note: 'cart pods stuck' };
    const forged = await form.submit(values, ALICE, { secret: 'not-the-signing-secret' });
    assert.equal(forged.status, 401);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual((await show(id)).mitigations, [], 'a forged submission runs nothing');
    assert.deepEqual(deploy.calls, []);

    assert.equal((await form.submit(values)).text, '', 'an empty answer closes the modal');
    const [working, ran] = await app.responses.waitFor(form.url, 2);
    assert.match(String(working?.text), new RegExp(`Running restart on ${id}`));
    assert.match(String(ran?.text), new RegExp(`Ran restart on \`${id}\` as Alice Nguyen\\. Status: monitoring`));
    assert.match(String(ran?.text), /\naction-run: .*restart/);
    const view = await show(id);
    assert.deepEqual(
      view.mitigations.map((m) => [m.id, m.action, m.startedBy, m.outcome]),
      [['m1', 'run restart: cart pods stuck', 'alice', 'succeeded']],
    );
    assert.deepEqual(deploy.calls, ['POST /restart']);

    // Slack sends the submission again: the first answer, no second run.
    await form.submit(values, ALICE, { retry: 1 });
    await app.responses.waitFor(form.url, 4);
    assert.equal((await show(id)).mitigations.length, 1);
    assert.deepEqual(deploy.calls, ['POST /restart']);
  });

  it('Rollback runs the service rollback as the clicker, once per click; a tampered click is 401', async () => {
    deploy.calls.length = 0;
    const id = await declare('checkout');
    const url = app.responses.next();
    const body = buttonClick({ actionId: incidentActionId('rollback', id), user: BOB, responseUrl: url });
    const tampered = await post(body, { tamperedBody: body.replace(BOB, ALICE) });
    assert.equal(tampered.status, 401);

    assert.equal((await post(body)).status, 200);
    const [working, rolledBack] = await app.responses.waitFor(url, 2);
    assert.match(String(working?.text), new RegExp(`Running the rollback of ${id}`));
    assert.match(String(rolledBack?.text), new RegExp(`Rolled back \`${id}\` as Bob Stone\\. Status: monitoring`));
    const [rollback] = (await show(id)).mitigations;
    assert.equal(rollback?.kind, 'rollback');
    assert.equal(rollback?.startedBy, 'bob');
    assert.deepEqual(deploy.calls, ['POST /rollback']);

    assert.equal((await post(body, { retry: 1 })).status, 200);
    await app.responses.waitFor(url, 4);
    assert.equal((await show(id)).mitigations.length, 1, "Slack's retry rolls back nothing twice");
    assert.deepEqual(deploy.calls, ['POST /rollback']);

    // A service whose policy names no actions: Run action says so instead of opening an empty form.
    const bare = await declare('ledger');
    const opened = app.slack.views.length;
    const none = await click('run-action', bare, BOB);
    const [refusal] = await app.responses.waitFor(none.url);
    assert.match(
      String(refusal?.text),
      /service ledger has no named actions in the policy \(services\.ledger\.actions/,
    );
    assert.equal(app.slack.views.length, opened);
  });

  it('Page offers the policy targets, needs a reason, refuses who the roles rule refuses, and pages the target', async () => {
    const id = await declare('checkout');
    await app.incidents.command('assignRole', id, { role: 'commander', user: 'alice', by: 'alice' });
    const carol = await openForm('page', id, CAROL, PAGE_CALLBACK);
    assert.ok(optionsOf(carol.blocks, 'target').includes('db-oncall'));

    const long = await carol.submit({ target: { selected: 'db-oncall' }, reason: 'x'.repeat(501) });
    assert.deepEqual(Object.keys(long.body?.errors ?? {}), ['reason']);
    assert.match(String(long.body?.errors?.reason), /500/);

    await carol.submit({ target: { selected: 'db-oncall' }, reason: 'replication lag' });
    const [refusal] = await app.responses.waitFor(carol.url);
    assert.match(
      String(refusal?.text),
      new RegExp(
        `Could not page db-oncall for \`${id}\` \\(.+\\): by: slack:${CAROL} may not page: .*Incident Commander \\(alice\\)`,
      ),
    );
    const paged = async () =>
      (await harness.outbox.read({ incidentId: id, channel: 'pager' })).filter(
        (p) => (p.payload as { target?: string }).target === 'db-oncall',
      );
    assert.deepEqual(await paged(), [], 'the refused page reached nobody');

    const alice = await openForm('page', id, ALICE, PAGE_CALLBACK);
    await alice.submit({ target: { selected: 'db-oncall' }, reason: 'replication lag' });
    const [done] = await app.responses.waitFor(alice.url);
    assert.match(String(done?.text), new RegExp(`Paged db-oncall for \`${id}\` as Alice Nguyen`));
    const entry = (await show(id)).timeline.find((e) => e.type === 'escalation' && e.data?.target === 'db-oncall');
    assert.equal(entry?.message, 'alice paged db-oncall: replication lag');
    const deadline = Date.now() + 15_000;
    while ((await paged()).length === 0) {
      assert.ok(Date.now() < deadline, 'the page never reached the pager');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  });

  it('Resolve on a service with no checks: unverified by the IC with a reason; refused to anyone else, with nothing changed', async () => {
    const id = await declare('ledger');
    await app.incidents.command('assignRole', id, { role: 'commander', user: 'alice', by: 'alice' });
    const unverified = { checked: ['unverified'] };

    const carol = await openForm('resolve', id, CAROL, RESOLVE_CALLBACK);
    await carol.submit({ summary: null, unverified, reason: 'no checks for the ledger yet' });
    const [, refusal] = await app.responses.waitFor(carol.url, 2);
    assert.match(
      String(refusal?.text),
      new RegExp(
        `Could not resolve unverified \`${id}\` \\(NotPermitted\\): by: slack:${CAROL} may not resolve: .*Incident Commander \\(alice\\)`,
      ),
    );
    assert.equal((await show(id)).status, 'acknowledged');

    const alice = await openForm('resolve', id, ALICE, RESOLVE_CALLBACK);
    const noReason = await alice.submit({ summary: null, unverified, reason: null });
    assert.deepEqual(noReason.body?.errors, { reason: 'say why it is resolved unverified' });
    const unchecked = await alice.submit({ summary: null, unverified: { checked: [] }, reason: 'why not' });
    assert.deepEqual(Object.keys(unchecked.body?.errors ?? {}), ['unverified']);

    // Without the box: refused, and the refusal says how to resolve from Slack.
    await alice.submit({ summary: null, unverified: null, reason: null });
    const [, verified] = await app.responses.waitFor(alice.url, 2);
    assert.match(
      String(verified?.text),
      /unverified: ledger has no smoke checks.*Slack: Resolve, "Resolve unverified" and a reason/,
    );
    assert.equal((await show(id)).status, 'acknowledged');

    const again = await openForm('resolve', id, ALICE, RESOLVE_CALLBACK);
    await again.submit({ summary: 'ledger restarted', unverified, reason: 'no checks for the ledger yet' });
    const [, resolved] = await app.responses.waitFor(again.url, 2);
    assert.match(
      String(resolved?.text),
      new RegExp(`Resolved \\(unverified\\) \`${id}\` as Alice Nguyen\\. Status: resolved`),
    );
    const view = await show(id);
    assert.equal(view.status, 'resolved');
    assert.ok(view.timeline.some((e) => e.actor === 'alice' && e.data?.unverified === 'no checks for the ledger yet'));
  });
});
