import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { describeIssues } from '../../domain/inputs';
import type { ApiDeps } from '../deps';
import { ApiError } from '../errors';
import { SlackActors } from './actors';
import { slashCommand } from './commands';
import type { SlackContext } from './context';
import { interaction } from './interactions';
import { interactionSchema, slashCommandSchema } from './payloads';
import { SLACK_RESPONSE_URL_PREFIX, SlackResponder } from './respond';
import { verifySlackSignature } from './signature';

const FORM = 'application/x-www-form-urlencoded';

const NOT_CONFIGURED =
  'the Slack app is not configured on this server: set SLACK_SIGNING_SECRET (the app\'s "Signing Secret") to serve /slack/commands and /slack/interactions';

/**
 * The Slack app's two request URLs. Encapsulated: its content-type parsers are the only ones on these routes, so
 * every body is read as raw bytes, its signature checked against them, and only then parsed. Without a signing
 * secret the routes answer 503 (the URL is right, the server is not ready to verify anything; nothing is parsed).
 */
export function slackRoutes(app: FastifyInstance, deps: ApiDeps, done: (error?: Error) => void): void {
  const options = deps.slack;
  const secret = options?.signingSecret;
  const now = options?.now ?? Date.now;
  const verified = new WeakSet<FastifyRequest>();

  app.removeAllContentTypeParsers();
  // Any content type is read raw and verified first: an unsigned request is 401 whatever it claims to carry.
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, parsed) => {
    try {
      verify(request, body as Buffer);
      const type = request.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
      if (type !== FORM) throw new ApiError(415, 'unsupported-media-type', `Slack sends ${FORM}`);
      parsed(null, Object.fromEntries(new URLSearchParams((body as Buffer).toString('utf8'))));
    } catch (error) {
      parsed(error as Error, undefined);
    }
  });

  function verify(request: FastifyRequest, body: Buffer): void {
    if (secret === undefined) throw new ApiError(503, 'slack-not-configured', NOT_CONFIGURED);
    const header = (name: string) => {
      const value = request.headers[name];
      return typeof value === 'string' ? value : undefined;
    };
    const check = verifySlackSignature(
      secret,
      { timestamp: header('x-slack-request-timestamp'), signature: header('x-slack-signature'), body },
      now(),
    );
    if (!check.ok) throw new ApiError(401, 'invalid-slack-signature', check.detail);
    verified.add(request);
  }

  // Refused before the body is read when there is no secret; a bodiless request never reached the parser.
  app.addHook('onRequest', (_request, _reply, next) => {
    next(secret === undefined ? new ApiError(503, 'slack-not-configured', NOT_CONFIGURED) : undefined);
  });
  app.addHook('preValidation', (request, _reply, next) => {
    try {
      if (!verified.has(request)) verify(request, Buffer.alloc(0));
      next();
    } catch (error) {
      next(error as Error);
    }
  });

  const pending = new Set<Promise<void>>();
  app.addHook('onClose', async () => {
    await Promise.allSettled([...pending]);
  });
  const context: SlackContext = {
    incidents: deps.incidents,
    policy: deps.policy,
    actors: new SlackActors(deps.policy.contacts, options?.webClient),
    responder: new SlackResponder({
      fetch: options?.fetch ?? fetch,
      prefixes: options?.responseUrlPrefixes ?? [SLACK_RESPONSE_URL_PREFIX],
      webClient: options?.webClient,
      log: app.log,
    }),
    webClient: options?.webClient,
    log: app.log,
    later(work) {
      // setImmediate: the HTTP answer is written before the work starts.
      const task = new Promise<void>((resolve) => setImmediate(resolve))
        .then(work)
        .catch((error: unknown) => app.log.error({ err: error }, 'slack: background work failed'))
        .finally(() => pending.delete(task));
      pending.add(task);
    },
  };

  const isRetry = (request: FastifyRequest) => request.headers['x-slack-retry-num'] !== undefined;
  const docs = (summary: string, description: string) => ({
    summary,
    description: `${description} Signed by Slack (X-Slack-Signature over the raw form body; 401 otherwise).`,
    tags: ['slack'],
    security: [],
  });

  app.post(
    '/slack/commands',
    {
      config: { auth: 'slack' },
      schema: docs('The /incident slash command', 'declare, ack, update, status, help; outcomes go to response_url.'),
    },
    async (request, reply) => {
      const body = formOf(request.body);
      if (body.ssl_check !== undefined) return reply.code(200).send();
      const command = parse(slashCommandSchema, body);
      const answer = slashCommand(context, command, isRetry(request));
      return answer === null
        ? reply.code(200).send()
        : reply.code(200).send({ response_type: answer.responseType ?? 'ephemeral', text: answer.text });
    },
  );

  app.post(
    '/slack/interactions',
    {
      config: { auth: 'slack' },
      schema: docs(
        'Buttons and modals',
        'block_actions (incident buttons) and view_submission (declare, update, run action, page, resolve).',
      ),
    },
    async (request, reply) => {
      const { payload } = formOf(request.body);
      let json: unknown;
      try {
        json = JSON.parse(typeof payload === 'string' ? payload : '');
      } catch {
        throw new ApiError(400, 'invalid-input', 'payload: must be the interaction as JSON');
      }
      const type = (json as { type?: unknown } | null)?.type;
      // Interactions this app does not act on (view_closed, shortcuts) are acknowledged and left alone.
      if (type !== 'block_actions' && type !== 'view_submission') return reply.code(200).send();
      const answer = interaction(context, parse(interactionSchema, json), isRetry(request));
      return answer === null ? reply.code(200).send() : reply.code(200).send(answer);
    },
  );
  done();
}

/** The verified form as key → value; an empty body is an empty form. */
function formOf(body: unknown): Record<string, unknown> {
  return body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {};
}

function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new ApiError(400, 'invalid-input', describeIssues(parsed.error));
  return parsed.data;
}
