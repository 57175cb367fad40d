import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import {
  githubIssuePostmortem,
  markdownPostmortem,
  PostmortemErrorType,
} from '../../../src/activities/postmortem/writers';
import { humanDuration, postmortemMarkdown } from '../../../src/activities/postmortem/markdown-renderer';
import type { PostmortemRequest } from '../../../src/activities/types';
import type { IncidentState, TimelineEntry } from '../../../src/domain/incident';
import { buildPolicy, incidentPolicyFor } from '../../../src/domain/policy';
import { startFakeGitHub, type FakeGitHubApi } from '../../fakes/github-api';
import { rejectionOf } from '../failures';

const T0 = Date.parse('2025-06-09T04:31:00.000Z');
const min = 60_000;
const DUE = T0 + 50 * 60 * min;

function incident(overrides: Partial<IncidentState> = {}): IncidentState {
  const timeline: TimelineEntry[] = [
    { at: T0, type: 'detected', actor: 'alert:prometheus', message: 'HighErrorRate on checkout' },
    { at: T0 + min, type: 'declared', actor: 'alice', message: 'declared SEV-1' },
    { at: T0 + 6 * min, type: 'escalation', actor: 'system', message: 'paged secondary-oncall (ack-timeout)' },
    { at: T0 + 7 * min, type: 'acknowledged', actor: 'bob', message: 'bob acknowledged' },
    { at: T0 + 8 * min, type: 'role-assigned', actor: 'alice', message: 'Incident Commander: alice' },
    { at: T0 + 20 * min, type: 'mitigation-started', actor: 'bob', message: 'roll back checkout to v41 | v42 bad' },
    { at: T0 + 25 * min, type: 'mitigation-finished', actor: 'bob', message: 'rollback succeeded' },
    {
      at: T0 + 30 * min,
      type: 'smoke-tests',
      actor: 'system',
      message: 'no smoke checks configured for checkout: recovery not verified by checks',
      data: { passed: true, checks: 0, failed: 0 },
    },
    { at: T0 + 31 * min, type: 'notification-failed', actor: 'system', message: 'email failed: 554 rejected' },
    { at: T0 + 90 * min, type: 'resolved', actor: 'alice', message: 'resolved:\nerrors <back> to baseline' },
  ];
  return {
    id: 'inc-20250609-ab12',
    title: 'Checkout errors after deploy',
    service: 'checkout',
    summary: 'Checkout returned 500 for 30% of requests after the v42 deploy.',
    severity: 'SEV-1',
    status: 'resolved',
    drill: false,
    security: false,
    source: 'alert:prometheus',
    detectedAt: T0,
    declaredAt: T0 + min,
    acknowledgedAt: T0 + 7 * min,
    resolvedAt: T0 + 90 * min,
    closedAt: null,
    roles: { commander: 'alice', ops: 'bob' },
    policy: incidentPolicyFor(buildPolicy(), 'SEV-1'),
    escalation: {
      ackLevel: 1,
      ackClockFrom: T0 + 6 * min,
      unresolvedFired: false,
      statusEscalations: 0,
      openPages: [],
    },
    statusClock: { since: T0 + 15 * min, promisedBy: null, reminded: false },
    deferredPageAt: null,
    mitigations: [
      {
        id: 'm1',
        action: 'roll back checkout to v41',
        kind: 'rollback',
        startedBy: 'bob',
        startedAt: T0 + 20 * min,
        finishedAt: T0 + 25 * min,
        outcome: 'succeeded',
      },
    ],
    statusUpdates: [
      {
        at: T0 + 15 * min,
        by: 'carol',
        impact: '30% of checkouts fail',
        hypothesis: 'v42 connection pool change',
        nextUpdateAt: T0 + 30 * min,
      },
    ],
    publicUpdates: [{ at: T0 + 10 * min, phase: 'investigating', message: 'Some payments are failing.' }],
    timeline,
    chatChannel: 'C123',
    resolutionSummary: 'v42 shrank the DB connection pool; rolled back to v41.',
    step: 12,
    ...overrides,
  };
}

