import Fastify from 'fastify';

/**
 * A loopback Prometheus HTTP API, `/api/v1/query` only, with the documented envelopes: success
 * `{ status: 'success', data: { resultType, result } }`, and errors `{ status: 'error', errorType, error }`
 * with 400 (bad_data), 422 (execution), 503 (timeout, unavailable). An unknown query answers like a metric
 * nobody scrapes: an empty vector.
 */
export type QueryAnswer =
  | { vector: Array<{ metric?: Record<string, string>; value: string }> }
  | { scalar: string }
  | { matrix: true }
  | { error: { status: number; errorType: string; error: string } }
  | { raw: { status: number; body: string; contentType?: string } };

export interface PrometheusRequestRecord {
  method: string;
  query: string | undefined;
  timeout: string | undefined;
  authorization: string | undefined;
}

export interface FakePrometheusApi {
  url: string;
  requests: PrometheusRequestRecord[];
  answer(query: string, answer: QueryAnswer): void;
  close(): Promise<void>;
}

export async function startFakePrometheus(answers: Record<string, QueryAnswer> = {}): Promise<FakePrometheusApi> {
  const app = Fastify({ logger: false });
  const configured = new Map(Object.entries(answers));
  const requests: PrometheusRequestRecord[] = [];
  const evaluatedAt = () => Date.now() / 1000;

  app.get<{ Querystring: { query?: string; timeout?: string } }>('/api/v1/query', async (request, reply) => {
    const { query, timeout } = request.query;
    requests.push({ method: request.method, query, timeout, authorization: request.headers.authorization });
    if (query === undefined || query === '') {
      return reply.code(400).send({
        status: 'error',
        errorType: 'bad_data',
        error: 'invalid parameter "query": unknown position: parse error: no expression found in input',
      });
    }
    const answer = configured.get(query) ?? { vector: [] };
    if ('raw' in answer) {
      return reply
        .code(answer.raw.status)
        .type(answer.raw.contentType ?? 'text/plain')
        .send(answer.raw.body);
    }
    if ('error' in answer) {
      const { status, errorType, error } = answer.error;
      return reply.code(status).send({ status: 'error', errorType, error });
    }
    if ('scalar' in answer) {
      return { status: 'success', data: { resultType: 'scalar', result: [evaluatedAt(), answer.scalar] } };
    }
    if ('matrix' in answer) {
      const values = [
        [evaluatedAt() - 60, '1'],
        [evaluatedAt(), '2'],
      ];
      return { status: 'success', data: { resultType: 'matrix', result: [{ metric: { __name__: query }, values }] } };
    }
    return {
      status: 'success',
      data: {
        resultType: 'vector',
        result: answer.vector.map((sample) => ({ metric: sample.metric ?? {}, value: [evaluatedAt(), sample.value] })),
      },
    };
  });

  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    requests,
    answer(query, answer) {
      configured.set(query, answer);
    },
    close: () => app.close(),
  };
}
