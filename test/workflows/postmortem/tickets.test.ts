import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { githubTickets, type TicketProvider } from '../../../src/activities/postmortem/tickets';
import { IncidentService } from '../../../src/client/service';
import {
  addActionItemUpdate,
  markReviewedUpdate,
  postmortemQuery,
  postmortemWorkflowId,
} from '../../../src/workflows/postmortem/definitions';
import type { postmortemWorkflow } from '../../../src/workflows/postmortem/workflow';
import { startFakeGitHub, type FakeGitHubApi } from '../../fakes/github-api';
import { startTimeSkippingHarness, type Harness } from '../harness';

const HOUR = 3_600_000;

describe('action items filed as GitHub issues, closed when their issue closes', () => {
  let github: FakeGitHubApi;
  let tickets: TicketProvider;
  let harness: Harness;
  before(async () => {
    github = await startFakeGitHub();
    tickets = githubTickets({ token: github.token, repo: github.repo, apiUrl: github.url });
    harness = await startTimeSkippingHarness({ override: () => ({ tickets }) });
  });
  after(async () => {
    await harness?.stop();
    await github?.close();
  });

  it('files each item once, labelled by incident and item; a retry finds the issue it filed', async () => {
    const request = {
      incidentId: 'inc-9',
      key: 'k',
      drill: false,
      itemId: 'a1',
      title: 'Alert on saturation',
      owner: 'bob',
      kind: 'detect',
      dueAt: Date.parse('2026-03-10T17:00:00Z'),
      document: '/data/postmortems/inc-9.md',
    };
    const first = await tickets.file(request);
    const again = await tickets.file(request);
    assert.deepEqual(again, first);
    assert.equal(github.issues.length, 1);
    assert.deepEqual(
      github.issues[0]!.labels.map((l) => l.name),
      ['action-item', 'incident:inc-9', 'action:inc-9/a1', 'kind:detect'],
    );
    assert.equal(github.issues[0]!.title, '[detect] Alert on saturation');
    github.issues[0]!.state = 'closed';
    assert.deepEqual(await tickets.closed('inc-9', [first!.number]), [first!.number]);
  });

  it('the postmortem closes an item whose issue was closed, at its next check, and then completes', async () => {
    const incidents = new IncidentService(harness.env.client, { taskQueue: harness.taskQueue });
    await harness.declare({ id: 'pm-tickets', commander: 'alice' });
    await incidents.command('acknowledge', 'pm-tickets', { by: 'alice' });
    await incidents.command('resolve', 'pm-tickets', { by: 'alice', unverified: 'no smoke checks' });
    await incidents.command('close', 'pm-tickets', { by: 'alice' });
    const handle = harness.env.client.workflow.getHandle<typeof postmortemWorkflow>(postmortemWorkflowId('pm-tickets'));
    for (let i = 0; i < 200 && (await handle.describe().catch(() => null)) === null; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const due = new Date(Date.now() + 10 * 24 * HOUR).toISOString();
    await handle.executeUpdate(addActionItemUpdate, {
      args: [{ title: 'Canary stage for checkout', owner: 'bob', due, kind: 'prevent', by: 'alice' }],
    });
    let item = (await handle.query(postmortemQuery)).actionItems[0];
    for (let i = 0; i < 100 && item?.ticket === undefined; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      item = (await handle.query(postmortemQuery)).actionItems[0];
    }
    const issue = github.issues.find((candidate) => candidate.labels.some((l) => l.name === 'incident:pm-tickets'));
    assert.ok(issue);
    assert.equal(item?.ticket?.url, issue.html_url);
    await handle.executeUpdate(markReviewedUpdate, { args: [{ by: 'alice' }] });

    issue.state = 'closed';
    await harness.env.sleep(7 * HOUR);
    const done = await handle.result();
    assert.equal(done.status, 'completed');
    assert.equal(done.actionItems[0]?.status, 'done');
    assert.equal(done.actionItems[0]?.closedBy, 'tracker');
    assert.match(done.actionItems[0]?.reason ?? '', new RegExp(`ticket ${issue.html_url} closed`));
  });
});