function request(overrides: Partial<IncidentState> = {}): PostmortemRequest {
  const state = incident(overrides);
  return {
    incidentId: state.id,
    key: `incident-${state.id}/13-postmortem`,
    drill: state.drill,
    incident: state,
    dueAt: DUE,
  };
}

describe('postmortem Markdown (pure)', () => {
  const text = postmortemMarkdown(incident(), DUE);
  const lines = text.split('\n');

  it('starts with the hidden marker and the title, and has every section of the template', () => {
    assert.equal(lines[0], '<!-- incident-response:inc-20250609-ab12 -->');
    assert.equal(lines[1], '# Postmortem: [SEV-1] Checkout errors after deploy');
    const headings = lines.filter((l) => l.startsWith('## ')).map((l) => l.slice(3));
    assert.deepEqual(headings, [
      'Summary',
      'Impact',
      'Timeline',
      'Root cause',
      'Contributing factors',
      'Mitigations',
      'Action items',
      'Lessons learned',
    ]);
    assert.ok(text.includes('| Postmortem due | 2025-06-11T06:31:00.000Z |'));
    assert.ok(text.includes('| Resolved | 2025-06-09T06:01:00.000Z (1h 30m after detection) |'));
    assert.ok(text.includes('| Incident Commander | alice |'));
    assert.ok(text.includes('- **Duration:** 2025-06-09T06:01:00.000Z (1h 30m from detection to resolution)'));
    assert.ok(text.includes('- 2025-06-09T04:46:00.000Z (carol): 30% of checkouts fail'));
    assert.ok(text.includes('- 2025-06-09T04:41:00.000Z investigating: Some payments are failing.'));
  });

  it('lists every timeline entry with ISO time, type, actor and message, one table row each', () => {
    const rows = lines.filter((l) => /^\| 2025-06-09T\d\d:\d\d:00\.000Z \| [a-z-]+ \|/.test(l));
    assert.equal(rows.length, incident().timeline.length);
    assert.equal(rows[0], '| 2025-06-09T04:31:00.000Z | detected | alert:prometheus | HighErrorRate on checkout |');
    // A pipe, a newline or raw HTML in a message cannot break the table or hide the rest of the document.
    assert.equal(
      rows[5],
      '| 2025-06-09T04:51:00.000Z | mitigation-started | bob | roll back checkout to v41 \\| v42 bad |',
    );
    assert.equal(
      rows[9],
      '| 2025-06-09T06:01:00.000Z | resolved | alice | resolved:<br>errors &lt;back> to baseline |',
    );
  });

  it('has root cause, contributing factors and action items with owners and the due date, TODOs where unknown', () => {
    assert.ok(text.includes('## Root cause\n\nv42 shrank the DB connection pool; rolled back to v41.'));
    assert.ok(text.includes('- Hypothesis considered: v42 connection pool change'));
    assert.ok(text.includes('- Acknowledgement escalated 1 time(s) before anyone took the incident.'));
    assert.ok(text.includes('- 1 notification(s) failed to deliver.'));
    const items = lines.filter((l) => /^\| \d+ \|/.test(l));
    assert.deepEqual(items, [
      '| 1 | Fix the root cause of this incident permanently | alice | 2025-06-11 | open |',
      '| 2 | Replace the temporary mitigation "roll back checkout to v41" (rollback) with a lasting fix | bob | 2025-06-11 | open |',
      '| 3 | Add smoke checks for checkout: recovery was not verified by checks | _TBD_ | 2025-06-11 | open |',
      '| 4 | Review paging and on-call acknowledgement | _TBD_ | 2025-06-11 | open |',
      '| 5 | Fix the notification integrations that failed during the incident | _TBD_ | 2025-06-11 | open |',
      '| 6 | Update the runbook for checkout with what was learned | _TBD_ | 2025-06-11 | open |',
      '| 7 | _TODO_: an action that prevents recurrence or shortens detection | _TBD_ | 2025-06-11 | open |',
    ]);
    assert.ok(text.includes('### What went well\n\n- _TODO_'));
  });

  it('leaves placeholders when the incident knows little, and marks drills', () => {
    const sparse = postmortemMarkdown(
      incident({ drill: true, roles: {}, resolutionSummary: null, statusUpdates: [], mitigations: [], timeline: [] }),
      DUE,
    );
    assert.ok(sparse.includes('# Postmortem: [DRILL] [SEV-1] Checkout errors after deploy'));
    assert.ok(sparse.includes('## Root cause\n\n_TODO_: what caused it'));
    assert.ok(sparse.includes('| 1 | Fix the root cause of this incident permanently | _TBD_ | 2025-06-11 | open |'));
    assert.ok(sparse.includes('## Mitigations\n\nNone recorded.'));
  });

  it('shortens a long timeline in the middle to fit a size limit, keeping its start and end', () => {
    const timeline: TimelineEntry[] = Array.from({ length: 2000 }, (_, i) => ({
      at: T0 + i * 1000,
      type: 'note',
      actor: 'scribe',
      message: `observation ${i} ${'.'.repeat(40)}`,
    }));
    const long = postmortemMarkdown(incident({ timeline }), DUE, { maxChars: 65_536 });
    assert.ok(long.length <= 65_536, `${long.length}`);
    assert.ok(long.includes('| scribe | observation 0 ...'));
    assert.ok(long.includes('observation 1999 '));
    assert.match(long, /_\d+ entries omitted here; `incident show inc-20250609-ab12` has them all_/);
  });

  it('writes durations as a person reads them', () => {
    assert.equal(humanDuration(90 * min), '1h 30m');
    assert.equal(humanDuration(45_000), '45s');
    assert.equal(humanDuration(2 * 24 * 60 * min + 4 * 60 * min + 5 * min), '2d 4h');
    assert.equal(humanDuration(60 * min + 5_000), '1h');
    assert.equal(humanDuration(0), '0s');
  });
});

