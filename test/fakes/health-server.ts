import { setTimeout as sleep } from 'node:timers/promises';
import Fastify from 'fastify';

/**
 * A loopback service with health endpoints that a test switches between healthy, unhealthy and slow,
 * or makes fail a few times before it recovers (a service coming back after a rollback).
 */
export type EndpointMode = 'healthy' | 'unhealthy' | 'slow';

export interface EndpointBehaviour {
  mode: EndpointMode;
  /** For `slow`: how long before it answers. */
  delayMs?: number;
  /** Answer unhealthy this many times first, then as `mode` says. */
  failFirst?: number;
  /** Replaces the default JSON body (`{"status":"ok"}` or `{"status":"down"}`). */
  body?: string;
  contentType?: string;
  /** Replaces the default status (200, or 503 when unhealthy). */
  status?: number;
}

export interface HealthRequestRecord {
  method: string;
  path: string;
  authorization: string | undefined;
  at: number;
}

export interface FakeHealthServer {
  url: string;
  requests: HealthRequestRecord[];
  set(path: string, behaviour: EndpointBehaviour): void;
  close(): Promise<void>;
}

export async function startHealthServer(endpoints: Record<string, EndpointBehaviour> = {}): Promise<FakeHealthServer> {
  // Slow handlers must not hold up close(): a test that timed out on purpose is done with them.
  const app = Fastify({ logger: false, forceCloseConnections: true });
  const behaviours = new Map(Object.entries(endpoints));
  const served = new Map<string, number>();
  const requests: HealthRequestRecord[] = [];

  app.route({
    method: ['GET', 'HEAD', 'POST'],
    url: '/*',
    handler: async (request, reply) => {
      const path = request.url.split('?')[0] ?? request.url;
      requests.push({ method: request.method, path, authorization: request.headers.authorization, at: Date.now() });
      const behaviour = behaviours.get(path);
      if (!behaviour) return reply.code(404).type('text/plain').send('Not Found');
      const count = (served.get(path) ?? 0) + 1;
      served.set(path, count);
      const unhealthy = behaviour.mode === 'unhealthy' || count <= (behaviour.failFirst ?? 0);
      if (behaviour.mode === 'slow' && !unhealthy) await sleep(behaviour.delayMs ?? 1000);
      const status = behaviour.status ?? (unhealthy ? 503 : 200);
      const body = behaviour.body ?? JSON.stringify({ status: unhealthy ? 'down' : 'ok' });
      return reply
        .code(status)
        .type(behaviour.contentType ?? 'application/json')
        .send(body);
    },
  });

  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    requests,
    set(path, behaviour) {
      behaviours.set(path, behaviour);
      served.delete(path);
    },
    close: () => app.close(),
  };
}
