import { z } from 'zod';
import { probe } from '../http/probe';

/**
 * A Prometheus instant query (`GET /api/v1/query`), as the HTTP API documents it: a `success` envelope with a
 * vector or scalar result, or an `error` envelope (`bad_data` 400, `execution` 422, `timeout` 503, …).
 */
export interface PrometheusSample {
  metric: Record<string, string>;
  /** The sample value as Prometheus wrote it (`"0.01"`, `"NaN"`, `"+Inf"`). */
  text: string;
  value: number;
}

export type InstantQueryResult =
  | { ok: true; resultType: 'vector' | 'scalar'; samples: PrometheusSample[]; latencyMs: number }
  | { ok: false; error: string; latencyMs: number };

const DEFAULT_QUERY_TIMEOUT_MS = 10_000;
const MAX_RESPONSE_BYTES = 1024 * 1024;

const sampleValueSchema = z.tuple([z.number(), z.string()]);

const responseSchema = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('success'),
    data: z.discriminatedUnion('resultType', [
      z.object({
        resultType: z.literal('vector'),
        result: z.array(z.object({ metric: z.record(z.string(), z.string()), value: sampleValueSchema })),
      }),
      z.object({ resultType: z.literal('scalar'), result: sampleValueSchema }),
      z.object({ resultType: z.enum(['matrix', 'string']), result: z.unknown() }),
    ]),
  }),
  z.object({ status: z.literal('error'), errorType: z.string(), error: z.string() }),
]);

export async function prometheusInstantQuery(
  baseUrl: string,
  query: string,
  options: { timeoutMs?: number; at?: number } = {},
): Promise<InstantQueryResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  const url = new URL('api/v1/query', baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  url.searchParams.set('query', query);
  // Evaluated at another time (a baseline), in Prometheus's unix seconds.
  if (options.at !== undefined) url.searchParams.set('time', (options.at / 1000).toFixed(3));
  // Prometheus stops evaluating at its own `timeout` too, so a slow query answers with an error, not a hang.
  url.searchParams.set('timeout', `${Math.max(1, Math.floor(timeoutMs / 1000))}s`);
  const answer = await probe(url.toString(), {
    timeoutMs,
    maxBodyBytes: MAX_RESPONSE_BYTES,
    headers: { accept: 'application/json' },
  });
  if (!answer.ok) return { ok: false, error: `Prometheus ${answer.error}`, latencyMs: answer.latencyMs };
  const { latencyMs } = answer;
  let json: unknown;
  try {
    json = JSON.parse(answer.body);
  } catch {
    return { ok: false, error: `Prometheus answered ${answer.status} without a JSON body`, latencyMs };
  }
  const parsed = responseSchema.safeParse(json);
  if (!parsed.success) {
    return { ok: false, error: `Prometheus answered ${answer.status} with an unexpected body`, latencyMs };
  }
  const body = parsed.data;
  if (body.status === 'error') {
    return { ok: false, error: `Prometheus ${body.errorType} (${answer.status}): ${body.error}`, latencyMs };
  }
  switch (body.data.resultType) {
    case 'vector':
      return {
        ok: true,
        resultType: 'vector',
        samples: body.data.result.map((series) => sample(series.metric, series.value[1])),
        latencyMs,
      };
    case 'scalar':
      return { ok: true, resultType: 'scalar', samples: [sample({}, body.data.result[1])], latencyMs };
    default:
      return {
        ok: false,
        error: `query returned a ${body.data.resultType}; write an instant vector or scalar expression`,
        latencyMs,
      };
  }
}

function sample(metric: Record<string, string>, text: string): PrometheusSample {
  return { metric, text, value: parseSampleValue(text) };
}

/** Prometheus writes infinities as `+Inf`/`-Inf`, which `Number()` does not read. */
export function parseSampleValue(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}