describe('postmortem as a Markdown file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'postmortem-'));
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes <dir>/<incidentId>-postmortem.md once; a retry reports a duplicate and keeps human edits', async () => {
    const writer = markdownPostmortem({ dir: path.join(dir, 'postmortems') });
    const receipt = await writer.create(request());
    const file = path.join(dir, 'postmortems', 'inc-20250609-ab12-postmortem.md');
    assert.deepEqual(receipt, { destination: `file ${file}`, duplicate: false, location: file });
    assert.equal(await readFile(file, 'utf8'), postmortemMarkdown(incident(), DUE));

    await writeFile(file, '# edited by a human\n');
    const retry = await markdownPostmortem({ dir: path.join(dir, 'postmortems') }).create(request());
    assert.deepEqual(retry, { destination: `file ${file}`, duplicate: true, location: file });
    assert.equal(await readFile(file, 'utf8'), '# edited by a human\n');
    assert.deepEqual(await readdir(path.join(dir, 'postmortems')), ['inc-20250609-ab12-postmortem.md']);
  });

  it('refuses an incident id that is not a file name, permanently', async () => {
    const error = await rejectionOf(markdownPostmortem({ dir }).create(request({ id: '../../etc/passwd' })));
    assert.ok(error instanceof ApplicationFailure);
    assert.equal(error.nonRetryable, true);
    assert.equal(error.type, PostmortemErrorType.InvalidIncidentId);
  });
});

