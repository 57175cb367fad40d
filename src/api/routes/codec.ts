import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import type { Payload } from '@temporalio/common';
import { z } from 'zod';
import { codecFrom } from '../../codec/aes-gcm';
import { loadCodecConfig, type CodecConfig } from '../../config/codec';
import type { ApiDeps } from '../deps';
import { ApiError } from '../errors';
import { COMMON_PROBLEMS, problemSchema } from '../schemas';

/**
 * The codec server the Temporal Web UI calls (`--codec-endpoint <api>/codec`) to show encrypted payloads to
 * people who hold a read token: POST /codec/encode and /codec/decode with `{ payloads: [...] }` in the proto JSON
 * form (metadata values and data base64). The UI calls it from the browser, so its origins get CORS headers.
 */

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
const payloadsSchema = z.object({
  payloads: z.array(z.object({ metadata: z.record(z.string(), base64).optional(), data: base64.optional() })).max(1000),
});
type JsonPayload = z.infer<typeof payloadsSchema>['payloads'][number];

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});

const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

/** Tests pass `codec`; the server reads INCIDENT_CODEC_KEYS like the worker. */
export const codecRoutes: FastifyPluginCallbackZod<ApiDeps & { codec?: CodecConfig | undefined }> = (
  app,
  deps,
  done,
) => {
  const config = 'codec' in deps ? deps.codec : loadCodecConfig();
  const codec = codecFrom(config);
  const origins = new Set(config?.corsOrigins ?? []);
  const allowOrigin = (request: FastifyRequest, reply: FastifyReply) => {
    const origin = request.headers.origin;
    if (origin === undefined || !origins.has(origin)) return;
    void reply.header('access-control-allow-origin', origin);
    void reply.header('access-control-allow-credentials', 'true');
    void reply.header('vary', 'Origin');
  };
  // On every answer of these routes, refusals included: the UI must be able to read a 401.
  app.addHook('onSend', async (request, reply, payload) => {
    allowOrigin(request, reply);
    return payload;
  });
  app.options(
    '/codec/:operation',
    {
      config: { auth: 'public' },
      schema: { summary: 'CORS preflight of the Web UI (no token: browsers send none)', tags: ['codec'] },
    },
    async (request, reply) => {
      allowOrigin(request, reply);
      return reply
        .header('access-control-allow-methods', 'POST, OPTIONS')
        .header('access-control-allow-headers', 'authorization, content-type, x-namespace')
        .header('access-control-max-age', '600')
        .code(204)
        .send();
    },
  );
  for (const operation of ['encode', 'decode'] as const) {
    app.post(
      `/codec/${operation}`,
      {
        config: { auth: 'read' },
        schema: {
          summary: `${operation === 'encode' ? 'Encrypt' : 'Decrypt'} payloads for the Temporal Web UI`,
          tags: ['codec'],
          body: payloadsSchema,
          response: { 200: payloadsSchema, ...COMMON_PROBLEMS, 404: problemSchema },
        },
      },
      async (request) => {
        if (codec === undefined) {
          throw new ApiError(404, 'codec-off', 'payload encryption is off here (INCIDENT_CODEC_KEYS is not set)');
        }
        const body = payloadsSchema.parse(request.body);
        try {
          return { payloads: (await codec[operation](body.payloads.map(fromJson))).map(toJson) };
        } catch (error) {
          throw new ApiError(400, 'undecodable', `cannot ${operation} these payloads: ${(error as Error).message}`);
        }
      },
    );
  }
  done();
};
