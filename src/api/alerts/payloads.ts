import { z } from 'zod';

/**
 * The two webhook bodies as their projects document them: Alertmanager's `webhook_config` payload (version 4) and
 * Grafana alerting's webhook contact point (the same alert group, plus Grafana's own fields). Objects are loose, so
 * a sender's newer fields pass; every string, map and list is bounded, so no delivery can grow without limit.
 */

const MAX_ALERTS = 1000;
const MAX_MAP_ENTRIES = 64;

const text = (max: number) => z.string().max(max, `must be at most ${max} characters`);

const stringMap = (valueMax: number) =>
  z
    .record(text(200), text(valueMax))
    .refine((map) => Object.keys(map).length <= MAX_MAP_ENTRIES, `at most ${MAX_MAP_ENTRIES} entries`);

/** RFC 3339 as Go writes it (nanoseconds, any offset); Go's zero time `0001-01-01T00:00:00Z` means "not set". */
const rfc3339 = text(64).refine((at) => Number.isFinite(Date.parse(at)), 'must be an RFC 3339 date-time');

const labels = stringMap(1024);
const annotations = stringMap(8192);

export const alertmanagerAlertSchema = z.looseObject({
  status: z.enum(['firing', 'resolved']),
  labels,
  annotations: annotations.default({}),
  startsAt: rfc3339,
  endsAt: rfc3339.optional(),
  /** Identifies the entity that caused the alert (a Prometheus graph link). */
  generatorURL: text(4096).optional(),
  /** Identifies the alert; older senders leave it out, and a digest of the labels stands in. */
  fingerprint: text(64).optional(),
});

const groupFields = {
  /** Identifies the group of alerts (e.g. to deduplicate): one group is one incident. */
  groupKey: text(4096).min(1, 'must not be empty'),
  /** How many alerts were left out because of `max_alerts`. */
  truncatedAlerts: z.number().int().min(0).max(1_000_000).default(0),
  status: z.enum(['firing', 'resolved']),
  receiver: text(256).default(''),
  groupLabels: labels.default({}),
  commonLabels: labels.default({}),
  commonAnnotations: annotations.default({}),
  /** Backlink to the sender (Alertmanager, or Grafana). */
  externalURL: text(4096).default(''),
};

export const alertmanagerPayloadSchema = z
  .looseObject({
    version: z.literal('4', { error: 'this endpoint takes Alertmanager webhook payload version "4"' }),
    ...groupFields,
    alerts: z.array(alertmanagerAlertSchema).min(1, 'must hold at least one alert').max(MAX_ALERTS),
  })
  .meta({ id: 'AlertmanagerWebhook' });

export const grafanaAlertSchema = alertmanagerAlertSchema.extend({
  dashboardURL: text(4096).optional(),
  panelURL: text(4096).optional(),
  silenceURL: text(4096).optional(),
  imageURL: text(4096).optional(),
  /** The query results that fired the rule, by ref id (`{"B": 44.2, "C": 1}`). */
  values: z
    .record(text(200), z.number().nullable())
    .refine((map) => Object.keys(map).length <= MAX_MAP_ENTRIES, `at most ${MAX_MAP_ENTRIES} entries`)
    .nullish(),
  valueString: text(8192).optional(),
});

export const grafanaPayloadSchema = z
  .looseObject({
    /** Grafana's own payload version ("1"). */
    version: text(16).optional(),
    ...groupFields,
    alerts: z.array(grafanaAlertSchema).min(1, 'must hold at least one alert').max(MAX_ALERTS),
    orgId: z.number().int().min(0).default(0),
    title: text(1024).default(''),
    /** `alerting` while any alert fires, `ok` once all resolved. */
    state: text(32).default(''),
    message: text(65_536).default(''),
  })
  .meta({ id: 'GrafanaWebhook' });

export type AlertmanagerPayload = z.output<typeof alertmanagerPayloadSchema>;
export type GrafanaPayload = z.output<typeof grafanaPayloadSchema>;
export type AlertPayload = AlertmanagerPayload | GrafanaPayload;
export type PayloadAlert = z.output<typeof grafanaAlertSchema> | z.output<typeof alertmanagerAlertSchema>;
