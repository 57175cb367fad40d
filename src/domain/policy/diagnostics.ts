import { z } from 'zod';
import { boundedDuration } from '../duration';
import { argumentSchema, envNameSchema, template } from './actions';
import { prose, singleLine } from '../text';

/**
 * Diagnostics from the team's own tools (runbook 003's collection step), in two places of the policy file:
 * `diagnostics` says where Grafana, Loki and Sentry answer and how to authenticate; `services.<name>.diagnostics`
 * says what to ask them about that service. A tool not configured in either place is skipped, and the summary says so.
 *
 * Header values may use {{secret.NAME}}: the worker's environment variable NAME (a Grafana service-account token,
 * a Sentry auth token), read when diagnostics run and never written to the policy, the timeline or history.
 */

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });
const checkName = singleLine(100);
const headersSchema = z
  .record(z.string().regex(/^[A-Za-z0-9-]{1,100}$/, 'is a header name'), template(2000, { secrets: true, fields: [] }))
  .refine((headers) => Object.keys(headers).length <= 20, 'at most 20 headers')
  .default({});
const slugSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'is a slug such as my-org');
const grafanaUidSchema = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'is a Grafana uid (letters, digits, - and _)');

/** Where each tool answers (the policy's top-level `diagnostics`). */
export const diagnosticsToolsSchema = z.strictObject({
  /** Annotations on each service's dashboard (a service account with the annotations:write permission). */
  grafana: z
    .strictObject({
      url: httpUrl,
      headers: headersSchema,
      orgId: z.number().int().min(1).default(1),
      /** The Loki data source in Grafana: with it, the Loki query comes with a link to it in Grafana Explore. */
      lokiDatasourceUid: grafanaUidSchema.optional(),
    })
    .optional(),
  loki: z
    .strictObject({
      url: httpUrl,
      headers: headersSchema,
      /** Log lines read per query; the top error lines are counted among them. */
      limit: z.number().int().min(1).max(5000).default(1000),
    })
    .optional(),
  sentry: z
    .strictObject({
      url: httpUrl.default('https://sentry.io'),
      organization: slugSchema,
      headers: headersSchema,
    })
    .optional(),
  /** Per tool request; a tool slower than this is reported as such, never waited for. */
  timeout: boundedDuration({ min: '100ms', max: '60s' }).default(10_000),
});
export type DiagnosticsTools = z.output<typeof diagnosticsToolsSchema>;

/**
 * Recent deploys and feature-flag changes (runbooks 001 and 004: review recent changes): a URL answering JSON, either
 * a list or an object holding one at `items`; each entry's fields are read at the dotted paths named here.
 */
const changesSchema = z.strictObject({
  url: template(2000, { secrets: false, fields: ['service', 'incidentId'] }).refine(
    (url) => /^https?:\/\/\S+$/.test(url),
    'must be an http:// or https:// URL, optionally with {{service}} or {{incidentId}}',
  ),
  headers: headersSchema,
  items: z.string().min(1).max(200).optional(),
  fields: z
    .strictObject({
      at: z.string().min(1).max(200).default('at'),
      title: z.string().min(1).max(200).default('title'),
      by: z.string().min(1).max(200).default('by'),
      link: z.string().min(1).max(200).default('url'),
    })
    .default({ at: 'at', title: 'title', by: 'by', link: 'url' }),
  /** Entries older than this are left out. */
  since: boundedDuration({ min: '1m', max: '30d' }).default(24 * 3_600_000),
});
export type ChangesSource = z.output<typeof changesSchema>;

/** The team's own script (runbook 003: collect-diagnostics.sh): argv, no shell; its output becomes the artifact. */
const commandSchema = z.strictObject({
  argv: z.array(argumentSchema).min(1, 'name the program to run (argv, no shell)').max(50),
  /** The worker's variables the script may see; nothing else passes but PATH and the incident's own variables. */
  env: z.array(envNameSchema).max(50).default([]),
  timeout: boundedDuration({ min: '1s', max: '10m' }).default(60_000),
});
export type CommandDiagnostic = z.output<typeof commandSchema>;

/** What to collect for one service (`services.<name>.diagnostics`). */
export const diagnosticsSchema = z.strictObject({
  healthEndpoints: z
    .array(z.strictObject({ name: checkName, url: httpUrl }))
    .max(50)
    .default([]),
  prometheusQueries: z
    .array(z.strictObject({ name: checkName, query: prose(2000) }))
    .max(50)
    .default([]),
  grafana: z.strictObject({ dashboardUid: grafanaUidSchema }).optional(),
  /** A LogQL query for the service's errors, read over the last 15 minutes. */
  loki: z.strictObject({ query: prose(2000) }).optional(),
  sentry: z.strictObject({ project: slugSchema }).optional(),
  changes: changesSchema.optional(),
  command: commandSchema.optional(),
});
export type DiagnosticsConfig = z.output<typeof diagnosticsSchema>;
