import type { ServiceConfig, SmokeCheck } from '../domain/policy';
import type { SmokeCheckResult, SmokeTestReport, SmokeTestRequest } from './types';

export interface SmokeTester {
  run(request: SmokeTestRequest, heartbeat: () => void): Promise<SmokeTestReport>;
}

const DEFAULT_CHECK_TIMEOUT_MS = 10_000;

/** Runs the HTTP checks configured for the service; a service without checks reports that, it never "passes" silently. */
export function httpSmokeTester(services: Record<string, ServiceConfig>): SmokeTester {
  return {
    async run(request, heartbeat) {
      const checks = services[request.service]?.smokeChecks ?? [];
      const results: SmokeCheckResult[] = [];
      for (const check of checks) {
        results.push(await runHttpCheck(check));
        heartbeat();
      }
      return { passed: results.every((r) => r.passed), checks: results };
    },
  };
}

export async function runHttpCheck(check: SmokeCheck): Promise<SmokeCheckResult> {
  const started = performance.now();
  const timeout = check.maxLatency ?? DEFAULT_CHECK_TIMEOUT_MS;
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const response = await fetch(check.url, { method: check.method, signal: AbortSignal.timeout(timeout) });
    const body = check.bodyContains === undefined ? '' : await response.text();
    const latencyMs = elapsed();
    if (response.status !== check.expectStatus) {
      return {
        name: check.name,
        passed: false,
        latencyMs,
        reason: `status ${response.status}, expected ${check.expectStatus}`,
      };
    }
    if (check.bodyContains !== undefined && !body.includes(check.bodyContains)) {
      return { name: check.name, passed: false, latencyMs, reason: `body does not contain "${check.bodyContains}"` };
    }
    return { name: check.name, passed: true, latencyMs, reason: `status ${response.status} in ${latencyMs} ms` };
  } catch (error) {
    const reason =
      (error as Error).name === 'TimeoutError'
        ? `no answer within ${timeout} ms`
        : `request failed: ${(error as Error).message}`;
    return { name: check.name, passed: false, latencyMs: elapsed(), reason };
  }
}
