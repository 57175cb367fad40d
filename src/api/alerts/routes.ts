import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AlertIntake } from '../../client/alert-intake';
import type { AlertSource } from '../../domain/alerts';
import { severitySchema, statusSchema } from '../../domain/severity';
import type { ApiDeps } from '../deps';
import { COMMON_PROBLEMS, timelineEntrySchema } from '../schemas';
import { normalizeDelivery } from './normalize';
import { alertmanagerPayloadSchema, grafanaPayloadSchema, type AlertPayload } from './payloads';

export const alertIntakeResultSchema = z
  .object({
    incidentId: z.string().nullable().describe('the alert group’s incident; null when the delivery declared nothing'),
    declared: z.boolean().describe('this delivery opened the incident'),
    reason: z.string().optional().describe('why nothing was declared (below the policy’s threshold, nothing firing)'),
    status: statusSchema.optional(),
    severity: severitySchema.optional(),
    firing: z.number().int().optional(),
    resolved: z.number().int().optional(),
    added: z.array(timelineEntrySchema).optional().describe('the timeline entries this delivery wrote'),
  })
  .meta({ id: 'AlertIntakeResult' });

const SOURCES: { source: AlertSource; body: z.ZodType<AlertPayload>; summary: string }[] = [
  {
    source: 'alertmanager',
    body: alertmanagerPayloadSchema,
    summary: 'Prometheus Alertmanager webhook (webhook_config, payload version 4)',
  },
  { source: 'grafana', body: grafanaPayloadSchema, summary: 'Grafana alerting webhook contact point' },
];

/**
 * Alert intake: one alert group is one incident. The first firing delivery at or above the policy's threshold
 * declares it; later deliveries (joining, re-firing, resolving alerts) land on its timeline, however many senders
 * deliver at once; a delivery after it closed opens the group's next incident. Always 202: the delivery is recorded
 * (or the answer says why nothing was declared), and the incident goes on without the sender.
 */
export const alertRoutes: FastifyPluginCallbackZod<ApiDeps> = (app, deps, done) => {
  const intake = new AlertIntake(deps.incidents);
  for (const { source, body, summary } of SOURCES) {
    app.post(
      `/api/v1/alerts/${source}`,
      {
        config: { auth: 'alerts' },
        schema: {
          summary,
          description: `Declares the alert group's incident or records the delivery on it; the actor is \`alert:${source}\`. Identical redeliveries apply once.`,
          tags: ['alerts'],
          body,
          response: { 202: alertIntakeResultSchema, ...COMMON_PROBLEMS },
        },
      },
      async (request, reply) => {
        const result = await intake.deliver(normalizeDelivery(source, request.body, deps.policy.alerts));
        return reply.code(202).send(result);
      },
    );
  }
  done();
};
