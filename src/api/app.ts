import fastifyRateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import packageJson from '../../package.json';
import type { ApiDeps } from './deps';
import { ApiError } from './errors';
import { authPlugin } from './plugins/auth';
import { errorsPlugin } from './plugins/errors';
import { openApiPlugin } from './plugins/openapi';
import { commandRoutes } from './routes/commands';
import { healthRoutes } from './routes/health';
import { incidentRoutes } from './routes/incidents';

/** Bodies are commands and alert groups: 256 KiB holds the largest Alertmanager group a team would send. */
const DEFAULT_BODY_LIMIT = 256 * 1024;

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
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(errorsPlugin);
  await app.register(authPlugin, { tokens: deps.tokens });
  // After auth (preHandler), so the limit is per token: one noisy integration cannot starve the others.
  await app.register(fastifyRateLimit, {
    global: true,
    hook: 'preHandler',
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
  await app.register(commandRoutes, deps);
  return app;
}
