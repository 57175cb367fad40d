import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { XMLParser } from 'fast-xml-parser';
import { atlassianStatusPage } from '../../../src/activities/status-page/atlassian-statuspage';
import { StatusBoard } from '../../../src/api/status/board';
import { IncidentService } from '../../../src/client/service';
import { buildPolicy } from '../../../src/domain/policy';
import { startFakeStatuspageApi, type FakeStatuspageApi } from '../../fakes/statuspage-api';
import { createDevServerEnv } from '../../support/temporal';
import { startHarness, TEST_POLICY, type Harness } from '../../workflows/harness';
import { startApi, type RunningApi } from '../server';

const PUBLIC_TEXT = 'Some card payments fail. We are rolling back the latest release.';
const HYPOTHESIS = 'HYPOTHESIS-B pool leak in build 4512';
const STATUS_PAGE = { name: 'Example status', components: [{ name: 'Checkout', services: ['payments'] }] };

interface UpdateDoc {
  status: string;
  body: string;
}
interface IncidentDoc {
  id: string;
  status: string;
  incident_updates: UpdateDoc[];
}

/**
 * A team's own user-facing template (policy `templates.user-facing-update`) is what the public reads: the built-in
 * page (HTML, Statuspage JSON, Atom) and Atlassian Statuspage show the same rendering, made once by the worker. The
 * API here is built from a policy without the template: it shows what the incident holds and renders nothing itself.
 */
describe('the status page shows the team’s user-facing template (dev server, loopback Statuspage)', () => {
  let env: TestWorkflowEnvironment;
  let harness: Harness;
  let statuspage: FakeStatuspageApi;
  let service: IncidentService;
  let api: RunningApi;
  before(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'team-public-template-'));
    const template = path.join(dir, 'public.eta');
    writeFileSync(
      template,
      [
        'ACME status: <%= it.headline %>',
        '',
        'ACME <%= it.phase %> on <%= it.service %>: <%= it.publicText ?? "our engineers are on it" %>',
        '',
        'Hypothesis: <%= it.hypothesis %>',
        'Next ACME update: <%= it.nextPublicUpdate %>',
        '',
      ].join('\n'),
    );
    statuspage = await startFakeStatuspageApi();
    env = await createDevServerEnv();
    harness = await startHarness(env, {
      policy: { ...TEST_POLICY, statusPage: STATUS_PAGE, templates: { 'user-facing-update': template } },
      override: () => ({
        statusPage: atlassianStatusPage({
          apiUrl: statuspage.url,
          apiKey: statuspage.apiKey,
          pageId: statuspage.pageId,
          componentIds: { payments: ['cmpCheckout'] },
          minIntervalMs: 0,
        }),
      }),
    });
    service = new IncidentService(env.client, { taskQueue: harness.taskQueue });
    const policy = buildPolicy({ ...TEST_POLICY, statusPage: STATUS_PAGE });
    api = await startApi(service, { policy, statusBoard: new StatusBoard(service, { ttlMs: 0 }) });
  });
  after(async () => {
    await api?.close();
    await harness?.stop();
    await env?.teardown();
    await statuspage?.close();
  });

  /** Until `ok` holds or fifteen seconds pass (Visibility and the deliveries land a moment later). */
  const until = async <T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const value = await read();
      if (ok(value) || Date.now() > deadline) return value;
      await sleep(200);
    }
  };
  const incidentsJson = async () => {
    const answer = await api.call('GET', '/status/api/v2/incidents.json', { token: null });
    assert.equal(answer.status, 200);
    return (answer.body as unknown as { incidents: IncidentDoc[] }).incidents;
  };
  const onStatuspage = () => [...statuspage.incidents.values()][0];

  it('the page, its JSON, its feed and Statuspage show one rendering of the team’s template, public text only', async () => {
    const { incidentId: id } = await service.declare({
      id: 'team-template',
      title: 'Card payments failing',
      severity: 'SEV-2',
      service: 'payments',
      summary: 'declines at 40% (internal summary)',
      commander: 'dana',
    });
    await service.command('postStatusUpdate', id, {
      impact: '40% of card payments fail',
      hypothesis: HYPOTHESIS,
      userFacing: PUBLIC_TEXT,
      by: 'dana',
    });
    const shown = await until(
      async () => (await incidentsJson()).find((incident) => incident.id === id),
      (incident) => incident?.incident_updates.length === 2,
    );
    const bodies = shown?.incident_updates.map((update) => update.body) ?? [];
    assert.equal(bodies.length, 2, JSON.stringify(shown));
    const next = /\nNext ACME update: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
    assert.ok(bodies[0]!.startsWith(`ACME investigating on payments: ${PUBLIC_TEXT}\n`), bodies[0]);
    assert.ok(bodies[1]!.startsWith('ACME investigating on payments: our engineers are on it\n'), bodies[1]);
    for (const body of bodies) assert.match(body, next);

    // The provider received the very same text: rendered once, by the worker, for both.
    const received = await until(
      () => Promise.resolve(onStatuspage()),
      (incident) => (incident?.incident_updates.length ?? 0) >= 2,
    );
    assert.deepEqual(
      received?.incident_updates.map((update) => update.body),
      bodies,
      'Statuspage got what the built-in page shows',
    );

    const html = await (await fetch(`${api.url}/status`)).text();
    assert.ok(html.includes('ACME investigating on payments: our engineers are on it'), 'the HTML page shows it');
    const feed = new XMLParser({ isArray: (name) => name === 'entry' }).parse(
      await (await fetch(`${api.url}/status/history.atom`)).text(),
    ) as { feed: { entry: Array<{ content: unknown }> } };
    const contents = feed.feed.entry.map((entry) => JSON.stringify(entry.content));
    assert.equal(contents.filter((content) => content.includes('ACME investigating on payments')).length, 2);

    const summary = await api.call('GET', '/status/api/v2/summary.json', { token: null });
    const everything = [JSON.stringify(summary.body), html, ...contents, JSON.stringify(received)].join('\n');
    // The template asked for a hypothesis: the public facts have none to give it. The workflow's own line is gone.
    for (const never of [HYPOTHESIS, 'internal summary', 'dana', 'We are investigating an issue affecting']) {
      assert.ok(!everything.includes(never), `the public reads "${never}"`);
    }

    await service.command('acknowledge', id, { by: 'dana' });
    await service.command('resolve', id, { summary: 'rolled back', by: 'dana', unverified: 'no smoke checks' });
    const resolved = await until(
      async () => (await incidentsJson()).find((incident) => incident.id === id),
      (incident) => incident?.status === 'resolved',
    );
    assert.equal(resolved?.incident_updates[0]?.body, 'ACME resolved on payments: our engineers are on it');
    const closedOnStatuspage = await until(
      () => Promise.resolve(onStatuspage()),
      (incident) => incident?.status === 'resolved',
    );
    assert.equal(closedOnStatuspage?.incident_updates[0]?.body, resolved?.incident_updates[0]?.body);
  });
});
