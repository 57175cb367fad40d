import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { IncidentClientError, IncidentClientErrorType } from '../../client/errors';
import { escapeUnsafe, quoted } from '../../domain/text';
import { ApiError, STATUS_FOR_CLIENT_ERROR, TITLES, type FieldIssue, type Problem } from '../errors';

/** Fastify's own 4xx codes whose messages are safe to show as they are. */
const FRAMEWORK_TYPES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'body-too-large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported-media-type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid-content-length',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid-json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid-json',
};

/**
 * The one error handler: every failure becomes a problem document with the right status. A client's mistake is
 * never a 500 and never shows a stack; a 500 is our bug, logged with the request id and answered without detail.
 */
export const errorsPlugin = fp(
  (app: FastifyInstance, _options: unknown, done: () => void) => {
    app.setNotFoundHandler((request, reply) =>
      send(reply, new ApiError(404, 'not-found', `no route ${request.method} ${escapeUnsafe(request.url)}`)),
    );
    app.setErrorHandler((error: FastifyError, request, reply) => send(reply, toApiError(error, request)));
    done();
  },
  { name: 'errors' },
);

function send(reply: FastifyReply, error: ApiError): FastifyReply {
  const problem: Problem = {
    type: error.type,
    title: TITLES[error.status] ?? 'Error',
    status: error.status,
    detail: error.message,
    ...(error.extra.errors ? { errors: error.extra.errors } : {}),
    ...(error.extra.reason ? { reason: error.extra.reason } : {}),
  };
  for (const [name, value] of Object.entries(error.extra.headers ?? {})) reply.header(name, value);
  // The problem is already plain JSON: skip the route's response schema, which describes success.
  return reply.code(error.status).type('application/problem+json').serializer(JSON.stringify).send(problem);
}

function toApiError(error: FastifyError, request: FastifyRequest): ApiError {
  if (error instanceof ApiError) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = error.validationContext === 'body' ? [] : [contextName(error.validationContext)];
    const errors: FieldIssue[] = error.validation.map((issue) => ({
      path: [...where, ...issue.instancePath.split('/').filter(Boolean).map(pathSegment)].join('.') || 'body',
      message: escapeUnsafe(issue.message ?? 'is invalid'),
    }));
    return new ApiError(400, 'invalid-input', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });
  }
  if (error instanceof IncidentClientError) {
    const { status, type } = STATUS_FOR_CLIENT_ERROR[error.type];
    if (error.type === IncidentClientErrorType.Internal) request.log.error({ err: error }, 'incident command failed');
    // The service's request id is derived from the Idempotency-Key; the client retries with its own key.
    const retry =
      error.requestId === undefined
        ? ''
        : request.headers['idempotency-key'] === undefined
          ? ' It may still apply: send an Idempotency-Key header so that a retry applies at most once.'
          : ' It may still apply: sent again with the same Idempotency-Key, it applies at most once.';
    return new ApiError(status, type, `${error.message}${retry}`, error.reason ? { reason: error.reason } : {});
  }
  if (isResponseSerializationError(error)) {
    request.log.error({ err: error, issues: error.cause.issues }, 'response does not match its schema');
    return new ApiError(500, 'internal', `internal error (request ${request.id})`);
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const type = FRAMEWORK_TYPES[error.code] ?? (status === 429 ? 'rate-limited' : 'bad-request');
    return new ApiError(status, type, escapeUnsafe(error.message));
  }
  request.log.error({ err: error }, 'unhandled error');
  return new ApiError(500, 'internal', `internal error (request ${request.id})`);
}

function contextName(context: string | undefined): string {
  return context === 'querystring' ? 'query' : (context ?? 'request');
}

/** Keys come from the request: one that is not a plain name is quoted, so it cannot hide or escape. */
function pathSegment(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : quoted(key);
}
