import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { z } from 'zod';
import { StatusBoard, type IncidentSource } from '../../../src/api/status/board';
import { IncidentService } from '../../../src/client/service';
import { buildPolicy } from '../../../src/domain/policy';
import { launchChromium } from '../../support/web-ui';
import { createDevServerEnv } from '../../support/temporal';
import { startHarness, TEST_POLICY, type Harness } from '../../workflows/harness';
import { startApi, type RunningApi } from '../server';

/**
 * The documented fields of Atlassian Statuspage's public status API (v2), which widgets and aggregators read:
 * page, components, incidents with their updates, and the status rollup. Strict objects: a field missing or one
 * the API does not document fails the test.
 */
const iso = z.iso.datetime({ offset: true });
const documented = {
  page: z.strictObject({ id: z.string(), name: z.string(), url: z.url(), time_zone: z.string(), updated_at: iso }),
  component: z.strictObject({
    id: z.string(),
    name: z.string(),
    status: z.enum(['operational', 'degraded_performance', 'partial_outage', 'major_outage']),
    created_at: iso,
    updated_at: iso,
    position: z.number().int(),
    description: z.string().nullable(),
    showcase: z.boolean(),
    start_date: z.string().nullable(),
    group_id: z.string().nullable(),
    page_id: z.string(),
    group: z.boolean(),
    only_show_if_degraded: z.boolean(),
  }),
  status: z.strictObject({ indicator: z.enum(['none', 'minor', 'major', 'critical']), description: z.string() }),
};
const incidentUpdate = z.strictObject({
  id: z.string(),
  status: z.enum(['investigating', 'identified', 'monitoring', 'resolved', 'postmortem']),
  body: z.string(),
  incident_id: z.string(),
  created_at: iso,
  updated_at: iso,
  display_at: iso,
  affected_components: z.array(z.strictObject({ code: z.string(), name: z.string(), new_status: z.string() })),
  deliver_notifications: z.boolean(),
  custom_tweet: z.string().nullable(),
  tweet_id: z.string().nullable(),
});
const incident = z.strictObject({
  id: z.string(),
  name: z.string(),
  status: z.enum(['investigating', 'identified', 'monitoring', 'resolved', 'postmortem']),
  created_at: iso,
  updated_at: iso,
  monitoring_at: iso.nullable(),
  resolved_at: iso.nullable(),
  impact: z.enum(['none', 'minor', 'major', 'critical']),
  shortlink: z.url(),
  started_at: iso,
  page_id: z.string(),
  incident_updates: z.array(incidentUpdate),
  components: z.array(documented.component),
});
const summary = z.strictObject({
  page: documented.page,
  components: z.array(documented.component),
  incidents: z.array(incident),
  scheduled_maintenances: z.array(z.unknown()),
  status: documented.status,
});
const incidents = z.strictObject({ page: documented.page, incidents: z.array(incident) });

const POLICY = {
  ...TEST_POLICY,
  statusPage: {
    name: 'Example status',
    components: [
      { name: 'Checkout', services: ['checkout', 'payments'], description: 'Cart and payment' },
      { name: 'Search', services: ['search'] },
      { name: 'Login', services: ['login'] },
      { name: 'Billing', services: ['billing'] },
      { name: 'Catalog', services: ['catalog'] },
    ],
  },
};

const PUBLIC_TEXT = 'Some payments fail at checkout. We are rolling back the latest release.';
const HYPOTHESIS = 'connection pool leak in build 4512 (ask Dana)';

/** Counts what the board asks Temporal: one Visibility list, and one query per incident it shows. */
function countingSource(service: IncidentService) {
  const counts = { lists: 0, queries: 0 };
  const source: IncidentSource = {
    list: (filter) => (counts.lists++, service.list(filter)),
    show: (id) => (counts.queries++, service.show(id)),
  };
  return { counts, source };
}