describe('postmortem as a GitHub issue', () => {
  let github: FakeGitHubApi;
  const writer = (overrides: { token?: string; repo?: string; apiUrl?: string } = {}) =>
    githubIssuePostmortem({ apiUrl: github.url, token: github.token, repo: github.repo, ...overrides });

  before(async () => {
    github = await startFakeGitHub();
  });
  after(async () => {
    await github.close();
  });
  beforeEach(() => {
    github.requests.length = 0;
    github.issues.length = 0;
  });

  function assertNoToken(value: unknown) {
    assert.ok(!JSON.stringify(value, Object.getOwnPropertyNames(value)).includes(github.token), 'token leaked');
  }

  it('searches for an existing postmortem, then opens one issue with the Markdown body and labels', async () => {
    const receipt = await writer().create(request());
    assert.deepEqual(receipt, {
      destination: 'GitHub issue #1',
      duplicate: false,
      location: 'https://github.com/acme/incidents/issues/1',
    });
    assert.deepEqual(
      github.requests.map((r) => `${r.method} ${r.url}`),
      [
        'GET /repos/acme/incidents/issues?labels=postmortem&state=all&sort=created&direction=desc&per_page=100',
        'POST /repos/acme/incidents/issues',
      ],
    );
    for (const r of github.requests) {
      assert.equal(r.authorization, `Bearer ${github.token}`);
      assert.equal(r.apiVersion, '2022-11-28');
      assert.equal(r.userAgent, 'incident-response');
    }
    assert.deepEqual(github.requests[1]?.body, {
      title: 'Postmortem: [SEV-1] Checkout errors after deploy (inc-20250609-ab12)',
      body: postmortemMarkdown(incident(), DUE, { maxChars: 65_536 }),
      labels: ['postmortem', 'SEV-1'],
    });
    assert.deepEqual(
      github.issues[0]?.labels.map((l) => l.name),
      ['postmortem', 'SEV-1'],
    );
  });

  it('a retry after a crash finds the issue by its marker and never opens a second one', async () => {
    await writer().create(request());
    github.requests.length = 0;
    // A fresh writer, as a restarted worker retrying the activity would have.
    const retry = await writer().create(request());
    assert.deepEqual(retry, {
      destination: 'GitHub issue #1',
      duplicate: true,
      location: 'https://github.com/acme/incidents/issues/1',
    });
    assert.deepEqual(
      github.requests.map((r) => r.method),
      ['GET'],
    );
    assert.equal(github.issues.length, 1);
  });

  it("ignores pull requests and other incidents' postmortems that quote the marker, and follows pagination", async () => {
    const marker = '<!-- incident-response:inc-20250609-ab12 -->';
    github.seed({
      title: 'a PR',
      body: `${marker}\n`,
      labels: [{ id: 1, name: 'postmortem' }],
      pull_request: { url: 'x' },
    });
    github.seed({
      title: 'quotes it',
      body: `<!-- incident-response:other -->\nsee ${marker}`,
      labels: [{ id: 1, name: 'postmortem' }],
    });
    const ours = github.seed({
      title: 'ours',
      body: `${marker}\n# Postmortem`,
      labels: [{ id: 1, name: 'postmortem' }],
    });
    for (let i = 0; i < 150; i++) {
      github.seed({
        title: `older ${i}`,
        body: `<!-- incident-response:old-${i} -->`,
        labels: [{ id: 1, name: 'postmortem' }],
      });
    }
    // Newest first: ours (#3) is on the second page of 100.
    const receipt = await writer().create(request());
    assert.deepEqual(receipt, {
      destination: `GitHub issue #${ours.number}`,
      duplicate: true,
      location: ours.html_url,
    });
    assert.deepEqual(
      github.requests.map((r) => `${r.method} ${new URL(r.url, 'http://x').searchParams.get('page') ?? '1'}`),
      ['GET 1', 'GET 2'],
    );
  });

  it("fits a huge timeline into GitHub's 65,536-character body limit", async () => {
    const timeline: TimelineEntry[] = Array.from({ length: 3000 }, (_, i) => ({
      at: T0 + i * 1000,
      type: 'note',
      actor: 'scribe',
      message: `observation ${i} ${'.'.repeat(40)}`,
    }));
    const receipt = await writer().create(request({ timeline }));
    assert.equal(receipt.duplicate, false);
    assert.ok((github.issues[0]?.body?.length ?? 0) <= 65_536);
  });

  for (const [label, status, setup, pattern] of [
    [
      'bad credentials (401)',
      401,
      () => writer({ token: 'ghp_wrongtoken0000000000000000000000000' }),
      /answered 401: Bad credentials \(check GITHUB_TOKEN\)/,
    ],
    [
      'unknown repository (404)',
      404,
      () => writer({ repo: 'acme/nope' }),
      /answered 404: Not Found \(check GITHUB_REPO/,
    ],
  ] as const) {
    it(`${label} is permanent and readable, without the token`, async () => {
      const error = await rejectionOf(setup().create(request()));
      assert.ok(error instanceof ApplicationFailure, error.message);
      assert.equal(error.nonRetryable, true);
      assert.equal(error.type, PostmortemErrorType.GitHubRejected);
      assert.match(error.message, pattern);
      assert.equal(github.requests.length, 1);
      assert.equal(github.requests[0]?.method, 'GET');
      assert.match(error.message, new RegExp(`answered ${status}`));
      assertNoToken(error);
    });
  }

  it('no permission (403) and a refused issue (422) are permanent and readable', async () => {
    github.failNext(1, { status: 403 });
    const forbidden = await rejectionOf(writer().create(request()));
    assert.ok(forbidden instanceof ApplicationFailure);
    assert.equal(forbidden.nonRetryable, true);
    assert.equal(forbidden.type, PostmortemErrorType.GitHubRejected);
    assert.match(
      forbidden.message,
      /answered 403: Resource not accessible by personal access token \(the token lacks permission/,
    );

    github.requests.length = 0;
    github.failNext(1, { status: 422, method: 'POST', message: 'Validation Failed' });
    const refused = await rejectionOf(writer().create(request()));
    assert.ok(refused instanceof ApplicationFailure);
    assert.equal(refused.nonRetryable, true);
    assert.equal(
      refused.message,
      'GitHub POST /repos/acme/incidents/issues answered 422: Validation Failed (GitHub refused the issue)',
    );
    assert.deepEqual(
      github.requests.map((r) => r.method),
      ['GET', 'POST'],
    );
    assert.equal(github.issues.length, 0);
    assertNoToken(refused);
  });

  it('rate limits (429 with Retry-After, 403 with x-ratelimit-remaining: 0) retry after the delay GitHub asks for', async () => {
    github.failNext(1, { status: 429, headers: { 'retry-after': '30' } });
    const limited = await rejectionOf(writer().create(request()));
    assert.ok(limited instanceof ApplicationFailure);
    assert.equal(limited.nonRetryable, false);
    assert.equal(limited.type, PostmortemErrorType.GitHubRateLimited);
    assert.equal(limited.nextRetryDelay, 30_000);

    const reset = Math.ceil(Date.now() / 1000) + 120;
    github.failNext(1, {
      status: 403,
      message: 'API rate limit exceeded for user ID 1.',
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) },
    });
    const primary = await rejectionOf(writer().create(request()));
    assert.ok(primary instanceof ApplicationFailure);
    assert.equal(primary.nonRetryable, false);
    const delay = Number(primary.nextRetryDelay);
    assert.ok(delay > 100_000 && delay <= 122_000, `${delay}`);
    assert.equal(github.issues.length, 0);
  });

  it('server errors and an unreachable API are transient: ordinary errors that Temporal retries, without the token', async () => {
    github.failNext(1, { status: 502 });
    const server = await rejectionOf(writer().create(request()));
    assert.ok(!(server instanceof ApplicationFailure));
    assert.equal(server.message, 'GitHub GET /repos/acme/incidents/issues answered 502: Server Error');
    assertNoToken(server);

    const dead = await startFakeGitHub();
    await dead.close();
    const unreachable = await rejectionOf(
      githubIssuePostmortem({ apiUrl: dead.url, token: github.token, repo: github.repo }).create(request()),
    );
    assert.ok(!(unreachable instanceof ApplicationFailure));
    assert.equal(unreachable.message, 'GitHub GET /repos/acme/incidents/issues failed: ECONNREFUSED');
    assertNoToken(unreachable);
    // The next attempt succeeds and opens exactly one issue.
    await writer().create(request());
    assert.equal(github.issues.length, 1);
  });

  it('refuses a repository not written owner/name at construction', () => {
    assert.throws(() => githubIssuePostmortem({ token: 't', repo: 'just-a-name' }), /owner\/name, not "just-a-name"/);
  });
});
