import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MAX_TRACKED_ALERTS,
  alertsReceivedSchema,
  applyDelivery,
  declares,
  firingAlertsBlockResolve,
  serviceFromLabels,
  severityFromLabels,
  type AlertsReceived,
  type AlertsState,
} from '../../src/domain/alerts';
import { buildPolicy } from '../../src/domain/policy';

const policy = buildPolicy().alerts;
const T0 = Date.UTC(2026, 10, 30, 9);

const alert = (fingerprint: string, status: 'firing' | 'resolved' = 'firing', startsAt = T0) => ({
  fingerprint,
  status,
  name: `Alert${fingerprint}`,
  labels: {},
  startsAt,
  endsAt: status === 'resolved' ? startsAt + 60_000 : null,
  links: {},
});

const delivery = (...alerts: ReturnType<typeof alert>[]): AlertsReceived =>
  alertsReceivedSchema.parse({ source: 'alertmanager', deliveryId: 'd1', alerts });

describe('alert policy rules', () => {
  it('maps the severity label by the default table, case-insensitively, and the rest to the unmapped severity', () => {
    assert.equal(severityFromLabels({ severity: 'critical' }, policy), 'SEV-1');
    assert.equal(severityFromLabels({ severity: 'Error' }, policy), 'SEV-2');
    assert.equal(severityFromLabels({ severity: 'major' }, policy), 'SEV-2');
    assert.equal(severityFromLabels({ severity: 'warning' }, policy), 'SEV-3');
    assert.equal(severityFromLabels({ severity: 'info' }, policy), 'SEV-4');
    assert.equal(severityFromLabels({ severity: 'page-me' }, policy), 'SEV-3');
    assert.equal(severityFromLabels({}, policy), 'SEV-3');
  });

  it('declares from SEV-3 by default; a policy file moves the threshold and the labels', () => {
    assert.equal(declares('SEV-3', policy), true);
    assert.equal(declares('SEV-4', policy), false);
    const custom = buildPolicy({
      alerts: {
        severityLabel: 'priority',
        severities: { P1: 'SEV-1' },
        declareAtOrAbove: 'SEV-1',
        serviceLabels: ['app'],
      },
    }).alerts;
    assert.equal(severityFromLabels({ priority: 'p1' }, custom), 'SEV-1');
    assert.equal(declares('SEV-2', custom), false);
    assert.equal(serviceFromLabels({ app: 'Payments API', service: 'x' }, custom), 'payments-api');
    assert.equal(custom.onAllResolved, 'notify');
  });

  it('names the service from the first label present, as a service name', () => {
    assert.equal(serviceFromLabels({ job: 'node_exporter', service: 'Checkout' }, policy), 'checkout');
    assert.equal(serviceFromLabels({ job: 'node_exporter' }, policy), 'node_exporter');
    assert.equal(serviceFromLabels({ service: '../../etc' }, policy), 'etc');
    assert.equal(serviceFromLabels({}, policy), undefined);
  });

  it('refuses a policy with an unknown alerts field, naming it', () => {
    assert.throws(() => buildPolicy({ alerts: { onAllResolve: 'resolve' } }), /onAllResolve/);
    assert.throws(() => buildPolicy({ alerts: { onAllResolved: 'close' } }), /onAllResolved/);
  });
});

describe('alerts on an incident', () => {
  it('records joining, resolving, all resolved and re-firing, each once', () => {
    const first = applyDelivery(undefined, delivery(alert('a'), alert('b')), T0);
    assert.deepEqual(
      first.changes.joined.map((a) => a.fingerprint),
      ['a', 'b'],
    );
    const again = applyDelivery(first.state, delivery(alert('a'), alert('b')), T0 + 1);
    assert.deepEqual(again.changes, { joined: [], refired: [], resolved: [], allResolved: false }, 'a redelivery');

    const partly = applyDelivery(again.state, delivery(alert('a', 'resolved'), alert('b')), T0 + 2);
    assert.deepEqual(
      partly.changes.resolved.map((a) => a.fingerprint),
      ['a'],
    );
    assert.equal(partly.changes.allResolved, false);
    const all = applyDelivery(partly.state, delivery(alert('a', 'resolved'), alert('b', 'resolved')), T0 + 3);
    assert.equal(all.changes.allResolved, true);
    assert.equal(all.state.allResolvedAt, T0 + 3);
    assert.equal(applyDelivery(all.state, delivery(alert('b', 'resolved')), T0 + 4).changes.allResolved, false);

    // A late firing delivery from an HA peer (same instance) is stale; a new instance re-fires.
    const stale = applyDelivery(all.state, delivery(alert('b')), T0 + 5);
    assert.deepEqual(stale.changes.refired, []);
    assert.equal(stale.state.allResolvedAt, T0 + 3);
    const refired = applyDelivery(all.state, delivery(alert('b', 'firing', T0 + 600_000)), T0 + 6);
    assert.deepEqual(
      refired.changes.refired.map((a) => a.fingerprint),
      ['b'],
    );
    assert.equal(refired.state.allResolvedAt, null);
  });

  it(`tracks at most ${MAX_TRACKED_ALERTS} alerts, forgetting the oldest resolved first`, () => {
    let state: AlertsState | undefined;
    for (let i = 0; i < MAX_TRACKED_ALERTS; i += 1) {
      state = applyDelivery(state, delivery(alert(`r${i}`, 'resolved')), T0 + i).state;
    }
    state = applyDelivery(state, delivery(alert('new')), T0 + 1000).state;
    assert.equal(state.tracked.length, MAX_TRACKED_ALERTS);
    assert.equal(state.dropped, 1);
    assert.equal(
      state.tracked.some((a) => a.fingerprint === 'r0'),
      false,
      'the oldest resolved alert went',
    );
    assert.ok(state.tracked.some((a) => a.fingerprint === 'new'));
  });

  it('a firing alert blocks resolve unless overridden with a reason', () => {
    const { state } = applyDelivery(undefined, delivery(alert('a'), alert('b', 'resolved')), T0);
    assert.match(firingAlertsBlockResolve(state, undefined) ?? '', /^1 alert is still firing \(Alerta\)/);
    assert.equal(firingAlertsBlockResolve(state, 'verified by hand'), null);
    assert.notEqual(firingAlertsBlockResolve(state, '  '), null);
    assert.equal(firingAlertsBlockResolve(undefined, undefined), null, 'an incident without alerts');
  });

  it('neutralizes what a terminal would act on in alert text, rather than refusing it', () => {
    const parsed = alertsReceivedSchema.parse({
      source: 'grafana',
      deliveryId: 'd2',
      alerts: [{ ...alert('x'), name: 'Disk\u001b[31m full', labels: { host: 'a\u202Eb' } }],
    });
    assert.equal(parsed.alerts[0]?.name, 'Disk\uFFFD[31m full');
    assert.equal(parsed.alerts[0]?.labels.host, 'a\uFFFDb');
  });
});
