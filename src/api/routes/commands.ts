import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { COMMANDS, type CommandName } from '../../client/service';
import { finishMitigationSchema, incidentIdSchema } from '../../domain/inputs';
import type { ApiDeps } from '../deps';
import { requestIdFor } from '../idempotency';
import { identityOf } from '../plugins/auth';
import {
  COMMON_PROBLEMS,
  commandResultSchema,
  idempotencyHeadersSchema,
  incidentParamsSchema,
  problemSchema,
} from '../schemas';

/** One route per CLI command: where it lives, what it is called, and which of its fields come from the path. */
const ROUTES: { command: CommandName; url: string; summary: string; fromPath?: 'actionId' }[] = [
  { command: 'acknowledge', url: 'acknowledge', summary: 'Acknowledge the page (stops the escalation ladder)' },
  { command: 'assignRole', url: 'roles', summary: 'Assign a role (commander, comms, ops, oncall, scribe)' },
  { command: 'postStatusUpdate', url: 'status-updates', summary: 'Post a status update (restarts the cadence)' },
  { command: 'changeSeverity', url: 'severity', summary: 'Change the severity (re-plans every deadline)' },
  { command: 'startMitigation', url: 'mitigations', summary: 'Start a mitigation' },
  {
    command: 'finishMitigation',
    url: 'mitigations/:actionId/finish',
    summary: 'Report how a mitigation went',
    fromPath: 'actionId',
  },
  { command: 'page', url: 'pages', summary: 'Page a configured target on demand (secondary, db-oncall, ...)' },
  { command: 'rollback', url: 'rollback', summary: "Run the service's rollback now, then verify" },
  { command: 'resolve', url: 'resolve', summary: 'Resolve (runs the verification first)' },
  { command: 'reopen', url: 'reopen', summary: 'Reopen a resolved incident' },
  { command: 'close', url: 'close', summary: 'Close a resolved incident' },
  { command: 'addNote', url: 'notes', summary: 'Add a note to the timeline' },
  {
    command: 'confirmIntegrity',
    url: 'integrity',
    summary: 'Confirm data integrity (a data-loss incident closes only after this)',
  },
  { command: 'checkItem', url: 'checklist', summary: 'Tick off a checklist item (data preservation, security)' },
  { command: 'confirmBreach', url: 'breach', summary: 'Confirm a security breach (at least SEV-1 from then on)' },
  {
    command: 'diagnose',
    url: 'diagnostics',
    summary: 'Collect diagnostics now; the summary and links go to the channel',
  },
];

/**
 * A command's body is its CLI input minus `by` (the token's actor) and anything the path carries. Unknown keys are
 * refused, so a body that tries to act as someone else (`by`) is told so instead of silently ignored.
 */
function bodySchemaFor(command: CommandName, fromPath: string | undefined) {
  const shape = { ...(COMMANDS[command].schema as z.ZodObject).shape } as Record<string, z.ZodType>;
  delete shape.by;
  if (fromPath) delete shape[fromPath];
  const body = z.strictObject(shape);
  // A command with nothing to say can be sent without a body.
  return Object.keys(shape).length === 0 ? body.nullish() : body;
}

export const commandRoutes: FastifyPluginCallbackZod<ApiDeps> = (app, deps, done) => {
  for (const route of ROUTES) {
    const params =
      route.fromPath === 'actionId'
        ? incidentParamsSchema.extend({ actionId: finishMitigationSchema.shape.actionId })
        : z.object({ id: incidentIdSchema });
    app.post(
      `/api/v1/incidents/:id/${route.url}`,
      {
        config: { auth: 'respond' },
        schema: {
          summary: route.summary,
          description: `The incident's \`${route.command}\` update; the actor is the token's. Send an Idempotency-Key to retry safely.`,
          tags: ['commands'],
          params,
          headers: idempotencyHeadersSchema,
          body: bodySchemaFor(route.command, route.fromPath),
          response: { 200: commandResultSchema, ...COMMON_PROBLEMS, 404: problemSchema, 409: problemSchema },
        },
      },
      async (request) => {
        const { actor } = identityOf(request);
        const { id, ...pathFields } = request.params as { id: string; actionId?: string };
        const key = request.headers['idempotency-key'];
        const input = { ...(request.body ?? {}), ...pathFields, by: actor };
        return deps.incidents.command(route.command, id, input, {
          ...(key === undefined ? {} : { requestId: requestIdFor(actor, key) }),
        });
      },
    );
  }
  done();
};
