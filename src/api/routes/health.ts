import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiDeps } from '../deps';

const readinessSchema = z.object({
  ready: z.boolean(),
  temporal: z.boolean().describe('Temporal answers'),
  workerPolling: z.boolean().describe('a worker polls the incident task queue'),
  detail: z.string(),
});

/** `/healthz`: the process answers. `/readyz`: it can also do its job (Temporal up, a worker taking incidents). */
export const healthRoutes: FastifyPluginCallbackZod<ApiDeps> = (app, deps, done) => {
  app.get(
    '/healthz',
    {
      config: { auth: 'public', rateLimit: false },
      schema: { tags: ['health'], response: { 200: z.object({ ok: z.literal(true) }) } },
    },
    (_request, reply) => {
      void reply.send({ ok: true as const });
    },
  );
  app.get(
    '/readyz',
    {
      config: { auth: 'public', rateLimit: false },
      schema: { tags: ['health'], response: { 200: readinessSchema, 503: readinessSchema } },
    },
    async (_request, reply) => {
      const readiness = await deps.incidents.readiness();
      const ready = readiness.temporal && readiness.workerPolling;
      return reply.code(ready ? 200 : 503).send({ ready, ...readiness });
    },
  );
  done();
};
