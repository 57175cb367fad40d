import type { BenchApi } from './api-server';
import { tally, type Log } from './scenarios';
import { summarize, type Summary } from './stats';
import { describeError, type Started, type Workload } from './workload';

/**
 * 7: what the HTTP API adds to a declaration. The same incident declared three ways on the same worker, in
 * rounds whose order rotates: `IncidentService.declare()` directly, `POST /api/v1/incidents` with the id in the
 * body (the like-for-like row), and the same POST with an Idempotency-Key and no id, which costs the server one
 * describe call to derive the id.
 */
export const API_PATHS = ['direct', 'api', 'apiKeyed'] as const;
export type ApiPath = (typeof API_PATHS)[number];
export const API_PATH_LABELS: Record<ApiPath, string> = {
  direct: 'IncidentService.declare()',
  api: 'POST /api/v1/incidents',
  apiKeyed: 'POST … with Idempotency-Key',
};
/** Issue 8: the API adds at most this much at p50. */
export const API_TARGET_MS = 15;

export interface ApiDeclareResult {
  callMs: Record<ApiPath, Summary>;
  /** p50 of the API row − p50 of `declare()`. */
  p50DifferenceMs: Record<Exclude<ApiPath, 'direct'>, number>;
  /** API − `declare()` within each round, where the machine's state was the same for both. */
  pairedDifferenceMs: Record<Exclude<ApiPath, 'direct'>, Summary>;
  /**
   * The API's own part of each request: its latency minus the time spent inside the IncidentService (Temporal's
   * part, which is where the noise is). The describe a keyed request costs counts as the service's.
   */
  ownMs: Record<Exclude<ApiPath, 'direct'>, Summary>;
  targetMs: number;
  /** TCP connections the API accepted over the whole phase (warm-up included). */
  connections: number;
  failures: Record<ApiPath, Record<string, number>>;
}

const WARM_UP_ROUNDS = 3;

export async function measureApiDeclare(
  w: Workload,
  api: BenchApi,
  samples: number,
  log: Log,
): Promise<ApiDeclareResult> {
  const values: Record<ApiPath, number[]> = { direct: [], api: [], apiKeyed: [] };
  const failures: Record<ApiPath, string[]> = { direct: [], api: [], apiKeyed: [] };
  const paired = { api: [] as number[], apiKeyed: [] as number[] };
  const own = { api: [] as number[], apiKeyed: [] as number[] };
  const call: Record<ApiPath, () => Promise<Started & { serviceMs?: number }>> = {
    direct: () => w.declare(w.newId(), 'SEV-2'),
    api: () => api.declare('SEV-2', { id: w.newId() }),
    apiKeyed: () => api.declare('SEV-2', { key: `bench-${w.newId()}` }),
  };
  const p50 = (path: ApiPath) => summarize(values[path]).p50;

  for (let round = -WARM_UP_ROUNDS; round < samples; round += 1) {
    const measured = round >= 0;
    const inRound: Partial<Record<ApiPath, number>> = {};
    // Rotating the order, so no path always runs first after the previous incident's work has settled.
    const offset = ((round % API_PATHS.length) + API_PATHS.length) % API_PATHS.length;
    for (const path of [...API_PATHS.slice(offset), ...API_PATHS.slice(0, offset)]) {
      try {
        const { callMs, serviceMs } = await call[path]();
        inRound[path] = callMs;
        if (measured) values[path].push(callMs);
        if (measured && path !== 'direct' && serviceMs !== undefined) own[path].push(callMs - serviceMs);
      } catch (error) {
        if (measured) failures[path].push(describeError(error));
      }
      // The incident opens its channel and posts after the declaration answers; the next call starts on a quiet rig.
      await w.quiet();
    }
    if (measured && inRound.direct !== undefined) {
      for (const path of ['api', 'apiKeyed'] as const) {
        if (inRound[path] !== undefined) paired[path].push(inRound[path] - inRound.direct);
      }
    }
    // Open incidents stay cached on the worker; terminating them now and then keeps the worker the same size.
    if ((round + 1) % 10 === 0) await w.closeOpen();
    if (measured && ((round + 1) % 10 === 0 || round + 1 === samples)) {
      log(
        `api ${round + 1}/${samples}: p50 declare() ${p50('direct').toFixed(1)} ms, API ${p50('api').toFixed(1)} ms, ` +
          `API with key ${p50('apiKeyed').toFixed(1)} ms; API − declare() ${(p50('api') - p50('direct')).toFixed(1)} ms, ` +
          `the API's own part ${summarize(own.api).p50.toFixed(1)} ms`,
      );
    }
  }
  await w.closeOpen();
  return {
    callMs: { direct: summarize(values.direct), api: summarize(values.api), apiKeyed: summarize(values.apiKeyed) },
    p50DifferenceMs: { api: p50('api') - p50('direct'), apiKeyed: p50('apiKeyed') - p50('direct') },
    pairedDifferenceMs: { api: summarize(paired.api), apiKeyed: summarize(paired.apiKeyed) },
    ownMs: { api: summarize(own.api), apiKeyed: summarize(own.apiKeyed) },
    targetMs: API_TARGET_MS,
    connections: api.connections,
    failures: { direct: tally(failures.direct), api: tally(failures.api), apiKeyed: tally(failures.apiKeyed) },
  };
}
