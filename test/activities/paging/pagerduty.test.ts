import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { pagerDutyPager, type PagerDutyOptions } from '../../../src/activities/paging/pagerduty';
import { pageDedupKey } from '../../../src/activities/paging/dedup-key';
import type { PageRequest } from '../../../src/activities/types';
import { startFakePagerDutyApi, type FakePagerDutyApi } from '../../fakes/pagerduty-api';
import { assertPermanent, assertRetryable, rejectionOf } from '../failures';

const PRIMARY_KEY = 'R0UTINGKEYPRIMARY000000000000001';
const MANAGER_KEY = 'R0UTINGKEYMANAGER000000000000002';
const DEFAULT_KEY = 'R0UTINGKEYDEFAULT000000000000003';

let step = 0;
function request(overrides: Partial<PageRequest> = {}): PageRequest {
  step += 1;
  return {
    incidentId: 'INC-9',
    key: `incident-INC-9/${step}-pager`,
    drill: false,
    action: 'trigger',
    target: 'primary-oncall',
    reason: 'declared',
    level: 0,
    summary: '[SEV-1] Checkout errors',
    severity: 'SEV-1',
    ...overrides,
  };
}

function assertNoSecret(error: Error) {
  for (const key of [PRIMARY_KEY, MANAGER_KEY, DEFAULT_KEY]) assert.ok(!error.message.includes(key), error.message);
}

