import { z } from 'zod';
import type { RollbackEnvironment } from '../../config/rollback';
import type { DiagnosticsTools } from '../../domain/policy/diagnostics';
import { joinUrl, requestTool } from './tool-request';

export type LokiTool = NonNullable<DiagnosticsTools['loki']>;

export const LOKI_WINDOW = '15m';
const WINDOW_MS = 15 * 60_000;
const TOP_LINES = 5;
const LINE_CHARS = 300;

export interface LokiSnapshot {
  query: string;
  ok: boolean;
  /** Lines Loki returned (at most the policy's limit). */
  lines: number;
  top: Array<{ line: string; count: number }>;
  error: string | null;
}

/** `query_range` answers streams: label sets, each with `[nanosecond timestamp, line]` pairs. */
const streamsSchema = z.object({
  status: z.literal('success'),
  data: z.object({
    resultType: z.literal('streams'),
    result: z.array(z.object({ values: z.array(z.tuple([z.string(), z.string()])) })),
  }),
});

/**
 * The service's top error lines over the last 15 minutes (`GET /loki/api/v1/query_range`, newest first). Lines that
 * differ only in numbers (ids, durations, ports) count as one, shown as the newest of them.
 */
export async function topErrorLines(
  loki: LokiTool,
  query: string,
  now: number,
  env: RollbackEnvironment,
  timeoutMs: number,
): Promise<LokiSnapshot> {
  const url = joinUrl(loki.url, 'loki/api/v1/query_range');
  const nanos = (ms: number) => `${BigInt(ms) * 1_000_000n}`;
  url.searchParams.set('query', query);
  url.searchParams.set('start', nanos(now - WINDOW_MS));
  url.searchParams.set('end', nanos(now));
  url.searchParams.set('limit', String(loki.limit));
  url.searchParams.set('direction', 'backward');
  const answer = await requestTool(url.toString(), { headers: loki.headers, timeoutMs }, env);
  if (!answer.ok) return { query, ok: false, lines: 0, top: [], error: answer.error };
  const parsed = streamsSchema.safeParse(answer.json);
  if (!parsed.success) {
    return { query, ok: false, lines: 0, top: [], error: 'the answer is not a streams result (a metric query?)' };
  }
  const entries = parsed.data.data.result
    .flatMap((stream) => stream.values)
    .sort((a, b) => (BigInt(b[0]) > BigInt(a[0]) ? 1 : BigInt(b[0]) < BigInt(a[0]) ? -1 : 0));
  const groups = new Map<string, { line: string; count: number }>();
  for (const [, line] of entries) {
    const shape = line.replace(/\d+/g, '#');
    const group = groups.get(shape);
    if (group) group.count += 1;
    else groups.set(shape, { line: line.length > LINE_CHARS ? `${line.slice(0, LINE_CHARS - 3)}...` : line, count: 1 });
  }
  const top = [...groups.values()].sort((a, b) => b.count - a.count).slice(0, TOP_LINES);
  return { query, ok: true, lines: entries.length, top, error: null };
}
