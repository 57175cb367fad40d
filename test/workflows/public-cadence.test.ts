import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { acknowledgeUpdate, assignRoleUpdate, postStatusUpdate, stateQuery } from '../../src/workflows/definitions';
import { escalationsOf, startTimeSkippingHarness, TEST_POLICY, type Harness } from './harness';

/** Runbook 003: the SEV-1 status page every 5 minutes, while the channel gets an update every 15. */
const RUNBOOK_003 = {
  ...TEST_POLICY,
  severities: { 'SEV-1': { publicUpdates: { every: '5m', escalateAfter: '5m' } } },
};

const update = { impact: 'card payments fail for 30%', hypothesis: 'pool leak in build 4512', by: 'bob' };

type Handle = Awaited<ReturnType<Harness['declare']>>;

/** Reminders as `message(channel)@minutes`, the public ones marked `status-page`. */
async function remindersOf(incident: Handle): Promise<string[]> {
  const state = await incident.query(stateQuery);
  return state.timeline
    .filter((e) => e.type === 'status-reminder')
    .map((e) => `${e.message}@${Math.round((e.at - state.declaredAt) / 60_000)}`);
}

describe('the status page cadence, per channel (time-skipping)', () => {
  let harness: Harness;
  let env: TestWorkflowEnvironment;
  const start = async (policy: unknown) => {
    harness = await startTimeSkippingHarness({ policy });
    env = harness.env;
  };
  afterEach(() => harness?.stop());

  it('reminds the Communications Lead of a due public update, escalates when missed, and keeps the internal cadence', async () => {
    await start(RUNBOOK_003);
    const incident = await harness.declare({ severity: 'SEV-1', commander: 'carol' });
    await incident.executeUpdate(acknowledgeUpdate, { args: [{ by: 'alice' }] });
    await incident.executeUpdate(assignRoleUpdate, { args: [{ role: 'comms', user: 'dana', by: 'carol' }] });
    const planned = await incident.query(stateQuery);
    assert.deepEqual(
      planned.deadlines.filter((d) => d.kind.startsWith('public')).map((d) => [d.kind, d.at - planned.declaredAt]),
      [['public-reminder', 5 * 60_000]],
    );
    await env.sleep('4m');
    assert.deepEqual(await remindersOf(incident), []);
    await env.sleep('2m');
    assert.deepEqual(await remindersOf(incident), ['status page update due@5']);
    const reminder = (await incident.query(stateQuery)).timeline.find((e) => e.type === 'status-reminder');
    assert.equal(reminder?.data?.owner, 'dana', 'the Communications Lead owns public updates');
    const reminded = await chatPost(harness, planned.id, (p) => p.kind === 'status-reminder');
    assert.match(reminded.text, /public status page update is due/);
    assert.deepEqual(reminded.mention, ['dana'], 'the reminder @-mentions her');

    await env.sleep('5m');
    assert.deepEqual(await escalationsOf(incident), ['no-public-update:1:engineering-manager@10']);
    // From the escalation the page is due again at 15, with the internal update: one reminder asks for both.
    await env.sleep('6m');
    assert.deepEqual(await remindersOf(incident), ['status page update due@5', 'status update due@15']);
  });

  it('a posted update resets the public cadence', async () => {
    await start(RUNBOOK_003);
    const incident = await harness.declare({ severity: 'SEV-1', commander: 'carol' });
    await incident.executeUpdate(acknowledgeUpdate, { args: [{ by: 'alice' }] });
    await env.sleep('3m');
    const posted = await incident.executeUpdate(postStatusUpdate, {
      args: [{ ...update, userFacing: 'Some payments fail; we are rolling back.' }],
    });
    assert.equal(posted.next?.kind, 'public-reminder');
    assert.equal(
      posted.next && Math.round((posted.next.at - (await incident.query(stateQuery)).declaredAt) / 60_000),
      8,
    );
    await env.sleep('4m');
    assert.deepEqual(await remindersOf(incident), [], 'not due 5 minutes after the declaration any more');
    await env.sleep('2m');
    assert.deepEqual(await remindersOf(incident), ['status page update due@8']);
    assert.deepEqual(await escalationsOf(incident), []);
  });

  it('with the defaults (SEV-2 30/30) one reminder asks for both; SEV-3 has no public cadence', async () => {
    await start(TEST_POLICY);
    const sev2 = await harness.declare({ severity: 'SEV-2' });
    const sev3 = await harness.declare({ severity: 'SEV-3' });
    for (const incident of [sev2, sev3]) await incident.executeUpdate(acknowledgeUpdate, { args: [{ by: 'alice' }] });
    await env.sleep('31m');
    assert.deepEqual(await remindersOf(sev2), ['status update due@30']);
    assert.deepEqual(await escalationsOf(sev2), []);
    await env.sleep('30m');
    assert.deepEqual(await remindersOf(sev3), ['status update due@60']);
    assert.ok(!(await incident3Deadlines(sev3)).some((kind) => kind.startsWith('public')));
  });

  it('"next update" in the internal update is the real due time, with the page’s own when it comes sooner', async () => {
    await start(RUNBOOK_003);
    const incident = await harness.declare({ severity: 'SEV-1', commander: 'carol' });
    await incident.executeUpdate(acknowledgeUpdate, { args: [{ by: 'alice' }] });
    await incident.executeUpdate(postStatusUpdate, { args: [update] });
    const state = await incident.query(stateQuery);
    const posted = state.statusUpdates[0];
    assert.ok(posted);
    const { text } = await chatPost(harness, state.id, (p) => p.kind === 'status-update');
    assert.ok(text.includes(`Next update: ${new Date(posted.at + 15 * 60_000).toISOString()}`), text);
    assert.ok(text.includes('Next status page update: '), text);
  });
});

interface ChatPost {
  kind: string;
  text: string;
  mention: string[];
}

/** The first chat post that `match`es, once its delivery activity has written it (a few seconds at most). */
async function chatPost(harness: Harness, incidentId: string, match: (post: ChatPost) => boolean): Promise<ChatPost> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const posts = (await harness.outbox.read({ incidentId, channel: 'chat' })).map(
      (r) => r.payload as unknown as ChatPost,
    );
    const found = posts.find((post) => post.kind !== undefined && match(post));
    if (found || Date.now() > deadline) {
      assert.ok(found, `no matching chat post among ${JSON.stringify(posts)}`);
      return found;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function incident3Deadlines(incident: Handle): Promise<string[]> {
  return (await incident.query(stateQuery)).deadlines.map((d) => d.kind);
}
