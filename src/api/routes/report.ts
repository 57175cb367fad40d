import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { incidentReport, reportQuerySchema } from '../../client/report';
import { SEVERITIES } from '../../domain/severity';
import type { ApiDeps } from '../deps';
import { COMMON_PROBLEMS } from '../schemas';

const phaseSchema = z.object({
  incidents: z.number().int(),
  medianMs: z.number().nullable(),
  p90Ms: z.number().nullable(),
});

const reportSchema = z.object({
  since: z.string(),
  until: z.string(),
  severity: z.enum(SEVERITIES).nullable(),
  service: z.string().nullable(),
  incidents: z.number().int(),
  bySeverity: z.record(z.enum(SEVERITIES), z.number().int()),
  mtta: phaseSchema.describe('time to acknowledge'),
  mttm: phaseSchema.describe('time to the first mitigation that succeeded'),
  mttr: phaseSchema.describe('time to the first resolution'),
  escalations: z.object({ total: z.number().int(), byKind: z.record(z.string(), z.number().int()) }),
  missedUpdates: z.number().int(),
  reopened: z.number().int(),
  drillsExcluded: z.number().int(),
});

/** `GET /api/v1/report`: what `incident report` prints, as JSON. */
export const reportRoutes: FastifyPluginCallbackZod<ApiDeps> = (app, deps, done) => {
  app.get(
    '/api/v1/report',
    {
      config: { auth: 'read' },
      schema: {
        summary: 'MTTA, MTTM, MTTR (median, p90), counts by severity, escalations and missed updates',
        description:
          'Over the incidents declared since `since` ago (open ones from Temporal, closed ones from the archive too); drills are excluded and counted apart.',
        tags: ['incidents'],
        querystring: reportQuerySchema,
        response: { 200: reportSchema, ...COMMON_PROBLEMS },
      },
    },
    async (request) => incidentReport(deps.incidents, request.query),
  );
  done();
};
