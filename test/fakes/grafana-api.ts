import Fastify from 'fastify';

/**
 * A loopback Grafana speaking the annotations HTTP API as documented: `POST /api/annotations` with
 * `{ dashboardUID, time, tags, text }` answers `{ message: 'Annotation added', id }`; `GET /api/annotations` filters by
 * `dashboardUID`, `tags` (every one must match) and `limit`. A service-account token is sent as `Authorization: Bearer`;
 * any other answers 401 `{ message: 'Unauthorized' }`. `failNext` makes the next posts answer 500, as a Grafana whose
 * database is locked does.
 */
export interface GrafanaAnnotation {
  id: number;
  dashboardUID: string;
  time: number;
  text: string;
  tags: string[];
}

export interface FakeGrafanaApi {
  url: string;
  annotations: GrafanaAnnotation[];
  requests: Array<{ method: string; path: string; authorization: string | undefined }>;
  failNext(count: number): void;
  close(): Promise<void>;
}

export async function startFakeGrafana(token: string): Promise<FakeGrafanaApi> {
  const app = Fastify({ logger: false });
  const annotations: GrafanaAnnotation[] = [];
  const requests: FakeGrafanaApi['requests'] = [];
  let failures = 0;

  app.addHook('onRequest', async (request, reply) => {
    requests.push({ method: request.method, path: request.url, authorization: request.headers.authorization });
    if (request.headers.authorization !== `Bearer ${token}`) return reply.code(401).send({ message: 'Unauthorized' });
  });

  app.post<{ Body: Partial<GrafanaAnnotation> }>('/api/annotations', async (request, reply) => {
    if (failures > 0) {
      failures -= 1;
      return reply.code(500).send({ message: 'Failed to save annotation' });
    }
    const { dashboardUID, time, text, tags } = request.body ?? {};
    if (typeof text !== 'string' || text === '') return reply.code(400).send({ message: 'text is required' });
    const annotation = {
      id: annotations.length + 1,
      dashboardUID: dashboardUID ?? '',
      time: typeof time === 'number' ? time : Date.now(),
      text,
      tags: Array.isArray(tags) ? tags.map(String) : [],
    };
    annotations.push(annotation);
    return { message: 'Annotation added', id: annotation.id };
  });

  app.get<{ Querystring: { dashboardUID?: string; tags?: string | string[]; limit?: string } }>(
    '/api/annotations',
    (request, reply) => {
      const { dashboardUID, limit } = request.query;
      const tags = [request.query.tags ?? []].flat();
      return reply.send(
        annotations
          .filter((a) => dashboardUID === undefined || a.dashboardUID === dashboardUID)
          .filter((a) => tags.every((tag) => a.tags.includes(tag)))
          .slice(0, limit === undefined ? 100 : Number(limit)),
      );
    },
  );

  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    annotations,
    requests,
    failNext(count) {
      failures = count;
    },
    close: () => app.close(),
  };
}
