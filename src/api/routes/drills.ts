import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DrillService } from '../../client/drills';
import { drillNameSchema } from '../../domain/policy/drills';
import { singleLine } from '../../domain/text';
import type { ApiDeps } from '../deps';
import { identityOf } from '../plugins/auth';
import { COMMON_PROBLEMS, problemSchema } from '../schemas';

const drillRowSchema = z
  .object({
    name: z.string(),
    kind: z.string(),
    title: z.string(),
    cadence: z.string(),
    inPolicy: z.boolean(),
    paused: z.boolean(),
    note: z.string(),
    lastRun: z
      .object({
        at: z.string(),
        workflowId: z.string(),
        status: z.string(),
        incidentId: z.string().nullable(),
        passed: z.boolean().nullable(),
      })
      .nullable(),
    nextRun: z.string().nullable(),
  })
  .meta({ id: 'DrillRow' });

const params = z.object({ name: drillNameSchema });
const noteBody = z.strictObject({ note: singleLine(500).optional() }).nullish();
const changed = z.object({ drill: z.string(), paused: z.boolean() });

/** The policy's drills and their Schedules (`incident drill list|run|pause|resume` over HTTP). */
export const drillRoutes: FastifyPluginCallbackZod<ApiDeps> = (app, deps, done) => {
  const drills = () => new DrillService(deps.incidents.temporalClient(), deps.policy.drills);
  const tags = ['drills'];

  app.get(
    '/api/v1/drills',
    {
      config: { auth: 'read' },
      schema: {
        summary: 'Each drill with its last run and the next scheduled (runbook 002)',
        tags,
        querystring: z.strictObject({}),
        response: { 200: z.object({ drills: z.array(drillRowSchema) }), ...COMMON_PROBLEMS },
      },
    },
    async () => ({ drills: await drills().list() }),
  );

  app.post(
    '/api/v1/drills/:name/run',
    {
      config: { auth: 'respond' },
      schema: {
        summary: 'Run the drill now, through its Schedule',
        tags,
        params,
        body: z.strictObject({}).nullish(),
        response: {
          202: z.object({ drill: z.string(), triggered: z.boolean() }),
          ...COMMON_PROBLEMS,
          404: problemSchema,
        },
      },
    },
    async (request, reply) => {
      await drills().run(request.params.name);
      return reply.code(202).send({ drill: request.params.name, triggered: true });
    },
  );

  for (const verb of ['pause', 'resume'] as const) {
    app.post(
      `/api/v1/drills/:name/${verb}`,
      {
        config: { auth: 'respond' },
        schema: {
          summary: verb === 'pause' ? 'Stop scheduling the drill until resumed' : 'Schedule the drill again',
          tags,
          params,
          body: noteBody,
          response: { 200: changed, ...COMMON_PROBLEMS, 404: problemSchema },
        },
      },
      async (request) => {
        const note = request.body?.note ?? `${verb}d by ${identityOf(request).actor}`;
        const service = drills();
        await (verb === 'pause' ? service.pause(request.params.name, note) : service.resume(request.params.name, note));
        return { drill: request.params.name, paused: verb === 'pause' };
      },
    );
  }
  done();
};
