import fastifyRateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance, type FastifySchemaCompiler } from 'fastify';
import type { z } from 'zod';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import packageJson from '../../package.json';
import { alertRoutes } from './alerts/routes';
import type { ApiDeps } from './deps';
import { ApiError } from './errors';
import { authPlugin } from './plugins/auth';
import { errorsPlugin } from './plugins/errors';
import { openApiPlugin } from './plugins/openapi';
import { codecRoutes } from './routes/codec';
import { commandRoutes } from './routes/commands';
import { healthRoutes } from './routes/health';
import { incidentRoutes } from './routes/incidents';
import { postmortemRoutes } from './routes/postmortems';
import { drillRoutes } from './routes/drills';
import { reportRoutes } from './routes/report';
import { slackRoutes } from './slack/plugin';
import { statusRoutes } from './status/routes';

/** Bodies are commands and alert groups: 256 KiB holds the largest Alertmanager group a team would send. */
const DEFAULT_BODY_LIMIT = 256 * 1024;

/**
 * Bodies are checked with the domain's schemas but forwarded as sent: the service and the workflow's validators
 * parse the same input again (durations as typed, defaults unapplied), so the API refuses and accepts exactly what
 * the CLI does. Query strings and path parameters keep their parsed values (numbers, lists).
 */
const bodyAsSent: FastifySchemaCompiler<z.ZodType> = (route) => {
  const validate = validatorCompiler(route);
  if (route.httpPart !== 'body') return validate;
  return (data: unknown) => {
    // The zod compiler answers synchronously with { error } or { value }.
    const result = validate(data) as { error?: Error; value?: unknown };
    return result.error ? result : { value: data };
  };
};

/**
 * The HTTP front door: one Fastify app, built here so tests run the same app the server does. Cross-cutting
 * parts are plugins (errors, auth, rate limit, OpenAPI); each route pairs a zod schema with its handler.
 */
export async function buildApp(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger ?? false,
    bodyLimit: deps.bodyLimitBytes ?? DEFAULT_BODY_LIMIT,
    // Behind a proxy the caller's address is in X-Forwarded-For; rate limits without a token key on it.
    trustProxy: true,
    requestIdHeader: false,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(bodyAsSent);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(errorsPlugin);
  await app.register(authPlugin, { tokens: deps.tokens });
  // After auth, before the body is read: the limit is per token (one noisy integration cannot starve the others)
  // and a flood of malformed requests is refused as cheaply as a valid one.
  await app.register(fastifyRateLimit, {
    global: true,
    hook: 'preParsing',
    max: deps.rateLimitPerMinute,
    timeWindow: 60_000,
    keyGenerator: (request) => (request.identity ? `actor:${request.identity.actor}` : `ip:${request.ip}`),
    errorResponseBuilder: (_request, context) =>
      new ApiError(429, 'rate-limited', `more than ${context.max} requests a minute; retry in ${context.after}`, {
        headers: { 'retry-after': String(Math.ceil(context.ttl / 1000)) },
      }),
  });
  await app.register(openApiPlugin, { version: packageJson.version });

  await app.register(healthRoutes, deps);
  await app.register(incidentRoutes, deps);
  await app.register(postmortemRoutes, deps);
  await app.register(drillRoutes, deps);
  await app.register(reportRoutes, deps);
  await app.register(commandRoutes, deps);
  await app.register(alertRoutes, deps);
  await app.register(slackRoutes, deps);
  await app.register(statusRoutes, deps);
  await app.register(codecRoutes, deps);
  return app;
}
