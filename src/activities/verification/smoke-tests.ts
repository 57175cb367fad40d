import { setTimeout as sleep } from 'node:timers/promises';
import type {
  Comparison,
  FlowSmokeCheck,
  FlowStep,
  HttpSmokeCheck,
  PrometheusSmokeCheck,
  SmokeCheck,
} from '../../domain/checks';
import { fillTemplate } from '../../domain/policy/actions';
import { probe } from '../http/probe';
import type { SmokeTester } from '../providers';
import type { SmokeCheckResult } from '../types';
import { prometheusInstantQuery } from './prometheus';

export interface SmokeTesterOptions {
  /** The worker's PROMETHEUS_URL, for Prometheus checks that do not name their own. */
  prometheusUrl?: string;
  /** Pause between attempts of a flapping HTTP check. */
  attemptPause?: number;
  /** The worker's environment as src/config reads it: {{secret.NAME}} in a check's headers and body. */
  secrets?: Readonly<Record<string, string | undefined>>;
  /** The clock a baseline's offset counts back from. */
  now?: () => number;
}

type Secrets = NonNullable<SmokeTesterOptions['secrets']>;

/** With no checks of its own, a service with a base URL is probed at /health and /alive (runbooks 001, 004). */
export function checksFor(
  service: { smokeChecks?: readonly SmokeCheck[]; baseUrl?: string } | undefined,
): SmokeCheck[] {
  if (!service) return [];
  if (service.smokeChecks && service.smokeChecks.length > 0) return [...service.smokeChecks];
  if (service.baseUrl === undefined) return [];
  const base = service.baseUrl.endsWith('/') ? service.baseUrl : `${service.baseUrl}/`;
  return ['health', 'alive'].map((path) => ({
    type: 'http',
    name: path,
    url: new URL(path, base).toString(),
    method: 'GET',
    expectStatus: 200,
    attempts: 1,
  }));
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
  services: Record<string, { smokeChecks?: readonly SmokeCheck[]; baseUrl?: string }>,
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
  const secrets = options.secrets ?? {};
  const now = options.now ?? Date.now;
  return {
    async run(request, heartbeat) {
      const checks = checksFor(services[request.service]);
      const results: SmokeCheckResult[] = [];
      for (const check of checks) {
        results.push(
          check.type === 'prometheus'
            ? await runPrometheusCheck(check, options.prometheusUrl, now)
            : check.type === 'flow'
              ? await runFlowCheck(check, secrets)
              : await runHttpCheck(check, { pause, heartbeat, secrets }),
        );
        heartbeat();
      }
      return { passed: results.every((r) => r.passed), checks: results };
    },
  };
}

export async function runHttpCheck(
  check: HttpSmokeCheck,
  { pause, heartbeat, secrets = {} }: { pause: number; heartbeat: () => void; secrets?: Secrets },
): Promise<SmokeCheckResult> {
  let result = (await attemptRequest(check, {}, secrets)).result;
  for (let attempt = 2; !result.passed && attempt <= check.attempts; attempt++) {
    heartbeat();
    await sleep(pause);
    result = (await attemptRequest(check, {}, secrets)).result;
    result = { ...result, reason: `${result.reason} (attempt ${attempt} of ${check.attempts})` };
  }
  return result;
}

/**
 * A critical user flow: each step in order, what a step captures from its JSON body filling {{flow.NAME}} in the
 * next; the first failing step fails the flow, named in the reason. Latency is the whole flow's.
 */
export async function runFlowCheck(check: FlowSmokeCheck, secrets: Secrets): Promise<SmokeCheckResult> {
  const captured: Record<string, string> = {};
  let latencyMs = 0;
  for (const [index, step] of check.steps.entries()) {
    const { result, body } = await attemptRequest(step, captured, secrets);
    latencyMs += result.latencyMs;
    const failed = (reason: string) => ({
      name: check.name,
      passed: false,
      latencyMs,
      reason: `step ${index + 1} (${step.name}): ${reason}`,
    });
    if (!result.passed) return failed(result.reason);
    for (const [name, path] of Object.entries(step.capture ?? {})) {
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        return failed(`body is not JSON, cannot capture ${name}`);
      }
      const found = readJsonPath(json, path);
      if (!found.present || found.value === null || typeof found.value === 'object') {
        return failed(`no ${path} in the body to capture as ${name}`);
      }
      captured[`flow.${name}`] = typeof found.value === 'string' ? found.value : JSON.stringify(found.value);
    }
  }
  return { name: check.name, passed: true, latencyMs, reason: `${check.steps.length} steps passed in ${latencyMs} ms` };
}

type RequestCheck = Omit<HttpSmokeCheck, 'type' | 'attempts'> | FlowStep;

async function attemptRequest(
  check: RequestCheck,
  captured: Record<string, string>,
  secrets: Secrets,
): Promise<{ result: SmokeCheckResult; body: string }> {
  const timeoutMs = check.maxLatency ?? DEFAULT_CHECK_TIMEOUT_MS;
  const missing = new Set<string>();
  const fill = (text: string) => {
    const filled = fillTemplate(text, captured, (name) => secrets[name]);
    for (const name of filled.missing) missing.add(name);
    return filled.text;
  };
  const url = fill(check.url);
  const headers = Object.fromEntries(Object.entries(check.headers ?? {}).map(([name, value]) => [name, fill(value)]));
  const body = check.body === undefined ? undefined : fill(check.body);
  if (missing.size > 0) {
    const reason = `not sent: no ${[...missing].join(', ')} (a secret the worker lacks or a value no step captured)`;
    return { result: { name: check.name, passed: false, latencyMs: 0, reason }, body: '' };
  }
  const answer = await probe(url, {
    method: check.method,
    timeoutMs,
    maxBodyBytes: MAX_BODY_BYTES,
    headers,
    ...(body === undefined ? {} : { body }),
    // A check that expects a redirect must see it rather than where it leads.
    redirect: check.expectStatus >= 300 && check.expectStatus < 400 ? 'manual' : 'follow',
  });
  const result = (passed: boolean, reason: string) => ({
    result: { name: check.name, passed, latencyMs: answer.latencyMs, reason },
    body: answer.ok ? answer.body : '',
  });
  return checkAnswer(check, answer, result);
}

function checkAnswer<T>(
  check: RequestCheck,
  answer: Awaited<ReturnType<typeof probe>>,
  result: (passed: boolean, reason: string) => T,
): T {
  const { latencyMs } = answer;
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
  now: () => number = Date.now,
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
  let threshold = check.threshold ?? Number.NaN;
  let condition = `${check.comparison} ${check.threshold}`;
  if (check.baseline) {
    // The same query evaluated `offset` ago: Prometheus's own `time` parameter, so any expression works.
    const then = await prometheusInstantQuery(baseUrl, check.query, { at: now() - check.baseline.offset });
    const base = then.ok ? then.samples[0] : undefined;
    if (!then.ok) return result(false, `baseline: ${then.error}`);
    if (base === undefined) return result(false, 'baseline query returned no series');
    threshold = base.value * check.baseline.factor;
    const factor = check.baseline.factor === 1 ? '' : ` x ${check.baseline.factor}`;
    condition = `${check.comparison} baseline ${base.text}${factor} (${formatOffset(check.baseline.offset)} ago)`;
  }
  return compare(first.value, check.comparison, threshold)
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

function formatOffset(ms: number): string {
  return ms % 86_400_000 === 0
    ? `${ms / 86_400_000}d`
    : ms % 3_600_000 === 0
      ? `${ms / 3_600_000}h`
      : `${ms / 60_000}m`;
}

function truncate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
