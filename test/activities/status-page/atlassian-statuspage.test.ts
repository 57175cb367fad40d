import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import {
  atlassianStatusPage,
  type AtlassianStatusPageOptions,
} from '../../../src/activities/status-page/atlassian-statuspage';
import type { StatusPageRequest } from '../../../src/activities/types';
import { startFakeStatuspageApi, type FakeStatuspageApi } from '../../fakes/statuspage-api';
import { assertPermanent, assertRetryable, rejectionOf } from '../failures';

let step = 0;
function request(overrides: Partial<StatusPageRequest> = {}): StatusPageRequest {
  step += 1;
  return {
    incidentId: 'INC-7',
    key: `incident-INC-7/${step}-status-page`,
    drill: false,
    security: false,
    title: 'Checkout errors',
    severity: 'SEV-1',
    service: 'checkout',
    phase: 'investigating',
    message: 'We are investigating an issue affecting checkout.',
    ...overrides,
  };
}

describe('Atlassian Statuspage (global fetch against a loopback Statuspage API)', () => {
  let api: FakeStatuspageApi;
  let options: AtlassianStatusPageOptions;

  before(async () => {
    api = await startFakeStatuspageApi();
    // Throttling is measured on its own token below; here it would only slow the suite down.
    options = {
      apiUrl: api.url,
      apiKey: api.apiKey,
      pageId: api.pageId,
      componentIds: { checkout: ['cmpCheckout'], api: ['cmpApi'] },
      minIntervalMs: 0,
    };
  });
  beforeEach(() => api.reset());
  after(() => api.close());

  const methods = () =>
    api.requests.map((r) => `${r.method} ${r.url.replace(/\/incidents\/[0-9a-f]{12}$/, '/incidents/:id')}`);

  it('creates the incident at the first update and moves it through every phase to resolved', async () => {
    const statusPage = atlassianStatusPage(options);
    const first = await statusPage.publish(request());
    assert.equal(first.duplicate, false);
    assert.equal(api.incidents.size, 1);
    const incident = [...api.incidents.values()][0]!;
    assert.match(first.destination, new RegExp(`Statuspage incident ${incident.id} \\(investigating\\)`));

    const create = api.requests.find((r) => r.method === 'POST');
    assert.equal(create?.authorization, `OAuth ${api.apiKey}`);
    assert.deepEqual(create?.body, {
      incident: {
        name: 'Checkout errors',
        status: 'investigating',
        body: 'We are investigating an issue affecting checkout.',
        component_ids: ['cmpCheckout'],
        components: { cmpCheckout: 'major_outage' },
        metadata: { incident_response: { incident_id: 'INC-7', last_key: `incident-INC-7/${step}-status-page` } },
      },
    });
    assert.equal(api.componentStatus.get('cmpCheckout'), 'major_outage');
    assert.equal(api.componentStatus.get('cmpApi'), 'operational', 'only the service\u2019s components');

    for (const phase of ['identified', 'monitoring', 'resolved'] as const) {
      await statusPage.publish(request({ phase, message: `now ${phase}` }));
    }
    assert.equal(api.incidents.size, 1, 'one Statuspage incident per incident');
    assert.equal(incident.status, 'resolved');
    assert.deepEqual(incident.incident_updates.map((u) => u.status).reverse(), [
      'investigating',
      'identified',
      'monitoring',
      'resolved',
    ]);
    assert.equal(incident.incident_updates[0]?.body, 'now resolved');
    assert.equal(api.componentStatus.get('cmpCheckout'), 'operational', 'resolved puts the component back');
    // Every update reads the incident as the page holds it first: another worker may have changed it since.
    assert.deepEqual(methods(), [
      'GET /pages/pg1abc/incidents/unresolved',
      'POST /pages/pg1abc/incidents',
      ...Array.from({ length: 3 }, () => [
        'GET /pages/pg1abc/incidents/:id',
        'PATCH /pages/pg1abc/incidents/:id',
      ]).flat(),
    ]);
  });

  it('maps severity to component status', async () => {
    const expected = {
      'SEV-1': 'major_outage',
      'SEV-2': 'partial_outage',
      'SEV-3': 'degraded_performance',
      'SEV-4': 'degraded_performance',
    } as const;
    for (const [severity, status] of Object.entries(expected)) {
      const statusPage = atlassianStatusPage({ ...options, componentIds: ['cmpApi'] });
      await statusPage.publish(request({ incidentId: `INC-${severity}`, severity: severity as keyof typeof expected }));
      assert.equal(api.componentStatus.get('cmpApi'), status, severity);
    }
  });

  it('a repeated key is recognised, in the same process and after a restart, without a second update', async () => {
    const statusPage = atlassianStatusPage(options);
    const sent = request();
    await statusPage.publish(sent);
    const again = await statusPage.publish(sent);
    assert.equal(again.duplicate, true);

    const restarted = atlassianStatusPage(options);
    const afterRestart = await restarted.publish(sent);
    assert.equal(afterRestart.duplicate, true, 'the key in the incident metadata says it was applied');
    const incident = [...api.incidents.values()][0]!;
    assert.equal(incident.incident_updates.length, 1);
    assert.equal(api.requests.filter((r) => r.method !== 'GET').length, 1);
  });

  it('after a restart, a new provider finds the open incident by its metadata and updates it', async () => {
    await atlassianStatusPage(options).publish(request());
    const restarted = atlassianStatusPage(options);
    const receipt = await restarted.publish(request({ phase: 'identified', message: 'Cause found.' }));
    assert.equal(receipt.duplicate, false);
    assert.equal(api.incidents.size, 1);
    assert.equal([...api.incidents.values()][0]!.status, 'identified');
    assert.deepEqual(methods().slice(2), [
      'GET /pages/pg1abc/incidents/unresolved',
      'PATCH /pages/pg1abc/incidents/:id',
    ]);
  });

  it('a resolution retried after a restart finds the incident already resolved', async () => {
    const statusPage = atlassianStatusPage(options);
    await statusPage.publish(request());
    const resolved = request({ phase: 'resolved', message: 'Fixed.' });
    await statusPage.publish(resolved);
    const receipt = await atlassianStatusPage(options).publish(resolved);
    assert.equal(receipt.duplicate, true);
    assert.equal([...api.incidents.values()][0]!.incident_updates.length, 2);
  });

  it('a late retry of an earlier update does not move the incident backwards', async () => {
    const statusPage = atlassianStatusPage(options);
    const investigating = request();
    const identified = request({ phase: 'identified' });
    await statusPage.publish(identified);
    const late = await atlassianStatusPage(options).publish(investigating);
    assert.equal(late.duplicate, true);
    assert.match(late.destination, /skipped/);
    assert.equal([...api.incidents.values()][0]!.status, 'identified');
  });

  it('an older update retried on a worker that applied an even older one never overwrites a newer one', async () => {
    // Two workers' providers: A applied step 1 and B step 3; A's retry of step 2 must see step 3 on the page.
    const [a, b] = [atlassianStatusPage(options), atlassianStatusPage(options)];
    const first = request();
    const second = request({ phase: 'identified', message: 'Cause found.' });
    const third = request({ phase: 'monitoring', message: 'Fix deployed.' });
    await a.publish(first);
    await b.publish(third);
    const late = await a.publish(second);
    assert.equal(late.duplicate, true);
    assert.match(late.destination, /a later update is already there/);
    const incident = [...api.incidents.values()][0]!;
    assert.equal(incident.status, 'monitoring');
    assert.equal(incident.incident_updates[0]?.body, 'Fix deployed.');
    assert.equal(incident.metadata.incident_response?.last_key, third.key);
  });

  it('an incident deleted by hand is looked up again instead of patched', async () => {
    const statusPage = atlassianStatusPage(options);
    await statusPage.publish(request());
    api.incidents.clear();
    await statusPage.publish(request({ phase: 'identified' }));
    assert.equal(api.incidents.size, 1);
    assert.equal([...api.incidents.values()][0]!.status, 'identified');
  });

  it('resolving an incident that never reached the page is a readable permanent failure', async () => {
    const failure = await rejectionOf(atlassianStatusPage(options).publish(request({ phase: 'resolved' })));
    assertPermanent(failure, 'StatusPageNothingToResolve');
    assert.match(failure.message, /no Statuspage incident for INC-7 to resolve/);
    assert.equal(api.incidents.size, 0);
  });

  it('refuses drills and security incidents before any request', async () => {
    for (const flag of [{ drill: true }, { security: true }]) {
      const failure = await rejectionOf(atlassianStatusPage(options).publish(request(flag)));
      assertPermanent(failure, 'StatusPageRefused');
    }
    assert.equal(api.requests.length, 0);
  });

  it('429 is retryable after Retry-After, and holds back the token\u2019s next request', async () => {
    api.failNext(1, { status: 429, retryAfter: 1 });
    const statusPage = atlassianStatusPage(options);
    const failure = await rejectionOf(statusPage.publish(request()));
    assert.ok(failure instanceof ApplicationFailure);
    assert.equal(failure.nonRetryable, false);
    assert.equal(failure.type, 'StatusPageRateLimited');
    assert.equal(failure.nextRetryDelay, 1000);

    await statusPage.publish(request());
    const [limited, next] = api.requests;
    assert.ok(next!.at - limited!.at >= 950, `waited ${next!.at - limited!.at} ms after the 429`);
    assert.equal(api.incidents.size, 1);
  });

  for (const status of [500, 502, 503]) {
    it(`${status} is retryable, and the retry creates the incident once`, async () => {
      api.failNext(1, { status });
      const statusPage = atlassianStatusPage(options);
      const failure = await rejectionOf(statusPage.publish(request()));
      assertRetryable(failure);
      assert.match(failure.message, new RegExp(`answered ${status}`));
      await statusPage.publish(request());
      assert.equal(api.incidents.size, 1);
    });
  }

  it('a network failure is retryable', async () => {
    const gone = await startFakeStatuspageApi();
    await gone.close();
    const failure = await rejectionOf(atlassianStatusPage({ ...options, apiUrl: gone.url }).publish(request()));
    assertRetryable(failure);
    assert.match(failure.message, /Statuspage unreachable/);
  });

  const permanent: Array<[string, (o: AtlassianStatusPageOptions) => AtlassianStatusPageOptions, RegExp]> = [
    ['401 for a wrong key', (o) => ({ ...o, apiKey: 'wrong-key-XYZ' }), /answered 401: Couldn't authenticate you/],
    ['404 for a wrong page', (o) => ({ ...o, pageId: 'nopage' }), /answered 404.*page or incident does not exist/],
    ['422 for an unknown component', (o) => ({ ...o, componentIds: ['cmpGone'] }), /answered 422: Component cmpGone/],
  ];
  for (const [name, configure, reason] of permanent) {
    it(`${name} is permanent, readable and free of the key`, async () => {
      const configured = configure(options);
      const failure = assertPermanent(
        await rejectionOf(atlassianStatusPage(configured).publish(request())),
        'StatusPageRejected',
      );
      assert.match(failure.message, reason);
      assert.ok(!failure.message.includes(configured.apiKey));
      assert.ok(!failure.message.includes(api.apiKey));
    });
  }

  it('403 is permanent', async () => {
    api.failNext(1, { status: 403 });
    const failure = assertPermanent(
      await rejectionOf(atlassianStatusPage(options).publish(request())),
      'StatusPageRejected',
    );
    assert.match(failure.message, /answered 403.*may not manage incidents/);
  });
});

describe('Statuspage throttle (1 request/s per token)', () => {
  let api: FakeStatuspageApi;
  before(async () => {
    api = await startFakeStatuspageApi({ apiKey: 'sp-throttled-token' });
  });
  after(() => api.close());

  it('spaces requests with one token at least a second apart, across provider instances', async () => {
    const make = () =>
      atlassianStatusPage({ apiUrl: api.url, apiKey: api.apiKey, pageId: api.pageId, componentIds: ['cmpApi'] });
    const [a, b] = [make(), make()];
    await Promise.all([
      a.publish(request({ incidentId: 'INC-A' })),
      b.publish(request({ incidentId: 'INC-B' })),
      a.publish(request({ incidentId: 'INC-C' })),
    ]);
    assert.equal(api.requests.length, 6, 'a lookup and a create per incident');
    assert.equal(api.incidents.size, 3);
    const times = api.requests.map((r) => r.at);
    const gaps = times.slice(1).map((at, i) => at - times[i]!);
    for (const gap of gaps) assert.ok(gap >= 950, `gaps between requests: ${gaps.join(', ')} ms`);
  });
});
