import { setTimeout as sleep } from 'node:timers/promises';
import type { Comparison, HttpSmokeCheck, PrometheusSmokeCheck, SmokeCheck } from '../../domain/checks';
import { probe } from '../http/probe';
import type { SmokeTester } from '../providers';
import type { SmokeCheckResult } from '../types';
import { prometheusInstantQuery } from './prometheus';

export interface SmokeTesterOptions {
  /** The worker's PROMETHEUS_URL, for Prometheus checks that do not name their own. */
  prometheusUrl?: string;
  /** Pause between attempts of a flapping HTTP check. */
  attemptPause?: number;
}

const DEFAULT_CHECK_TIMEOUT_MS = 10_000;
const DEFAULT_ATTEMPT_PAUSE_MS = 2_000;
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Runs the HTTP and Prometheus checks configured for the service, in order, heartbeating after each.
 * A failing check is a result, never an exception: the workflow decides what an unverified recovery means.
 * A service without checks reports an empty list, which the workflow records as "not verified".
 */
export function httpSmokeTester(
  services: Record<string, { smokeChecks?: readonly SmokeCheck[] }>,
  options: SmokeTesterOptions = {},
): SmokeTester {
  // Fail at boot, not mid-incident, when a Prometheus check has nowhere to go.
  for (const [service, config] of Object.entries(services)) {
    for (const check of config.smokeChecks ?? []) {
      if (check.type === 'prometheus' && !check.prometheusUrl && !options.prometheusUrl) {
        throw new Error(
          `services.${service}.smokeChecks "${check.name}" is a Prometheus check but no Prometheus is configured ` +
            "(set PROMETHEUS_URL or the check's prometheusUrl)",
        );
      }
    }
  }
  const pause = options.attemptPause ?? DEFAULT_ATTEMPT_PAUSE_MS;
  return {
    async run(request, heartbeat) {
      const checks = services[request.service]?.smokeChecks ?? [];
      const results: SmokeCheckResult[] = [];
      for (const check of checks) {
        results.push(
          check.type === 'prometheus'
            ? await runPrometheusCheck(check, options.prometheusUrl)
            : await runHttpCheck(check, { pause, heartbeat }),
        );
        heartbeat();
      }
      return { passed: results.every((r) => r.passed), checks: results };
    },
  };
}

export async function runHttpCheck(
  check: HttpSmokeCheck,
  { pause, heartbeat }: { pause: number; heartbeat: () => void },
): Promise<SmokeCheckResult> {
  let result = await attemptHttpCheck(check);
  for (let attempt = 2; !result.passed && attempt <= check.attempts; attempt++) {
    heartbeat();
    await sleep(pause);
    result = await attemptHttpCheck(check);
    result = { ...result, reason: `${result.reason} (attempt ${attempt} of ${check.attempts})` };
  }
  return result;
}

async function attemptHttpCheck(check: HttpSmokeCheck): Promise<SmokeCheckResult> {
  const timeoutMs = check.maxLatency ?? DEFAULT_CHECK_TIMEOUT_MS;
  const answer = await probe(check.url, {
    method: check.method,
    timeoutMs,
    maxBodyBytes: MAX_BODY_BYTES,
    // A check that expects a redirect must see it rather than where it leads.
    redirect: check.expectStatus >= 300 && check.expectStatus < 400 ? 'manual' : 'follow',
  });
  const { latencyMs } = answer;
  const result = (passed: boolean, reason: string) => ({ name: check.name, passed, latencyMs, reason });
  if (!answer.ok) return result(false, answer.error);
  if (answer.status !== check.expectStatus)
    return result(false, `status ${answer.status}, expected ${check.expectStatus}`);
  if (check.maxLatency !== undefined && latencyMs > check.maxLatency) {
    return result(false, `answered in ${latencyMs} ms, limit ${check.maxLatency} ms`);
  }
  if (check.bodyContains !== undefined && !answer.body.includes(check.bodyContains)) {
    return result(false, `body does not contain "${truncate(check.bodyContains)}"`);
  }
  if (check.jsonPath !== undefined) {
    const mismatch = jsonPathMismatch(answer.body, check.jsonPath.path, check.jsonPath.equals);
    if (mismatch !== null) return result(false, mismatch);
  }
  return result(true, `status ${answer.status} in ${latencyMs} ms`);
}

export async function runPrometheusCheck(
  check: PrometheusSmokeCheck,
  defaultUrl: string | undefined,
): Promise<SmokeCheckResult> {
  const baseUrl = check.prometheusUrl ?? defaultUrl;
  if (baseUrl === undefined) {
    return { name: check.name, passed: false, latencyMs: 0, reason: 'no Prometheus URL configured' };
  }
  const answer = await prometheusInstantQuery(baseUrl, check.query);
  const result = (passed: boolean, reason: string) => ({
    name: check.name,
    passed,
    latencyMs: answer.latencyMs,
    reason,
  });
  if (!answer.ok) return result(false, answer.error);
  const first = answer.samples[0];
  if (first === undefined) return result(false, 'query returned no series (is the metric being scraped?)');
  const condition = `${check.comparison} ${check.threshold}`;
  return compare(first.value, check.comparison, check.threshold)
    ? result(true, `value ${first.text} ${condition}`)
    : result(false, `value ${first.text}, expected ${condition}`);
}

/** NaN compares false with everything, so an undefined ratio (0/0) never counts as "back to baseline". */
export function compare(value: number, comparison: Comparison, threshold: number): boolean {
  switch (comparison) {
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '==':
      return value === threshold;
  }
}

/** Null when the JSON body holds `expected` at `path`, else the reason it does not. */
export function jsonPathMismatch(
  body: string,
  path: string,
  expected: string | number | boolean | null,
): string | null {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return `body is not JSON, cannot read ${path}`;
  }
  const found = readJsonPath(json, path);
  if (!found.present) return `${path} not found in body`;
  if (found.value === expected) return null;
  return `${path} is ${truncate(JSON.stringify(found.value))}, expected ${JSON.stringify(expected)}`;
}

/**
 * A dotted path such as `status`, `checks.db.status`, `items[0].state` or `$.data.ready`: enough for a health
 * body, without a JSONPath engine's filters and wildcards.
 */
export function readJsonPath(json: unknown, path: string): { present: boolean; value?: unknown } {
  const segments = path
    .replace(/^\$\.?/, '')
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter((segment) => segment !== '');
  let current: unknown = json;
  for (const segment of segments) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, segment)) {
      return { present: false };
    }
    current = (current as Record<string, unknown>)[segment];
  }
  return { present: true, value: current };
}

function truncate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
