import { z } from 'zod';
import { lazySchema } from './lazy-schema';
import { requestIdSchema } from './command-meta';
import type { AlertsPolicy } from './policy';
import { severityRank, type Severity } from './severity';
import { neutralized } from './text';

/**
 * Alerts on an incident: what a monitoring system told us, as the workflow keeps it. The API turns each
 * webhook delivery into an `AlertsReceived` (one alert group, normalised); the workflow folds it into the
 * incident's `AlertsState` with `applyDelivery` and writes what changed on the timeline.
 */

export const ALERT_SOURCES = ['alertmanager', 'grafana'] as const;
export const alertSourceSchema = lazySchema(() => z.enum(ALERT_SOURCES));
export type AlertSource = z.infer<typeof alertSourceSchema>;

/** How many alerts an incident tracks: past it, the oldest resolved ones are forgotten first. */
export const MAX_TRACKED_ALERTS = 100;
/** How many alerts one delivery carries into the workflow (a bigger group is cut, firing alerts first). */
export const MAX_ALERTS_PER_DELIVERY = 100;
/** Labels kept per alert: enough to tell alerts apart on a bridge call, small enough for history. */
export const MAX_LABELS_KEPT = 12;

const LINK_KINDS = ['generator', 'dashboard', 'panel', 'silence'] as const;
export type AlertLinkKind = (typeof LINK_KINDS)[number];

const linkSchema = lazySchema(() =>
  neutralized(1000).refine((url) => /^https?:\/\/\S+$/.test(url), 'must be an http(s) URL'),
);

export const receivedAlertSchema = lazySchema(() =>
  z.object({
    /** Alertmanager's and Grafana's id of the alert's label set. */
    fingerprint: z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/, 'is an alert fingerprint: 1-64 letters, digits, . _ : -'),
    status: z.enum(['firing', 'resolved']),
    name: neutralized(200),
    summary: neutralized(300).optional(),
    labels: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,99}$/), neutralized(200))
      .refine((labels) => Object.keys(labels).length <= MAX_LABELS_KEPT, `at most ${MAX_LABELS_KEPT} labels`),
    startsAt: z.number().int(),
    endsAt: z.number().int().nullable(),
    links: z.partialRecord(z.enum(LINK_KINDS), linkSchema),
  }),
);
export type ReceivedAlert = z.output<typeof receivedAlertSchema>;

/** One delivery of one alert group: the input of the `alertsReceived` update. */
export const alertsReceivedSchema = lazySchema(() =>
  z.object({
    source: alertSourceSchema,
    /** A digest of what the delivery says: the update id, so a redelivery applies once. */
    deliveryId: requestIdSchema,
    alerts: z.array(receivedAlertSchema).min(1).max(MAX_ALERTS_PER_DELIVERY),
    /** Alerts the sender or the API left out (Alertmanager's `truncatedAlerts`, or past the per-delivery cap). */
    omitted: z.number().int().min(0).max(1_000_000).default(0),
  }),
);
export type AlertsReceivedInput = z.input<typeof alertsReceivedSchema>;
export type AlertsReceived = z.output<typeof alertsReceivedSchema>;

export interface TrackedAlert extends ReceivedAlert {
  /** When the workflow last saw this alert change (epoch ms). */
  changedAt: number;
}

/** Plain JSON in the incident's state; absent on incidents that never received an alert. */
export interface AlertsState {
  source: AlertSource;
  tracked: TrackedAlert[];
  /** Alerts forgotten to stay within MAX_TRACKED_ALERTS, plus those the senders left out. */
  dropped: number;
  /** When the last firing alert resolved; null while any fires. */
  allResolvedAt: number | null;
}

export interface AlertChanges {
  joined: TrackedAlert[];
  refired: TrackedAlert[];
  resolved: TrackedAlert[];
  /** This delivery resolved the last firing alert. */
  allResolved: boolean;
}

/**
 * Folds a delivery into the alerts an incident tracks. Idempotent: the same delivery again changes nothing, and a
 * stale firing delivery (one HA Alertmanager still sending an alert its peer already reported resolved) is ignored:
 * a firing alert counts as firing again only when it starts anew, after the instance that resolved.
 */
