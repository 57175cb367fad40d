import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { incidentWorkflow } from '../../src/workflows';
import { incidentWorkflowId, stateQuery, type IncidentView } from '../../src/workflows/definitions';
import type { FakeChannel, FakeMessage } from '../fakes/slack-api';
import { assertNoSecretLeaked } from './secret-scan';
import {
  COMPONENTS,
  deliveries,
  entries,
  ERROR_RATE_QUERY,
  eventually,
  startRig,
  STAKEHOLDERS,
  type Rig,
} from './stack';

/**
 * A whole SEV-1 on the dev server, the worker a real process with every provider pointed at its loopback fake:
 * declare, the ack ladder fires once (2 s window), ack, commander, status updates, mitigation, resolve with
 * passing smoke checks, close. Then what each provider received, and the timeline that records it.
 */

const ID = `e2e-${randomBytes(3).toString('hex')}`;
const TITLE = 'Checkout is down';
const CHANNEL = `inc-${ID}-checkout-is-down`;
const HYPOTHESIS = 'connection pool exhausted after deploy v42 (internal note)';
const PUBLIC_TEXT = {
  investigating: 'Some customers cannot complete checkout. We are on it.',
  identified: 'We found the cause of the checkout failures and are rolling back a change.',
  monitoring: 'Checkout is recovering; we are watching it closely.',
};

let rig: Rig;
let closed: IncidentView | undefined;

before(async () => {
  rig = await startRig({
    sev1: {
      acknowledgeWithin: '2s',
      // A second step an hour out: the ladder fires exactly once in this test.
      escalationLadder: [{ target: 'secondary-oncall' }, { target: 'engineering-manager', after: '1h' }],
      statusUpdates: { every: '1h', escalateAfter: '1h', target: 'engineering-manager' },
      unresolved: { after: '1h', target: 'engineering-manager' },
    },
  });
  await rig.startWorker();
});

after(async () => {
  await rig?.close();
});

/** The people-visible messages of the incident channel, each named by what it is. */
function labelled(channel: FakeChannel): string[] {
  return rig.slack.postedMessages(channel.id).map(label);
}

function label(message: FakeMessage): string {
  // Mentions come first (`<@U…> Escalating …`); the template's own text follows.
  const text = message.text.replace(/^(?:<@\w+>\s*)+/, '');
  if (message.metadata?.event_type === 'incident_summary') return 'summary';
  if (text.includes('has been declared')) return 'declaration';
  if (text.startsWith('diagnostics:')) return 'diagnostics';
  if (text.startsWith('Escalating')) return 'escalation';
  if (text.includes('acknowledged the incident')) return 'acknowledged';
  if (text.includes('is now Incident Commander')) return 'commander';
  if (text.includes('is resolved.')) return 'post-incident-summary';
  if (text.includes('Impact: ')) return `status-update (${/^Status: (\w+)/.exec(text)?.[1] ?? '?'})`;
  if (text.startsWith('mitigation m1 started')) return 'mitigation-started';
  if (text.startsWith('mitigation m1 succeeded')) return 'mitigation-succeeded';
  if (text.startsWith('incident closed')) return 'closed';
  if (text.startsWith('postmortem draft:')) return 'postmortem-draft';
  return `other: ${text.slice(0, 60)}`;
}

function summaryMessage(): FakeMessage | undefined {
  const ch = rig.slack.channelNamed(CHANNEL);
  return ch && rig.slack.postedMessages(ch.id).find((m) => label(m) === 'summary');
}

function channel(): FakeChannel {
  const found = rig.slack.channelNamed(CHANNEL);
  assert.ok(found, `channel ${CHANNEL} exists`);
  return found;
}

/** Waits until the channel shows `name`, as a responder watching it would before the next step. */
async function seen(name: string): Promise<void> {
  try {
    await eventually(
      `"${name}" in #${CHANNEL}`,
      () => rig.slack.channelNamed(CHANNEL) && labelled(channel()).includes(name),
    );
  } catch (error) {
    const failures = entries(await rig.incidents.timeline(ID), 'notification-failed').map((e) => e.message);
    const shown = rig.slack.channelNamed(CHANNEL) ? labelled(channel()) : [];
    throw new Error(`${(error as Error).message}\nchannel: ${shown.join(', ')}\nfailed: ${failures.join('; ')}`);
  }
}

