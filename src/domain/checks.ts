import { z } from 'zod';
import { boundedDuration } from './duration';
import { template } from './policy/actions';
import { prose, singleLine } from './text';

/**
 * How a service's recovery is verified (smoke checks) and what is snapshotted when it breaks (diagnostics),
 * as written in the policy file under `services.<name>`. Durations are written as `2s` and parsed to milliseconds.
 */

const jsonValueSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });
const checkName = singleLine(100);
/** A request slower than a minute is not a smoke check; under 10 ms nothing passes. */
const maxLatencySchema = boundedDuration({ min: '10ms', max: '60s' });

/** Request headers (a bearer token, a cookie): `{{secret.NAME}}` reads the worker's variable NAME at check time. */
const checkHeadersSchema = z
  .record(z.string().regex(/^[A-Za-z0-9-]{1,100}$/, 'is a header name'), template(2000, { secrets: true, fields: [] }))
  .refine((headers) => Object.keys(headers).length <= 20, 'at most 20 headers');

const httpCheckFields = {
  name: checkName,
  url: httpUrl,
  method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH']).default('GET'),
  headers: checkHeadersSchema.optional(),
  /** A request body (a login form, a JSON query), with `{{secret.NAME}}` like the headers. */
  body: template(10_000, { secrets: true, fields: [] }).optional(),
};

export const httpSmokeCheckSchema = z
  .strictObject({
    type: z.literal('http'),
    ...httpCheckFields,
    expectStatus: z.number().int().min(100).max(599).default(200),
    bodyContains: z.string().min(1).max(1000).optional(),
    /** A dotted path into the JSON body (`status`, `checks.db.status`, `items[0].state`) and the value it must hold. */
    jsonPath: z.strictObject({ path: z.string().min(1).max(200), equals: jsonValueSchema }).optional(),
    /** Slower than this fails the check; also the request's timeout. */
    maxLatency: maxLatencySchema.optional(),
    /** Tries before the check fails, with a short pause between them: a service coming back may flap once. */
    attempts: z.number().int().min(1).max(10).default(1),
  })
  .refine((check) => check.method !== 'HEAD' || (check.bodyContains === undefined && check.jsonPath === undefined), {
    message: 'a HEAD request has no body to check: drop bodyContains/jsonPath or use GET',
    path: ['method'],
  })
  .refine((check) => check.body === undefined || !['GET', 'HEAD'].includes(check.method), {
    message: 'a GET or HEAD request sends no body: use POST, PUT or PATCH',
    path: ['body'],
  });
export type HttpSmokeCheck = z.output<typeof httpSmokeCheckSchema>;

/** One request of a flow: an HTTP check whose URL, headers and body may use what earlier steps captured. */
const flowStepSchema = z
  .strictObject({
    name: checkName,
    url: template(2000, { secrets: false, fields: [], captures: true }).refine(
      (url) => /^https?:\/\/\S+$/.test(url),
      'must be an http:// or https:// URL',
    ),
    method: httpCheckFields.method,
    headers: z
      .record(
        z.string().regex(/^[A-Za-z0-9-]{1,100}$/, 'is a header name'),
        template(2000, { secrets: true, fields: [], captures: true }),
      )
      .optional(),
    body: template(10_000, { secrets: true, fields: [], captures: true }).optional(),
    expectStatus: z.number().int().min(100).max(599).default(200),
    bodyContains: z.string().min(1).max(1000).optional(),
    jsonPath: z.strictObject({ path: z.string().min(1).max(200), equals: jsonValueSchema }).optional(),
    maxLatency: maxLatencySchema.optional(),
    /** Values read from this step's JSON body (`{ token: access_token }`), used later as {{flow.token}}. */
    capture: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'is a capture name'), z.string().min(1).max(200))
      .optional(),
  })
  .refine((step) => step.body === undefined || !['GET', 'HEAD'].includes(step.method), {
    message: 'a GET or HEAD request sends no body: use POST, PUT or PATCH',
    path: ['body'],
  });

/** A critical user flow (runbook 004: log in, then fetch the account), its steps run in order, stopping at a failure. */
export const flowSmokeCheckSchema = z.strictObject({
  type: z.literal('flow'),
  name: checkName,
  steps: z.array(flowStepSchema).min(1, 'a flow has at least one step').max(10, 'at most 10 steps'),
});
export type FlowSmokeCheck = z.output<typeof flowSmokeCheckSchema>;
export type FlowStep = FlowSmokeCheck['steps'][number];

export const COMPARISONS = ['<', '<=', '>', '>=', '=='] as const;
export type Comparison = (typeof COMPARISONS)[number];

/**
 * "Error rate back to baseline" (runbook 004): the first sample of an instant query, compared against a fixed
 * threshold, or against the same query evaluated `offset` earlier (yesterday at this time) times `factor`.
 */
export const prometheusSmokeCheckSchema = z
  .strictObject({
    type: z.literal('prometheus'),
    name: checkName,
    query: prose(2000),
    comparison: z.enum(COMPARISONS),
    threshold: z.number().finite().optional(),
    baseline: z
      .strictObject({
        offset: boundedDuration({ min: '1m', max: '30d' }),
        /** How far above (or below) the baseline still counts as back to it: 1.2 allows 20 % more. */
        factor: z.number().finite().positive().max(1000).default(1),
      })
      .optional(),
    /** Overrides the worker's PROMETHEUS_URL for this check. */
    prometheusUrl: httpUrl.optional(),
  })
  .refine((check) => (check.threshold === undefined) !== (check.baseline === undefined), {
    message: 'give exactly one of threshold or baseline',
    path: ['threshold'],
  });
export type PrometheusSmokeCheck = z.output<typeof prometheusSmokeCheckSchema>;

/** Checks written before Prometheus checks existed have no `type`; they are HTTP checks. */
export const smokeCheckSchema = z.preprocess(
  (value) => (typeof value === 'object' && value !== null && !('type' in value) ? { type: 'http', ...value } : value),
  z.discriminatedUnion('type', [httpSmokeCheckSchema, prometheusSmokeCheckSchema, flowSmokeCheckSchema]),
);
export type SmokeCheck = z.output<typeof smokeCheckSchema>;
