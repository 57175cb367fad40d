import { z } from 'zod';
import { boundedDuration } from './duration';
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

export const httpSmokeCheckSchema = z
  .strictObject({
    type: z.literal('http'),
    name: checkName,
    url: httpUrl,
    method: z.enum(['GET', 'HEAD', 'POST']).default('GET'),
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
  });
export type HttpSmokeCheck = z.output<typeof httpSmokeCheckSchema>;

export const COMPARISONS = ['<', '<=', '>', '>=', '=='] as const;
export type Comparison = (typeof COMPARISONS)[number];

/** "Error rate back to baseline": the first sample of an instant query, compared against a threshold. */
export const prometheusSmokeCheckSchema = z.strictObject({
  type: z.literal('prometheus'),
  name: checkName,
  query: prose(2000),
  comparison: z.enum(COMPARISONS),
  threshold: z.number().finite(),
  /** Overrides the worker's PROMETHEUS_URL for this check. */
  prometheusUrl: httpUrl.optional(),
});
export type PrometheusSmokeCheck = z.output<typeof prometheusSmokeCheckSchema>;

/** Checks written before Prometheus checks existed have no `type`; they are HTTP checks. */
export const smokeCheckSchema = z.preprocess(
  (value) => (typeof value === 'object' && value !== null && !('type' in value) ? { type: 'http', ...value } : value),
  z.discriminatedUnion('type', [httpSmokeCheckSchema, prometheusSmokeCheckSchema]),
);
export type SmokeCheck = z.output<typeof smokeCheckSchema>;

/** Runbook 003's collection step: what to snapshot for this service when a SEV-1/2 is declared. */
export const diagnosticsSchema = z.strictObject({
  healthEndpoints: z
    .array(z.strictObject({ name: checkName, url: httpUrl }))
    .max(50)
    .default([]),
  prometheusQueries: z
    .array(z.strictObject({ name: checkName, query: prose(2000) }))
    .max(50)
    .default([]),
});
export type DiagnosticsConfig = z.output<typeof diagnosticsSchema>;