test('a whole SEV-1 through Slack, SMTP, Statuspage, PagerDuty, smoke checks and the postmortem file', async () => {
  const { incidents, slack, smtp, statuspage, pagerduty } = rig;
  await rig.declare({ id: ID, title: TITLE });
  const declaredAt = (await incidents.show(ID)).declaredAt;
  await seen('declaration');

  // Nobody acknowledges within 2 s: the ladder's first step pages secondary on-call, once.
  const escalation = await eventually('the ack-timeout escalation', async () =>
    entries(await incidents.timeline(ID), 'escalation').at(0),
  );
  assert.equal(escalation.data?.target, 'secondary-oncall');
  assert.equal(escalation.data?.reason, 'ack-timeout');
  const lateBy = escalation.at - (declaredAt + 2_000);
  assert.ok(lateBy >= 0 && lateBy < 2_000, `escalated on time (${lateBy} ms after the window)`);
  await seen('escalation');

  assert.equal((await incidents.command('acknowledge', ID, { by: 'pat' })).status, 'acknowledged');
  await seen('acknowledged');
  await incidents.command('assignRole', ID, { role: 'commander', user: 'alice', by: 'pat' });
  await seen('commander');
  const investigating = await incidents.command('postStatusUpdate', ID, {
    impact: 'Checkout fails for ~60% of customers',
    hypothesis: HYPOTHESIS,
    userFacing: PUBLIC_TEXT.investigating,
    by: 'alice',
  });
  assert.equal(investigating.status, 'investigating');
  await seen('status-update (investigating)');
  await incidents.command('startMitigation', ID, {
    action: 'Roll back checkout to v41',
    kind: 'rollback',
    by: 'alice',
  });
  await seen('mitigation-started');
  await incidents.command('postStatusUpdate', ID, {
    impact: 'Checkout fails for ~60% of customers',
    hypothesis: HYPOTHESIS,
    userFacing: PUBLIC_TEXT.identified,
    by: 'alice',
  });
  await seen('status-update (mitigating)');
  assert.equal(
    (await incidents.command('finishMitigation', ID, { actionId: 'm1', outcome: 'succeeded', by: 'alice' })).status,
    'monitoring',
  );
  await seen('mitigation-succeeded');
  await incidents.command('postStatusUpdate', ID, {
    impact: 'Error rate back to normal',
    hypothesis: HYPOTHESIS,
    userFacing: PUBLIC_TEXT.monitoring,
    by: 'alice',
  });
  await seen('status-update (monitoring)');
  const resolved = await incidents.command('resolve', ID, { by: 'alice', summary: 'Bad deploy v42 rolled back' });
  assert.equal(resolved.status, 'resolved', 'smoke checks passed, so the resolution stands');
  await seen('post-incident-summary');
  // The summary refreshes run in order, so the one for the resolution is the last before close.
  await eventually('the summary to show the resolution', () => /Status: resolved/.test(summaryMessage()?.text ?? ''));
  await incidents.command('close', ID, { by: 'alice' });
  const handle = rig.env.client.workflow.getHandle<typeof incidentWorkflow>(incidentWorkflowId(ID));
  assert.equal((await handle.result()).status, 'closed');
  // A closed incident still answers its state query: the whole record stays behind it.
  const final = await handle.query(stateQuery);
  closed = final;
  const timeline = final.timeline;
  const closedAt = entries(timeline, 'closed')[0]?.at ?? Infinity;

  // Slack: the channel, its members, the messages in the order things happened, one summary edited in place.
  const ch = channel();
  assert.equal(ch.is_private, false);
  assert.equal(ch.is_archived, true, 'archived on close, as the policy says');
  assert.ok(ch.members.has('UPRIMARY1') && ch.members.has('USECOND01'), 'responders invited (one by email lookup)');
  // What close posts is the next test's subject.
  // The postmortem's own workflow posts where the draft is, on its own clock: present, in no fixed place.
  assert.ok(labelled(ch).includes('postmortem-draft'), 'the postmortem workflow posted the draft location');
  const order = labelled(ch).filter((name) => !['summary', 'diagnostics', 'closed', 'postmortem-draft'].includes(name));
  assert.deepEqual(order, [
    'declaration',
    'escalation',
    'acknowledged',
    'commander',
    'status-update (investigating)',
    'mitigation-started',
    'status-update (mitigating)',
    'mitigation-succeeded',
    'status-update (monitoring)',
    'post-incident-summary',
  ]);
  const messages = slack.postedMessages(ch.id);
  assert.equal(label(messages[0]!), 'declaration', 'the declaration is the first message');
  assert.ok(labelled(ch).indexOf('diagnostics') > 0, 'the diagnostics summary is posted after the declaration');
  const summaries = messages.filter((m) => label(m) === 'summary');
  assert.equal(summaries.length, 1, 'one summary message');
  const summary = summaries[0]!;
  const pinned = messages.filter((m) => m.pinned).map(label);
  assert.deepEqual(pinned.sort(), ['declaration', 'summary'], 'the declaration and the summary are pinned');
  const summaryEdits = slack.callsTo('chat.update').filter((c) => c.params.ts === summary.ts && c.error === undefined);
  assert.ok(summaryEdits.length >= 6, `the summary was edited in place as the incident moved (${summaryEdits.length})`);
  assert.ok(summary.edited, 'the summary message shows as edited');
  assert.match(summary.text, /Incident Commander: alice/);
  const keys = messages.map((m) => m.metadata?.event_payload?.key);
  assert.equal(new Set(keys).size, keys.length, 'every message carries its own step key');
  assert.ok(
    slack.calls.every((call) => call.auth === 'valid'),
    'every Slack call carried the bot token',
  );

  // Email: declaration, three status updates and the post-incident summary, to the stakeholders, over SMTP AUTH.
  // The summary says where the postmortem draft is: the postmortem workflow mails no one.
  const mails = smtp.received.filter((mail) => mail.headers['x-incident-id'] === ID);
  assert.deepEqual(
    mails.map((mail) => mail.subject),
    [
      `[SEV-1] ${TITLE} — incident declared`,
      `Update: [SEV-1] ${TITLE}`,
      `Update: [SEV-1] ${TITLE}`,
      `Update: [SEV-1] ${TITLE}`,
      `Post-incident summary: [SEV-1] ${TITLE}`,
    ],
  );
  for (const mail of mails) {
    assert.deepEqual(mail.rcptTo, STAKEHOLDERS);
    assert.equal(mail.user, 'incident-bot');
    assert.equal(mail.mailFrom, 'incidents@example.com');
    assert.ok(mail.text.length > 0 && mail.html.includes('<h2>'), 'text and HTML bodies');
  }
  assert.equal(new Set(mails.map((mail) => mail.messageId)).size, mails.length, 'one Message-ID per step');
  assert.match(mails[4]!.text, /Root cause: Bad deploy v42 rolled back/);
  assert.ok(
    mails[4]!.text.includes(`Postmortem: ${path.join(rig.postmortemDir, `${ID}-postmortem.md`)}\n`),
    mails[4]!.text,
  );
  assert.equal(smtp.authFailures, 0);

  // PagerDuty: on-call at declaration and secondary on the escalation, each triggered, acknowledged, resolved.
  for (const [dedupKey, target] of [
    [`incident-${ID}-declared-0`, 'primary-oncall'],
    [`incident-${ID}-ack-timeout-1`, 'secondary-oncall'],
  ] as const) {
    const alert = pagerduty.alerts.get(dedupKey);
    assert.ok(alert, `alert ${dedupKey}`);
    assert.deepEqual(alert.actions, ['trigger', 'acknowledge', 'resolve'], dedupKey);
    assert.equal(alert.state, 'resolved');
    assert.equal(alert.opened, 1);
    assert.equal(alert.routingKey, rig.secrets.routingKeys[target], `${target}'s routing key`);
  }
  assert.equal(pagerduty.events.length, 6);
  assert.ok(pagerduty.events.every((event) => event.status === 202));

  // Statuspage: one incident, moved through every phase with the user-facing text only.
  assert.equal(statuspage.incidents.size, 1);
  const [publicIncident] = [...statuspage.incidents.values()];
  assert.ok(publicIncident);
  assert.equal(publicIncident.name, TITLE);
  assert.equal(publicIncident.status, 'resolved');
  assert.ok(publicIncident.resolved_at);
  const updates = [...publicIncident.incident_updates].reverse();
  assert.deepEqual(
    updates.map((u) => u.status),
    ['investigating', 'investigating', 'identified', 'monitoring', 'resolved'],
  );
  // The default user-facing template: the text written for the public, then when the page hears next.
  assert.deepEqual(
    updates.slice(1, 4).map((u) => u.body.split('\n')[0]),
    Object.values(PUBLIC_TEXT),
  );
  assert.ok(updates.slice(0, 4).every((u) => /\nNext update: \d{4}-\d\d-\d\dT[\d:.]+Z$/.test(u.body)));
  assert.ok(
    updates.every((u) => !u.body.includes('connection pool')),
    'internal notes never reach the status page',
  );
  assert.deepEqual(
    updates[0]!.affected_components.map((c) => c.new_status),
    ['major_outage', 'major_outage'],
  );
  assert.deepEqual(Object.fromEntries(statuspage.componentStatus), {
    cmpCheckout: 'operational',
    cmpApi: 'operational',
  });
  assert.deepEqual(
    Object.keys(COMPONENTS),
    publicIncident.components.map((c) => c.id),
  );
  assert.ok(statuspage.requests.every((r) => r.authorization === `OAuth ${rig.secrets.statuspageKey}`));

  // Smoke checks and diagnostics reached the service and Prometheus; the postmortem is a file.
  const smoke = entries(timeline, 'smoke-tests');
  assert.equal(smoke.length, 1);
  assert.deepEqual(smoke[0]!.data, { passed: true, checks: 2, failed: 0 });
  assert.ok(rig.health.requests.filter((r) => r.path === '/health').length >= 2, 'diagnostics and smoke check');
  assert.ok(rig.prometheus.requests.filter((r) => r.query === ERROR_RATE_QUERY).length >= 2);
  // Taken at declaration and again after the mitigation (diagnostics-v1); the first is the one checked here.
  const diagnostics = entries(timeline, 'diagnostics');
  assert.deepEqual(diagnostics.map((e) => e.data?.when).sort(), ['after mitigation m1', 'at declaration']);
  const declared = diagnostics.find((e) => e.data?.when === 'at declaration');
  const artifact = JSON.parse(await readFile(String(declared?.data?.artifact), 'utf8')) as {
    incidentId: string;
    healthEndpoints: Array<{ ok: boolean }>;
    prometheus: { queries: Array<{ ok: boolean }> };
  };
  assert.equal(artifact.incidentId, ID);
  assert.deepEqual(
    artifact.healthEndpoints.map((h) => h.ok),
    [true, true],
  );
  assert.deepEqual(
    artifact.prometheus.queries.map((q) => q.ok),
    [true],
  );

  const postmortem = entries(timeline, 'postmortem');
  assert.equal(postmortem.length, 1);
  const file = path.join(rig.postmortemDir, `${ID}-postmortem.md`);
  assert.equal(postmortem[0]!.data?.location, file);
  const markdown = await readFile(file, 'utf8');
  assert.match(markdown, new RegExp(`^<!-- incident-response:${ID} -->\n# Postmortem: \\[SEV-1\\] ${TITLE}`));
  for (const section of ['## Summary', '## Impact', '## Timeline', '## Root cause', '## Action items']) {
    assert.ok(markdown.includes(section), `postmortem has ${section}`);
  }
  assert.match(markdown, /acknowledged by pat/);
  assert.match(markdown, /Bad deploy v42 rolled back/);

  // The timeline holds every step, and every delivery as sent, none failed, none repeated.
  const types = new Set(timeline.map((e) => e.type));
  for (const type of [
    'detected',
    'declared',
    'escalation',
    'acknowledged',
    'role-assigned',
    'status-update',
    'mitigation-started',
    'mitigation-finished',
    'smoke-tests',
    'resolved',
    'diagnostics',
    'postmortem',
    'closed',
  ] as const) {
    assert.ok(types.has(type), `timeline has ${type}`);
  }
  assert.equal(entries(timeline, 'escalation').length, 1, 'the ladder fired once');
  assert.equal(entries(timeline, 'status-update').length, 3);
  assert.deepEqual(
    entries(timeline, 'notification-failed').filter((e) => e.at < closedAt),
    [],
    'no delivery failed up to the close',
  );
  assert.equal(deliveries(timeline, 'email').sent.length, 5);
  assert.equal(deliveries(timeline, 'pager').sent.length, 6);
  assert.equal(deliveries(timeline, 'status-page').sent.length, 5);
  // Channel, 11 posts, the summary refreshes and the archive, each recorded once.
  const chat = deliveries(timeline, 'chat').sent;
  assert.equal(
    chat.filter((e) => /\(message /.test(e.message)).length,
    // The postmortem workflow's post is on its own history, not the incident's.
    messages.filter((m) => label(m) !== 'postmortem-draft').length - 1,
    'one post delivery per message',
  );
  assert.ok(chat.some((e) => /\(archived\)/.test(e.message)));
  assert.ok(
    timeline.filter((e) => e.type === 'notification-sent').every((e) => e.data?.duplicate === false),
    'nothing was delivered twice',
  );
});

test('closing posts its note and the final summary before the channel is archived', () => {
  assert.ok(closed, 'the incident was closed');
  const ch = channel();
  assert.equal(ch.is_archived, true);
  assert.deepEqual(
    entries(closed.timeline, 'notification-failed').map((e) => e.message),
    [],
    'nothing failed against the archived channel',
  );
  // The postmortem workflow runs on its own clock: its draft notice may land before or after the close.
  const incidentMessages = labelled(ch).filter((name) => name !== 'postmortem-draft');
  assert.equal(incidentMessages.at(-1), 'closed', "the closing note is the incident's last message");
  assert.match(summaryMessage()?.text ?? '', /Status: closed/);
  assert.equal(ch.topic.value, 'SEV-1 · closed · IC: alice · checkout');
  const archivedAt = rig.slack.callsTo('conversations.archive')[0]?.at ?? -1;
  const lastWrite = Math.max(
    ...rig.slack.calls
      .filter((c) => ['chat.postMessage', 'chat.update', 'conversations.setTopic'].includes(c.method))
      .map((c) => c.at),
  );
  assert.ok(archivedAt >= lastWrite, 'the channel is archived after its last write');
});

test('no configured secret appears in any history or worker output', async () => {
  await assertNoSecretLeaked(rig, [TITLE, channel().id]);
});
