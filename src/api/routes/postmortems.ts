import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { severitySchema } from '../../domain/severity';
import { ACTION_ITEM_KINDS, addActionItemSchema } from '../../workflows/postmortem/definitions';
import type { ApiDeps } from '../deps';
import { identityOf } from '../plugins/auth';
import { COMMON_PROBLEMS, incidentParamsSchema, problemSchema } from '../schemas';

const actionItemSchema = z.object({
  id: z.string(),
  title: z.string(),
  owner: z.string(),
  kind: z.enum(ACTION_ITEM_KINDS),
  createdAt: z.number(),
  dueAt: z.number(),
  status: z.enum(['open', 'done', 'deferred']),
  reason: z.string().optional(),
  closedAt: z.number().optional(),
  closedBy: z.string().optional(),
});

const postmortemSchema = z.object({
  incidentId: z.string(),
  title: z.string(),
  severity: severitySchema,
  drill: z.boolean(),
  status: z.enum(['open', 'completed']),
  owner: z.string(),
  escalateTo: z.string(),
  location: z.string(),
  channel: z.string().nullable(),
  resolvedAt: z.number(),
  dueAt: z.number(),
  reviewedAt: z.number().nullable(),
  reviewedBy: z.string().nullable(),
  actionItems: z.array(actionItemSchema),
  fired: z.array(z.string()),
  events: z.array(z.object({ at: z.number(), type: z.string(), message: z.string() })),
  completedAt: z.number().nullable(),
});

const noQuery = z.strictObject({});
const itemParams = incidentParamsSchema.extend({
  itemId: z.string().regex(/^a\d{1,4}$/, 'is an action item id like a1'),
});

/** The postmortem of a resolved SEV-1/SEV-2 and its action items; the actor is always the token's. */
export const postmortemRoutes: FastifyPluginCallbackZod<ApiDeps> = (app, deps, done) => {
  const postmortems = () => deps.incidents.postmortems();
  const tags = ['postmortems'];

  app.get(
    '/api/v1/incidents/:id/postmortem',
    {
      config: { auth: 'read' },
      schema: {
        summary: 'Where the postmortem stands',
        tags,
        params: incidentParamsSchema,
        querystring: noQuery,
        response: { 200: postmortemSchema, ...COMMON_PROBLEMS, 404: problemSchema },
      },
    },
    async (request) => postmortems().show(request.params.id),
  );

  app.post(
    '/api/v1/incidents/:id/postmortem/review',
    {
      config: { auth: 'respond' },
      schema: {
        summary: 'Mark the postmortem document reviewed',
        tags,
        params: incidentParamsSchema,
        body: z.strictObject({}).nullish(),
        response: { 200: postmortemSchema, ...COMMON_PROBLEMS, 404: problemSchema, 409: problemSchema },
      },
    },
    async (request) => {
      await postmortems().markReviewed(request.params.id, identityOf(request).actor);
      return postmortems().show(request.params.id);
    },
  );

  app.get(
    '/api/v1/incidents/:id/action-items',
    {
      config: { auth: 'read' },
      schema: {
        summary: "The postmortem's action items",
        tags,
        params: incidentParamsSchema,
        querystring: noQuery,
        response: { 200: z.object({ items: z.array(actionItemSchema) }), ...COMMON_PROBLEMS, 404: problemSchema },
      },
    },
    async (request) => ({ items: await postmortems().actionItems(request.params.id) }),
  );

  app.post(
    '/api/v1/incidents/:id/action-items',
    {
      config: { auth: 'respond' },
      schema: {
        summary: 'Add an action item (title, owner, due date, kind)',
        tags,
        params: incidentParamsSchema,
        body: addActionItemSchema.omit({ by: true, due: true }).extend({
          due: z.string().max(40).describe('ISO date-time, e.g. 2026-03-10T17:00:00Z'),
        }),
        response: { 201: actionItemSchema, ...COMMON_PROBLEMS, 404: problemSchema, 409: problemSchema },
      },
    },
    async (request, reply) => {
      const item = await postmortems().addActionItem(request.params.id, {
        ...request.body,
        by: identityOf(request).actor,
      });
      return reply.code(201).send(item);
    },
  );

  app.post(
    '/api/v1/incidents/:id/action-items/:itemId/close',
    {
      config: { auth: 'respond' },
      schema: {
        summary: 'Close an action item: done, or deferred with a reason',
        tags,
        params: itemParams,
        body: z.strictObject({
          outcome: z.enum(['done', 'deferred']),
          reason: z.string().max(1000).optional(),
        }),
        response: { 200: actionItemSchema, ...COMMON_PROBLEMS, 404: problemSchema, 409: problemSchema },
      },
    },
    async (request) =>
      postmortems().closeActionItem(request.params.id, {
        itemId: request.params.itemId,
        outcome: request.body.outcome,
        ...(request.body.reason === undefined ? {} : { reason: request.body.reason }),
        by: identityOf(request).actor,
      }),
  );
  done();
};
