import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { declareSchema, incidentIdSchema } from '../../domain/inputs';
import { severitySchema, statusSchema } from '../../domain/severity';
import { serviceNameSchema } from '../../domain/text';
import type { ApiDeps } from '../deps';
import { declarationIdFor, requestIdFor } from '../idempotency';
import { identityOf } from '../plugins/auth';
import {
  COMMON_PROBLEMS,
  declarationResultSchema,
  idempotencyHeadersSchema,
  incidentParamsSchema,
  incidentSummarySchema,
  incidentViewSchema,
  problemSchema,
  timelineEntrySchema,
} from '../schemas';

/** What a client sends to declare: the CLI's fields, minus who declares (that is the token's actor). */
export const apiDeclareSchema = z.strictObject({
  ...declareSchema.omit({ declaredBy: true, source: true }).shape,
  id: incidentIdSchema.optional().describe('chosen by the server when absent (e.g. 20261201-k3f9)'),
});

/** A comma-separated list of at most 20 values, each checked by `item`. */
const listOf = <T extends z.ZodType<unknown, string>>(item: T) =>
  z
    .string()
    .max(1000)
    .transform((text) => text.split(',').map((value) => value.trim()))
    .pipe(z.array(item).max(20, 'at most 20 values'));

/** Reads that take no parameters refuse any, so a typo (`?verbose`) is told rather than ignored. */
const noQuerySchema = z.strictObject({});

const listQuerySchema = z.strictObject({
  status: listOf(statusSchema).optional().describe('comma-separated statuses'),
  severity: listOf(severitySchema).optional().describe('comma-separated severities'),
  service: listOf(serviceNameSchema).optional().describe('comma-separated services'),
  state: z.enum(['open', 'closed']).optional(),
  drill: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .optional(),
  limit: z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(500, 'must be at most 500')
    .default(100),
});

export const incidentRoutes: FastifyPluginCallbackZod<ApiDeps> = (app, deps, done) => {
  app.post(
    '/api/v1/incidents',
    {
      config: { auth: 'respond' },
      schema: {
        summary: 'Declare an incident',
        description:
          'One round trip: answers once the incident workflow holds the declaration, with every deadline it started. Send an Idempotency-Key so a retry answers the same incident.',
        tags: ['incidents'],
        headers: idempotencyHeadersSchema,
        body: apiDeclareSchema,
        response: { 201: declarationResultSchema, ...COMMON_PROBLEMS, 409: problemSchema },
      },
    },
    async (request, reply) => {
      const { actor } = identityOf(request);
      const key = request.headers['idempotency-key'];
      const id = request.body.id ?? (await declarationIdFor(deps.incidents, actor, key));
      const result = await deps.incidents.declare(
        { ...request.body, id, declaredBy: actor, source: 'api' },
        key === undefined ? {} : { requestId: requestIdFor(actor, key) },
      );
      return reply.code(201).send(result);
    },
  );

  app.get(
    '/api/v1/incidents',
    {
      config: { auth: 'read' },
      schema: {
        summary: 'List incidents, newest first',
        tags: ['incidents'],
        querystring: listQuerySchema,
        response: { 200: z.object({ incidents: z.array(incidentSummarySchema) }), ...COMMON_PROBLEMS },
      },
    },
    async (request) => {
      const { status, severity, service, state, drill, limit } = request.query;
      const rows = await deps.incidents.list({
        ...(status ? { statuses: status } : {}),
        ...(severity ? { severities: severity } : {}),
        ...(service ? { services: service } : {}),
        ...(state ? { state } : {}),
        ...(drill === undefined ? {} : { drill }),
        limit,
      });
      return { incidents: rows.map(({ workflowId: _workflowId, ...row }) => row) };
    },
  );

  app.get(
    '/api/v1/incidents/:id',
    {
      config: { auth: 'read' },
      schema: {
        summary: 'Show an incident',
        tags: ['incidents'],
        params: incidentParamsSchema,
        querystring: noQuerySchema,
        response: { 200: incidentViewSchema, ...COMMON_PROBLEMS, 404: problemSchema },
      },
    },
    async (request) => ({ ...(await deps.incidents.show(request.params.id)) }),
  );

  app.get(
    '/api/v1/incidents/:id/timeline',
    {
      config: { auth: 'read' },
      schema: {
        summary: "An incident's timeline, oldest first",
        tags: ['incidents'],
        params: incidentParamsSchema,
        querystring: noQuerySchema,
        response: { 200: z.object({ timeline: z.array(timelineEntrySchema) }), ...COMMON_PROBLEMS, 404: problemSchema },
      },
    },
    async (request) => ({ timeline: await deps.incidents.timeline(request.params.id) }),
  );
  done();
};
