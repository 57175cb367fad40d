import { createHash } from 'node:crypto';
import {
  MAX_ALERTS_PER_DELIVERY,
  MAX_LABELS_KEPT,
  alertsReceivedSchema,
  declares,
  mostSevere,
  serviceFromLabels,
  severityFromLabels,
  type AlertLinkKind,
  type AlertSource,
  type AlertsReceived,
  type ReceivedAlert,
} from '../../domain/alerts';
import type { DeclareInput } from '../../domain/inputs';
import type { AlertsPolicy } from '../../domain/policy';
import type { Severity } from '../../domain/severity';
import type { AlertPayload, PayloadAlert } from './payloads';

/** What one webhook delivery asks of the incidents: the group it belongs to, its alerts, and how to declare. */
export interface AlertIntakeRequest {
  source: AlertSource;
  /** Names the alert group across deliveries (source, Grafana org, group key); the incident id derives from it. */
  group: string;
  delivery: AlertsReceived;
  /** How the group's incident is declared if none is open, or why this delivery declares nothing. */
  declaration: { declare: Omit<DeclareInput, 'id'> } | { reason: string };
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** Go's zero time (`0001-01-01T00:00:00Z`) and anything before the epoch mean "not set". */
function epochMs(at: string | undefined): number | null {
  const ms = at === undefined ? NaN : Date.parse(at);
  return Number.isFinite(ms) && ms > 0 ? ms : null;
}

const httpLink = (url: unknown) =>
  typeof url === 'string' && url.length <= 1000 && /^https?:\/\/\S+$/.test(url) ? url : undefined;

/** Grafana's links on an alert (absent from Alertmanager's). */
const grafanaLinks = (alert: PayloadAlert) =>
  alert as { dashboardURL?: unknown; panelURL?: unknown; silenceURL?: unknown };

/** Turns a webhook body into the group's delivery and, if it may declare, the declaration. */
export function normalizeDelivery(
  source: AlertSource,
  payload: AlertPayload,
  policy: AlertsPolicy,
  now = Date.now(),
): AlertIntakeRequest {
  // Grafana organisations each have their own groups.
  const { orgId } = payload as { orgId?: unknown };
  const org = typeof orgId === 'number' ? `${orgId}\n` : '';
  const group = `${source}\n${org}${payload.groupKey}`;
  // Firing alerts first, so a group past the cap still carries what blocks a resolution.
  const ordered = [...payload.alerts].sort(
    (a, b) =>
      Number(a.status !== 'firing') - Number(b.status !== 'firing') || Date.parse(a.startsAt) - Date.parse(b.startsAt),
  );
  const kept = ordered.slice(0, MAX_ALERTS_PER_DELIVERY);
  const alerts = kept.map((alert) => toReceived(alert, policy, now));
  const omitted = payload.truncatedAlerts + Math.max(0, payload.alerts.length - MAX_ALERTS_PER_DELIVERY);
  // What the delivery says, not how it was sent: an HA peer with another externalURL sends the same delivery, and
  // the raw times (not `now`) keep a redelivery's digest the same.
  const said = kept
    .map((alert, i) => [alerts[i]?.fingerprint, alert.status, alert.startsAt, alert.endsAt ?? ''].join(' '))
    .sort()
    .join('\n');
  const delivery = alertsReceivedSchema.parse({
    source,
    deliveryId: `alerts-${digest(`${group}\n${said}`).slice(0, 40)}`,
    alerts,
    omitted,
  });
  return { source, group, delivery, declaration: declarationFor(source, payload, ordered, policy, now) };
}

function toReceived(alert: PayloadAlert, policy: AlertsPolicy, now: number): ReceivedAlert {
  const fingerprint =
    alert.fingerprint !== undefined && /^[A-Za-z0-9._:-]{1,64}$/.test(alert.fingerprint)
      ? alert.fingerprint
      : digest(JSON.stringify(Object.entries(alert.labels).sort())).slice(0, 16);
  const links: Partial<Record<AlertLinkKind, string>> = {};
  const add = (kind: AlertLinkKind, url: unknown) => {
    const link = httpLink(url);
    if (link !== undefined) links[kind] = link;
  };
  add('generator', alert.generatorURL);
  add('dashboard', grafanaLinks(alert).dashboardURL);
  add('panel', grafanaLinks(alert).panelURL);
  add('silence', grafanaLinks(alert).silenceURL);
  const summary = alert.annotations.summary;
  const startsAt = Math.min(epochMs(alert.startsAt) ?? now, now);
  return {
    fingerprint,
    status: alert.status,
    name: alert.labels.alertname ?? 'alert',
    ...(summary ? { summary } : {}),
    labels: keptLabels(alert.labels, policy),
    startsAt,
    endsAt: alert.status === 'resolved' ? (epochMs(alert.endsAt) ?? startsAt) : null,
    links,
  };
}

/** The labels worth keeping: the ones the policy reads and the usual identifying ones first. */
function keptLabels(labels: Record<string, string>, policy: AlertsPolicy): Record<string, string> {
  const first = ['alertname', policy.severityLabel, ...policy.serviceLabels, 'instance', 'namespace', 'cluster', 'pod'];
  const names = Object.keys(labels)
    .filter((name) => /^[A-Za-z_][A-Za-z0-9_]{0,99}$/.test(name))
    .sort((a, b) => rank(first, a) - rank(first, b) || a.localeCompare(b));
  return Object.fromEntries(names.slice(0, MAX_LABELS_KEPT).map((name) => [name, labels[name] ?? '']));
}

const rank = (order: string[], name: string) => (order.includes(name) ? order.indexOf(name) : order.length);

function declarationFor(
  source: AlertSource,
  payload: AlertPayload,
  ordered: PayloadAlert[],
  policy: AlertsPolicy,
  now: number,
): AlertIntakeRequest['declaration'] {
  const firing = ordered.filter((alert) => alert.status === 'firing');
  const first = firing[0];
  if (first === undefined) return { reason: 'no alert in this delivery is firing' };
  const severity = mostSevere(firing.map((alert) => severityFromLabels(alert.labels, policy))) as Severity;
  if (!declares(severity, policy)) {
    return {
      reason: `the most severe firing alert maps to ${severity} (label ${policy.severityLabel}); the policy declares from ${policy.declareAtOrAbove}`,
    };
  }
  const title =
    payload.commonAnnotations.summary ??
    first.annotations.summary ??
    payload.commonLabels.alertname ??
    first.labels.alertname;
  const links = [
    ['source', httpLink(first.generatorURL)],
    ['dashboard', httpLink(grafanaLinks(first).dashboardURL)],
    ['panel', httpLink(grafanaLinks(first).panelURL)],
    ['silence', httpLink(grafanaLinks(first).silenceURL)],
    ['runbook', httpLink(payload.commonAnnotations.runbook_url ?? first.annotations.runbook_url)],
    [source, httpLink(payload.externalURL)],
  ].filter((link): link is [string, string] => link[1] !== undefined);
  const description = payload.commonAnnotations.description ?? first.annotations.description ?? '';
  const summary = [
    description,
    `${firing.length} alert${firing.length === 1 ? '' : 's'} firing in group ${payload.groupKey}`,
    ...links.map(([kind, url]) => `${kind}: ${url}`),
  ]
    .filter((line) => line !== '')
    .join('\n');
  const detectedAt = Math.min(now, ...firing.map((alert) => epochMs(alert.startsAt) ?? now));
  return {
    declare: {
      title: oneLine(title ?? `${source} alert`, 200),
      severity,
      service:
        serviceFromLabels(payload.commonLabels, policy) ?? serviceFromLabels(first.labels, policy) ?? 'unspecified',
      summary: proseSafe(summary, 2000),
      detectedAt: new Date(detectedAt).toISOString(),
      source: 'alert',
      declaredBy: `alert:${source}`,
    },
  };
}

/** An alert cannot retype its text: what a declaration would refuse is replaced rather than refused. */
function oneLine(text: string, max: number): string {
  const line = Array.from(
    text
      .replace(/[\p{Cc}\p{Cf}\p{Cs}\u2028\u2029\uFFFE\uFFFF]+/gu, ' ')
      .replace(/(^|[\s/\\])\.\.(?=[/\\]|$)/g, '$1.')
      .replace(/\s+/g, ' ')
      .trim(),
  )
    .slice(0, max)
    .join('')
    .trim();
  return line === '' ? 'alert' : line;
}

function proseSafe(text: string, max: number): string {
  return Array.from(
    text.replace(/\r\n/g, '\n').replace(/[^\P{Cc}\n\t]|[\p{Cf}\p{Cs}\u2028\u2029\uFFFE\uFFFF]/gu, '\uFFFD'),
  )
    .slice(0, max)
    .join('')
    .trim();
}