describe('the built-in status page against the dev server', () => {
  let env: TestWorkflowEnvironment;
  let harness: Harness;
  let service: IncidentService;
  let api: RunningApi;
  before(async () => {
    env = await createDevServerEnv();
    harness = await startHarness(env, { policy: POLICY });
    service = new IncidentService(env.client, { taskQueue: harness.taskQueue });
    // Fresh on every read here: these tests look at each change as soon as it is made.
    api = await startApi(service, { policy: buildPolicy(POLICY), statusBoard: new StatusBoard(service, { ttlMs: 0 }) });
  });
  after(async () => {
    await api?.close();
    await harness?.stop();
    await env?.teardown();
  });

  const read = async <T>(route: string, schema: z.ZodType<T>) => {
    const answer = await api.call('GET', route, { token: null });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return { body: schema.parse(answer.body), headers: answer.headers, raw: JSON.stringify(answer.body) };
  };
  /** Visibility is eventually consistent: read until `ok` holds or ten seconds pass. */
  const until = async <T>(readIt: () => Promise<T>, ok: (value: T) => boolean): Promise<T> => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const value = await readIt();
      if (ok(value) || Date.now() > deadline) return value;
      await sleep(200);
    }
  };
  const componentStatus = (doc: z.infer<typeof summary>, name: string) =>
    doc.components.find((component) => component.name === name)?.status;

  it('shows a live SEV-2 with its public text only, in Statuspage’s shape, the page, the feed and a browser', async () => {
    const { incidentId: id } = await service.declare({
      id: 'status-sev2',
      title: 'Checkout payments failing',
      severity: 'SEV-2',
      service: 'payments',
      summary: 'card declines at 40%',
      commander: 'dana',
    });
    await service.command('postStatusUpdate', id, {
      impact: '40% of card payments fail',
      hypothesis: HYPOTHESIS,
      userFacing: PUBLIC_TEXT,
      by: 'dana',
    });
    // Never on the page: a security incident and a drill, on components of their own.
    await service.declare({
      id: 'status-security',
      title: 'Credential stuffing on login',
      severity: 'SEV-1',
      service: 'login',
      security: true,
    });
    await service.declare({
      id: 'status-drill',
      title: 'Game day: search down',
      severity: 'SEV-1',
      service: 'search',
      drill: true,
    });

    const live = await until(
      () => read('/status/api/v2/summary.json', summary),
      ({ body }) => body.incidents.some((i) => i.id === id && i.incident_updates.length === 2),
    );
    const shown = live.body.incidents.find((i) => i.id === id);
    assert.ok(shown, 'the SEV-2 is on the page');
    assert.equal(shown.impact, 'major');
    assert.equal(shown.name, 'Checkout payments failing');
    // The default user-facing template: the public text (or the phase's own line), then when the page hears next.
    const next = '\nNext update: \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z$';
    const bodies = shown.incident_updates.map((update) => update.body);
    assert.equal(bodies.length, 2, 'public updates, newest first');
    assert.match(bodies[0]!, new RegExp(`^${PUBLIC_TEXT}${next}`));
    assert.match(
      bodies[1]!,
      new RegExp(`^We are investigating an issue affecting payments\\. We will post an update soon\\.${next}`),
    );
    assert.deepEqual(
      shown.components.map((component) => component.name),
      ['Checkout'],
    );
    assert.equal(componentStatus(live.body, 'Checkout'), 'partial_outage', 'SEV-2 is a partial outage');
    assert.equal(componentStatus(live.body, 'Login'), 'operational', 'the security incident does not show');
    assert.equal(componentStatus(live.body, 'Search'), 'operational', 'the drill does not show');
    assert.deepEqual(live.body.status, { indicator: 'major', description: 'Partial System Outage' });
    for (const secret of [HYPOTHESIS, 'Credential stuffing', 'Game day', 'dana', 'card declines']) {
      assert.ok(!live.raw.includes(secret), `summary.json leaks "${secret}"`);
    }
    assert.equal(live.headers.get('cache-control'), 'public, max-age=10');

    // Conditional reads: the same document answers 304 to its ETag and to its Last-Modified.
    const etag = live.headers.get('etag');
    const lastModified = live.headers.get('last-modified');
    assert.ok(etag && lastModified, 'ETag and Last-Modified are set');
    const summaryUrl = `${api.url}/status/api/v2/summary.json`;
    assert.equal((await fetch(summaryUrl, { headers: { 'if-none-match': etag } })).status, 304);
    assert.equal((await fetch(summaryUrl, { headers: { 'if-modified-since': lastModified } })).status, 304);

    const history = await read('/status/api/v2/incidents.json', incidents);
    assert.ok(history.body.incidents.some((i) => i.id === id));
    assert.ok(!history.body.incidents.some((i) => i.id === 'status-security' || i.id === 'status-drill'));

    // The feed: valid XML, Atom's required elements, one entry per public update, the text as written.
    const feed = await fetch(`${api.url}/status/history.atom`);
    assert.equal(feed.status, 200);
    assert.match(feed.headers.get('content-type') ?? '', /^application\/atom\+xml/);
    assert.ok(feed.headers.get('etag') && feed.headers.get('last-modified'));
    const xml = await feed.text();
    assert.equal(XMLValidator.validate(xml), true);
    const parsed = new XMLParser({
      ignoreAttributes: false,
      isArray: (name) => name === 'entry' || name === 'link',
    }).parse(xml) as {
      feed: {
        '@_xmlns': string;
        id: string;
        title: unknown;
        updated: string;
        author: { name: string };
        entry: Array<{
          id: string;
          title: unknown;
          updated: string;
          content: unknown;
          link: Array<{ '@_href': string }>;
        }>;
      };
    };
    assert.equal(parsed.feed['@_xmlns'], 'http://www.w3.org/2005/Atom');
    assert.ok(parsed.feed.id && parsed.feed.updated && parsed.feed.author.name);
    const entries = parsed.feed.entry.filter((entry) => entry.link[0]?.['@_href'].endsWith(`#incident-${id}`));
    assert.equal(entries.length, 2, 'one entry per public update');
    assert.ok(entries.every((entry) => entry.id && !Number.isNaN(Date.parse(entry.updated))));
    assert.match(JSON.stringify(entries[0]?.content), /rolling back the latest release/);
    assert.ok(!xml.includes(HYPOTHESIS) && !xml.includes('Credential stuffing') && !xml.includes('Game day'));

    // A person on a phone-sized screen, no script.
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      await page.setViewportSize({ width: 390, height: 844 });
      const response = await page.goto(`${api.url}/status`);
      assert.equal(response?.status(), 200);
      assert.equal(response?.headers()['cache-control'], 'public, max-age=10');
      const screenshot = path.join(tmpdir(), `status-page-${process.pid}.png`);
      await page.screenshot({ path: screenshot, fullPage: true });
      console.log(`status page screenshot: ${screenshot}`);
      const text = await page.locator('body').innerText();
      assert.ok(text.includes(PUBLIC_TEXT), 'the public text is visible');
      assert.ok(!text.includes(HYPOTHESIS), 'the hypothesis is not');
      assert.ok(!text.includes('Credential stuffing') && !text.includes('Game day'));
      assert.match(text, /Partial System Outage/);
      assert.match(text, /Next update by \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
      assert.equal(await page.locator('script').count(), 0, 'no script');
      const width = await page.evaluate<number>('document.documentElement.scrollWidth');
      assert.ok(width <= 390, `fits a phone's width (${width}px)`);
    } finally {
      await browser.close();
    }

    // Resolution clears the component and moves the incident to the history.
    await service.command('acknowledge', id, { by: 'dana' });
    await service.command('resolve', id, { summary: 'rolled back', by: 'dana', unverified: 'no smoke checks' });
    const cleared = await until(
      () => read('/status/api/v2/summary.json', summary),
      ({ body }) => componentStatus(body, 'Checkout') === 'operational',
    );
    assert.equal(componentStatus(cleared.body, 'Checkout'), 'operational');
    assert.deepEqual(cleared.body.status, { indicator: 'none', description: 'All Systems Operational' });
    assert.ok(!cleared.body.incidents.some((i) => i.id === id));
    const past = (await read('/status/api/v2/incidents.json', incidents)).body.incidents.find((i) => i.id === id);
    assert.equal(past?.status, 'resolved');
    assert.ok(past?.resolved_at);
    assert.equal(past?.incident_updates[0]?.status, 'resolved');
  });

  it('takes the worst open severity per component and escapes what people wrote', async () => {
    await service.declare({
      id: 'status-sev3',
      title: 'Slow catalog <b>images</b>',
      severity: 'SEV-3',
      service: 'catalog',
    });
    await service.declare({ id: 'status-billing2', title: 'Invoices delayed', severity: 'SEV-2', service: 'billing' });
    const { incidentId } = await service.declare({
      id: 'status-billing1',
      title: 'Billing down',
      severity: 'SEV-1',
      service: 'billing',
    });
    const live = await until(
      () => read('/status/api/v2/summary.json', summary),
      ({ body }) => componentStatus(body, 'Billing') === 'major_outage',
    );
    assert.equal(componentStatus(live.body, 'Billing'), 'major_outage', `SEV-1 outranks the SEV-2: ${live.raw}`);
    assert.equal(live.body.status.indicator, 'critical');
    // SEV-3 has no status page by default: nothing was published, so the page says nothing of it.
    assert.equal(componentStatus(live.body, 'Catalog'), 'operational');
    await service.command('changeSeverity', incidentId, { severity: 'SEV-3', by: 'dana' });
    const downgraded = await until(
      () => read('/status/api/v2/summary.json', summary),
      ({ body }) => componentStatus(body, 'Billing') === 'partial_outage',
    );
    assert.equal(componentStatus(downgraded.body, 'Billing'), 'partial_outage', 'the SEV-2 remains');

    await service.command('postStatusUpdate', 'status-billing2', {
      impact: 'x',
      hypothesis: 'y',
      userFacing: 'Invoices <script>alert(1)</script> are late & we know why',
      by: 'dana',
    });
    const html = await until(
      async () => (await fetch(`${api.url}/status`)).text(),
      (text) => text.includes('Invoices &lt;script&gt;alert(1)&lt;/script&gt; are late &amp; we know why'),
    );
    assert.ok(html.includes('Invoices &lt;script&gt;alert(1)&lt;/script&gt; are late &amp; we know why'));
    assert.ok(!html.includes('<script>'));
  });

  it('serves 200 concurrent readers for 10 s during 20 open incidents with a bounded number of Temporal queries', async () => {
    const declared = await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        service.declare({ id: `status-load-${n}`, title: `Load ${n}`, severity: 'SEV-2', service: `load-${n}` }),
      ),
    );
    assert.equal(declared.length, 20);
    const ttlMs = 2_000;
    const { counts, source } = countingSource(service);
    const board = new StatusBoard(source, { ttlMs });
    const loadApi = await startApi(service, { policy: buildPolicy(POLICY), statusBoard: board });
    try {
      await until(
        () => board.read(),
        (snapshot) => snapshot.incidents.filter((i) => i.id.startsWith('status-load-') && i.open).length === 20,
      );
      const listed = (await service.list({ drill: false, limit: 200 })).length;
      const before = { ...counts };
      const durationMs = 10_000;
      const started = Date.now();
      const stopAt = started + durationMs;
      const outcomes = { ok: 0, errors: 0, statuses: new Map<number, number>() };
      const reader = async () => {
        while (Date.now() < stopAt) {
          try {
            const response = await fetch(`${loadApi.url}/status`);
            const html = await response.text();
            if (response.status === 200 && html.includes('Load 19')) outcomes.ok++;
            else {
              outcomes.errors++;
              outcomes.statuses.set(response.status, (outcomes.statuses.get(response.status) ?? 0) + 1);
            }
          } catch {
            outcomes.errors++;
          }
        }
      };
      await Promise.all(Array.from({ length: 200 }, reader));
      const elapsed = Date.now() - started;
      const queries = counts.queries - before.queries;
      const lists = counts.lists - before.lists;
      const refreshes = Math.ceil(elapsed / ttlMs) + 1;
      console.log(
        `status page load: ${outcomes.ok} pages in ${elapsed} ms by 200 readers (${Math.round((outcomes.ok * 1000) / elapsed)}/s), ` +
          `${outcomes.errors} errors; Temporal: ${lists} Visibility lists and ${queries} incident queries ` +
          `(${listed} incidents listed, bound ${refreshes} refreshes × ${listed})`,
      );
      assert.equal(outcomes.errors, 0, `errors by status: ${JSON.stringify([...outcomes.statuses])}`);
      assert.ok(outcomes.ok > 200, 'every reader was served');
      assert.ok(lists <= refreshes, `${lists} lists in ${elapsed} ms with a ${ttlMs} ms cache`);
      assert.ok(queries <= refreshes * listed, `${queries} queries for ${listed} incidents`);
    } finally {
      await loadApi.close();
    }
  });
});
