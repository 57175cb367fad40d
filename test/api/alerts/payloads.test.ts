import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { normalizeDelivery } from '../../../src/api/alerts/normalize';
import { alertmanagerPayloadSchema, grafanaPayloadSchema } from '../../../src/api/alerts/payloads';
import { declareSchema } from '../../../src/domain/inputs';
import { buildPolicy } from '../../../src/domain/policy';

/**
 * The fixtures follow the two projects' documentation: Alertmanager's `webhook_config` payload (version 4, as in
 * prometheus/alertmanager docs/configuration.md) and Grafana's webhook contact point example JSON body.
 */
const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(path.join(__dirname, 'fixtures', name), 'utf8')) as Record<string, unknown>;
const policy = buildPolicy().alerts;
const NOW = Date.UTC(2026, 11, 1, 9);

describe('alert webhook payloads', () => {
  it('parses the documented Alertmanager payload and normalises it into a declaration and a delivery', () => {
    const payload = alertmanagerPayloadSchema.parse(fixture('alertmanager-firing.json'));
    const request = normalizeDelivery('alertmanager', payload, policy, NOW);
    assert.ok('declare' in request.declaration);
    const declaration = request.declaration.declare;
    assert.equal(declaration.severity, 'SEV-1');
    assert.equal(declaration.service, 'checkout');
    assert.equal(declaration.title, 'Checkout error rate above 5%');
    assert.equal(declaration.detectedAt, '2026-11-30T08:52:26.739Z', 'the earliest startsAt, nanoseconds and all');
    assert.equal(declaration.declaredBy, 'alert:alertmanager');
    assert.match(declaration.summary ?? '', /runbook: https:\/\/runbooks\.example\.com\/checkout\/error-rate/);
    assert.ok(declareSchema.safeParse({ ...declaration, id: 'a-0123456789-1' }).success);
    assert.deepEqual(
      request.delivery.alerts.map((a) => [a.fingerprint, a.status, a.endsAt]),
      [
        ['1a30ba71cca2921f', 'firing', null],
        ['7c4d2e9b01f3a658', 'firing', null],
      ],
    );
  });

  it('parses the documented Grafana payload with its links, values and extra fields', () => {
    const payload = grafanaPayloadSchema.parse(fixture('grafana-firing.json'));
    assert.equal(payload.orgId, 1);
    assert.equal(payload.state, 'alerting');
    const request = normalizeDelivery('grafana', payload, policy, NOW);
    assert.ok('declare' in request.declaration);
    assert.equal(request.declaration.declare.severity, 'SEV-3');
    assert.equal(request.declaration.declare.service, 'search');
    assert.match(request.group, /^grafana\n1\n/, 'a Grafana group is per organisation');
    assert.equal(request.delivery.alerts[1]?.links.dashboard, undefined, 'an empty dashboardURL is no link');
  });

  it('accepts unknown fields and refuses what breaks the contract, naming the field', () => {
    const payload = { ...fixture('alertmanager-firing.json'), somethingNew: { nested: true } };
    assert.ok(alertmanagerPayloadSchema.safeParse(payload).success);
    const wrongVersion = alertmanagerPayloadSchema.safeParse({ ...payload, version: '3' });
    assert.match(JSON.stringify(wrongVersion.error?.issues), /version \\"4\\"/);
    const tooManyLabels = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`l${i}`, 'v']));
    const big = alertmanagerPayloadSchema.safeParse({ ...payload, commonLabels: tooManyLabels });
    assert.deepEqual(big.error?.issues[0]?.path, ['commonLabels']);
    const badTime = alertmanagerPayloadSchema.safeParse({
      ...payload,
      alerts: [{ status: 'firing', labels: {}, startsAt: 'yesterday' }],
    });
    assert.deepEqual(badTime.error?.issues[0]?.path, ['alerts', 0, 'startsAt']);
    assert.equal(alertmanagerPayloadSchema.safeParse({ ...payload, alerts: [] }).success, false);
  });

  it('the same delivery from either HA peer gets the same id; a change gets another', () => {
    const payload = alertmanagerPayloadSchema.parse(fixture('alertmanager-firing.json'));
    const peer = alertmanagerPayloadSchema.parse({ ...payload, externalURL: 'http://alertmanager-2:9093' });
    const one = normalizeDelivery('alertmanager', payload, policy, NOW).delivery.deliveryId;
    assert.equal(normalizeDelivery('alertmanager', peer, policy, NOW + 5000).delivery.deliveryId, one);
    const resolved = alertmanagerPayloadSchema.parse({
      ...payload,
      alerts: payload.alerts.map((a) => ({ ...a, status: 'resolved', endsAt: '2026-11-30T10:00:00Z' })),
    });
    assert.notEqual(normalizeDelivery('alertmanager', resolved, policy, NOW).delivery.deliveryId, one);
  });

  it('below the threshold or with nothing firing, the delivery says why it declares nothing', () => {
    const payload = alertmanagerPayloadSchema.parse(fixture('alertmanager-firing.json'));
    const info = alertmanagerPayloadSchema.parse({
      ...payload,
      alerts: payload.alerts.map((a) => ({ ...a, labels: { ...a.labels, severity: 'info' } })),
    });
    const request = normalizeDelivery('alertmanager', info, policy, NOW);
    assert.deepEqual(request.declaration, {
      reason: 'the most severe firing alert maps to SEV-4 (label severity); the policy declares from SEV-3',
    });
  });

  it('turns hostile text into something a declaration accepts', () => {
    const payload = alertmanagerPayloadSchema.parse({
      ...fixture('alertmanager-firing.json'),
      commonAnnotations: { summary: 'Disk full\n\u001b[2J on ../../etc\u202E', description: 'line 1\r\nline\u0007 2' },
      commonLabels: { service: 'Payments API' },
    });
    const request = normalizeDelivery('alertmanager', payload, policy, NOW);
    assert.ok('declare' in request.declaration);
    const parsed = declareSchema.safeParse({ ...request.declaration.declare, id: 'a-0123456789-1' });
    assert.ok(parsed.success, JSON.stringify(parsed.error?.issues));
    assert.equal(parsed.data.service, 'payments-api');
  });
});