export function applyDelivery(
  current: AlertsState | undefined,
  delivery: AlertsReceived,
  at: number,
): { state: AlertsState; changes: AlertChanges } {
  const tracked = new Map((current?.tracked ?? []).map((alert) => [alert.fingerprint, alert]));
  const changes: AlertChanges = { joined: [], refired: [], resolved: [], allResolved: false };
  const wasFiring = [...tracked.values()].some((alert) => alert.status === 'firing');
  for (const alert of delivery.alerts) {
    const known = tracked.get(alert.fingerprint);
    const next: TrackedAlert = { ...alert, changedAt: at };
    if (known === undefined) {
      tracked.set(alert.fingerprint, next);
      (alert.status === 'firing' ? changes.joined : changes.resolved).push(next);
    } else if (known.status === 'firing' && alert.status === 'resolved') {
      tracked.set(alert.fingerprint, next);
      changes.resolved.push(next);
    } else if (alert.status === 'firing' && alert.startsAt > known.startsAt) {
      // A new instance of the alert (it resolved, or we missed its resolution, and fired again).
      tracked.set(alert.fingerprint, next);
      changes.refired.push(next);
    } else if (known.status === alert.status) {
      // Nothing new happened; keep the freshest links and end time without counting a change.
      tracked.set(alert.fingerprint, { ...alert, changedAt: known.changedAt });
    }
  }
  const bounded = boundTracked([...tracked.values()]);
  const firing = bounded.kept.some((alert) => alert.status === 'firing');
  const alreadyAllResolved = (current?.allResolvedAt ?? null) !== null;
  changes.allResolved = !firing && (wasFiring || changes.resolved.length > 0) && !alreadyAllResolved;
  const state: AlertsState = {
    source: current?.source ?? delivery.source,
    tracked: bounded.kept,
    dropped: (current?.dropped ?? 0) + bounded.dropped + delivery.omitted,
    allResolvedAt: firing ? null : (current?.allResolvedAt ?? (changes.allResolved ? at : null)),
  };
  return { state, changes };
}

/** Keeps at most MAX_TRACKED_ALERTS: the oldest resolved alerts go first, then (past 100 firing) the oldest firing. */
function boundTracked(alerts: TrackedAlert[]): { kept: TrackedAlert[]; dropped: number } {
  const excess = alerts.length - MAX_TRACKED_ALERTS;
  if (excess <= 0) return { kept: alerts, dropped: 0 };
  const order = [...alerts].sort(
    (a, b) => Number(a.status === 'firing') - Number(b.status === 'firing') || a.changedAt - b.changedAt,
  );
  const gone = new Set(order.slice(0, excess).map((alert) => alert.fingerprint));
  return { kept: alerts.filter((alert) => !gone.has(alert.fingerprint)), dropped: excess };
}

export function firingAlerts(state: AlertsState | undefined): TrackedAlert[] {
  return (state?.tracked ?? []).filter((alert) => alert.status === 'firing');
}

/** `HighLatency, DiskFull and 3 more`: alert names for one line of text. */
export function alertNames(alerts: readonly Pick<ReceivedAlert, 'name'>[], shown = 3): string {
  const names = alerts.slice(0, shown).map((alert) => alert.name);
  const more = alerts.length - names.length;
  if (more > 0) return `${names.join(', ')} and ${more} more`;
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1) ?? ''}`;
}

/**
 * Runbook 004: "alerts cleared" is part of verification. Why resolve must wait while alerts fire, or null when it
 * may go ahead (nothing fires, or the person resolving gave a reason to override).
 */
export function firingAlertsBlockResolve(state: AlertsState | undefined, override: string | undefined): string | null {
  const firing = firingAlerts(state);
  if (firing.length === 0 || (override !== undefined && override.trim() !== '')) return null;
  const count = firing.length === 1 ? '1 alert is' : `${firing.length} alerts are`;
  return `${count} still firing (${alertNames(firing)}): wait for them to resolve, or override with a reason (--override-alerts "…")`;
}

/** The severity an alert's labels ask for, per the policy's label and mapping. */
export function severityFromLabels(labels: Readonly<Record<string, string>>, policy: AlertsPolicy): Severity {
  const value = labels[policy.severityLabel]?.trim().toLowerCase();
  if (value === undefined) return policy.unmappedSeverity;
  const mapped = Object.entries(policy.severities).find(([key]) => key.toLowerCase() === value)?.[1];
  return mapped ?? policy.unmappedSeverity;
}

/** The most severe of several severities (SEV-1 beats SEV-2). */
export function mostSevere(severities: readonly Severity[]): Severity | undefined {
  return [...severities].sort((a, b) => severityRank(a) - severityRank(b))[0];
}

/** Whether an alert of this severity declares an incident under the policy. */
export function declares(severity: Severity, policy: AlertsPolicy): boolean {
  return severityRank(severity) <= severityRank(policy.declareAtOrAbove);
}

/** The service an alert names: the first of the policy's service labels it carries, as a service name. */
export function serviceFromLabels(labels: Readonly<Record<string, string>>, policy: AlertsPolicy): string | undefined {
  for (const label of policy.serviceLabels) {
    const name = labels[label]
      ?.toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/\.{2,}/g, '.')
      .replace(/^[^a-z0-9]+/, '')
      .slice(0, 63);
    if (name) return name;
  }
  return undefined;
}