describe('PagerDuty Events API v2 (global fetch against a loopback events endpoint)', () => {
  let api: FakePagerDutyApi;
  let options: PagerDutyOptions;

  before(async () => {
    api = await startFakePagerDutyApi();
    options = {
      eventsUrl: api.url,
      routingKeys: { 'primary-oncall': PRIMARY_KEY, 'engineering-manager': MANAGER_KEY },
    };
  });
  beforeEach(() => api.reset());
  after(() => api.close());

  it('triggers, acknowledges and resolves one alert under a stable dedup_key', async () => {
    const pager = pagerDutyPager(options);
    const trigger = request();
    const dedupKey = pageDedupKey(trigger);
    const receipt = await pager.send(trigger);
    assert.equal(receipt.duplicate, false);
    assert.equal(receipt.destination, `PagerDuty primary-oncall (trigger, ${dedupKey})`);
    assert.deepEqual(api.events[0]?.event, {
      routing_key: PRIMARY_KEY,
      event_action: 'trigger',
      dedup_key: dedupKey,
      client: 'incident-response',
      payload: {
        summary: '[SEV-1] Checkout errors',
        source: 'incident-response',
        severity: 'critical',
        custom_details: {
          incident_id: 'INC-9',
          reason: 'declared',
          level: 0,
          target: 'primary-oncall',
          severity: 'SEV-1',
          drill: false,
        },
      },
    });
    assert.equal(api.alerts.get(dedupKey)?.state, 'triggered');

    await pager.send(request({ action: 'acknowledge' }));
    assert.equal(api.alerts.get(dedupKey)?.state, 'acknowledged');
    assert.deepEqual(api.events[1]?.event, {
      routing_key: PRIMARY_KEY,
      event_action: 'acknowledge',
      dedup_key: dedupKey,
    });

    await pager.send(request({ action: 'resolve' }));
    assert.equal(api.alerts.get(dedupKey)?.state, 'resolved');
    assert.deepEqual(api.alerts.get(dedupKey)?.actions, ['trigger', 'acknowledge', 'resolve']);
    assert.equal(api.alerts.size, 1);
  });

  it('maps SEV-n to PagerDuty severities', async () => {
    const pager = pagerDutyPager(options);
    const expected = { 'SEV-1': 'critical', 'SEV-2': 'error', 'SEV-3': 'warning', 'SEV-4': 'info' } as const;
    for (const severity of Object.keys(expected) as Array<keyof typeof expected>) {
      await pager.send(request({ incidentId: `INC-${severity}`, severity }));
    }
    assert.deepEqual(
      api.events.map((e) => e.event.payload?.severity),
      Object.values(expected),
    );
  });

  it('each escalation level is its own alert, routed to its target', async () => {
    const pager = pagerDutyPager(options);
    await pager.send(request());
    await pager.send(request({ target: 'engineering-manager', reason: 'ack-timeout', level: 1 }));
    assert.equal(api.alerts.size, 2);
    const manager = api.alerts.get(pageDedupKey({ incidentId: 'INC-9', reason: 'ack-timeout', level: 1 }));
    assert.equal(manager?.routingKey, MANAGER_KEY);
  });

  it('a repeated key is not sent twice by one process; after a restart PagerDuty deduplicates it', async () => {
    const pager = pagerDutyPager(options);
    const trigger = request();
    await pager.send(trigger);
    assert.equal((await pager.send(trigger)).duplicate, true);
    assert.equal(api.events.length, 1);

    await pagerDutyPager(options).send(trigger);
    assert.equal(api.events.length, 2);
    assert.equal(api.events[1]?.event.dedup_key, api.events[0]?.event.dedup_key);
    assert.equal(api.alerts.size, 1);
    assert.equal(api.alerts.get(pageDedupKey(trigger))?.opened, 1, 'the second trigger only deduplicated');
  });

  it('uses the default routing key for a target without its own', async () => {
    await pagerDutyPager({ ...options, defaultRoutingKey: DEFAULT_KEY }).send(request({ target: 'team-lead' }));
    assert.equal(api.events[0]?.event.routing_key, DEFAULT_KEY);
  });

  it('a target without a routing key is permanent, before any request', async () => {
    const failure = await rejectionOf(pagerDutyPager(options).send(request({ target: 'secondary-oncall' })));
    assertPermanent(failure, 'PagerDutyNoRoutingKey');
    assert.equal(failure.message, 'no PagerDuty routing key for secondary-oncall');
    assert.equal(api.events.length, 0);
  });

  it('400 invalid event is permanent with PagerDuty\u2019s reasons, and no routing key in it', async () => {
    const misconfigured = pagerDutyPager({ ...options, routingKeys: { 'primary-oncall': 'too-short-secret' } });
    const failure = assertPermanent(await rejectionOf(misconfigured.send(request())), 'PagerDutyRejected');
    assert.match(failure.message, /answered 400: Event object is invalid; Length of 'routing_key' is incorrect/);
    assert.ok(!failure.message.includes('too-short-secret'));
  });

  it('a routing key echoed in an error body is redacted', async () => {
    api.failNext(1, { status: 400, body: { status: 'invalid event', message: `unknown key ${PRIMARY_KEY}` } });
    const failure = assertPermanent(await rejectionOf(pagerDutyPager(options).send(request())), 'PagerDutyRejected');
    assertNoSecret(failure);
    assert.match(failure.message, /unknown key \*\*\*/);
  });

  it('429 is retryable, after Retry-After when PagerDuty sends it', async () => {
    const pager = pagerDutyPager(options);
    api.failNext(1, { status: 429, retryAfter: 7 });
    const limited = await rejectionOf(pager.send(request()));
    assert.ok(limited instanceof ApplicationFailure);
    assert.equal(limited.nonRetryable, false);
    assert.equal(limited.type, 'PagerDutyRateLimited');
    assert.equal(limited.nextRetryDelay, 7000);
    assert.match(limited.message, /arriving too quickly/);

    api.failNext(1, { status: 429 });
    const backoff = await rejectionOf(pager.send(request()));
    assertRetryable(backoff);
    assert.equal((backoff as ApplicationFailure).nextRetryDelay, undefined, 'the retry policy backs off');
  });

  for (const status of [500, 502, 503]) {
    it(`${status} is retryable, and the retry opens the alert once`, async () => {
      const pager = pagerDutyPager(options);
      api.failNext(1, { status });
      const trigger = request();
      const failure = await rejectionOf(pager.send(trigger));
      assertRetryable(failure);
      assertNoSecret(failure);
      assert.match(failure.message, new RegExp(`answered ${status}`));
      assert.equal((await pager.send(trigger)).duplicate, false);
      assert.equal(api.alerts.size, 1);
    });
  }

  it('an unreachable endpoint is retryable', async () => {
    const gone = await startFakePagerDutyApi();
    await gone.close();
    const failure = await rejectionOf(pagerDutyPager({ ...options, eventsUrl: gone.url }).send(request()));
    assertRetryable(failure);
    assertNoSecret(failure);
    assert.match(failure.message, /PagerDuty unreachable/);
  });
});
