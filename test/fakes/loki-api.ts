import Fastify from 'fastify';

/**
 * A loopback Loki, `GET /loki/api/v1/query_range` as documented: `query` (LogQL), `start`/`end` as nanosecond epochs,
 * `limit`, `direction`. A log query answers `{ status: 'success', data: { resultType: 'streams', result: [{ stream,
 * values: [[ns, line]] }] } }` with only the lines inside [start, end], newest first for `backward`, at most `limit`.
 * A query the test did not load answers no streams; `parse error` answers 400 in plain text, as Loki does.
 */
export interface LokiLine {
  /** Epoch ms. */
  at: number;
  line: string;
  labels?: Record<string, string>;
}

export interface LokiRequestRecord {
  query: string | undefined;
  start: string | undefined;
  end: string | undefined;
  limit: string | undefined;
  direction: string | undefined;
  orgId: string | undefined;
}

export interface FakeLokiApi {
  url: string;
  requests: LokiRequestRecord[];
  load(query: string, lines: LokiLine[]): void;
  close(): Promise<void>;
}

export async function startFakeLoki(): Promise<FakeLokiApi> {
  const app = Fastify({ logger: false });
  const logs = new Map<string, LokiLine[]>();
  const requests: LokiRequestRecord[] = [];

  app.get<{ Querystring: Record<string, string | undefined> }>('/loki/api/v1/query_range', async (request, reply) => {
    const { query, start, end, limit, direction } = request.query;
    const orgId = request.headers['x-scope-orgid'];
    requests.push({ query, start, end, limit, direction, orgId: typeof orgId === 'string' ? orgId : undefined });
    if (query === undefined || !query.startsWith('{')) {
      return reply.code(400).type('text/plain').send('parse error : syntax error: unexpected IDENTIFIER');
    }
    const from = BigInt(start ?? '0');
    const to = BigInt(end ?? `${BigInt(Date.now()) * 1_000_000n}`);
    const ns = (ms: number) => BigInt(ms) * 1_000_000n;
    const lines = (logs.get(query) ?? [])
      .filter((entry) => ns(entry.at) >= from && ns(entry.at) <= to)
      .sort((a, b) => (direction === 'forward' ? a.at - b.at : b.at - a.at))
      .slice(0, Number(limit ?? 100));
    const streams = new Map<string, { stream: Record<string, string>; values: Array<[string, string]> }>();
    for (const entry of lines) {
      const labels = entry.labels ?? { app: 'service' };
      const key = JSON.stringify(labels);
      const stream = streams.get(key) ?? { stream: labels, values: [] };
      stream.values.push([`${ns(entry.at)}`, entry.line]);
      streams.set(key, stream);
    }
    return {
      status: 'success',
      data: { resultType: 'streams', result: [...streams.values()], stats: { summary: { totalLinesProcessed: 0 } } },
    };
  });

  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    requests,
    load(query, lines) {
      logs.set(query, lines);
    },
    close: () => app.close(),
  };
}
