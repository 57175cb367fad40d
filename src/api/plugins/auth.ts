import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { ApiIdentity, ApiScope } from '../../config/api';
import { ApiError } from '../errors';

/**
 * What a route requires: a token scope, `public` (health, docs), or `slack` (the Slack plugin verifies Slack's
 * signature itself). Every route must say; one that does not is refused at startup, so nothing is open by omission.
 */
export type RouteAuth = ApiScope | 'public' | 'slack';

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: RouteAuth;
  }
  interface FastifyRequest {
    /** The token's identity on routes that take a token; the actor every command is recorded under. */
    identity: ApiIdentity | null;
  }
}

/** Scopes a scope includes: `admin` holds every other one, `respond` can read what it responds to. */
const INCLUDES: Record<ApiScope, readonly ApiScope[]> = {
  admin: ['admin', 'respond', 'read', 'alerts'],
  respond: ['respond', 'read'],
  read: ['read'],
  alerts: ['alerts'],
};

export function grants(identity: ApiIdentity, scope: ApiScope): boolean {
  return identity.scopes.some((held) => INCLUDES[held].includes(scope));
}

/** Token lookup in constant time: every stored digest is compared, whichever matches, so timing reveals nothing. */
export class TokenRegistry {
  private readonly entries: { digest: Buffer; identity: ApiIdentity }[];

  constructor(tokens: ReadonlyMap<string, ApiIdentity>) {
    this.entries = [...tokens].map(([token, identity]) => ({ digest: digest(token), identity }));
  }

  get size(): number {
    return this.entries.length;
  }

  find(token: string): ApiIdentity | null {
    const presented = digest(token);
    let found: ApiIdentity | null = null;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, presented)) found = entry.identity;
    }
    return found;
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return null;
  const match = /^Bearer +(\S+) *$/i.exec(header);
  return match?.[1] ?? null;
}

const unauthorized = (detail: string) =>
  new ApiError(401, 'unauthorized', detail, { headers: { 'www-authenticate': 'Bearer realm="incident-response"' } });

/** Authenticates every request against its route's `auth` before the body is read or validated. */
export const authPlugin = fp(
  (app: FastifyInstance, options: { tokens: TokenRegistry }, done: () => void) => {
    app.decorateRequest('identity', null);
    app.addHook('onRoute', (route) => {
      if (route.config?.auth === undefined && !route.url.startsWith('/api/docs')) {
        throw new Error(`route ${String(route.method)} ${route.url} does not say who may call it (config.auth)`);
      }
    });
    app.addHook('onRequest', (request, _reply, next) => {
      try {
        authenticate(request, options.tokens);
        next();
      } catch (error) {
        next(error as Error);
      }
    });
    done();
  },
  { name: 'auth' },
);

function authenticate(request: FastifyRequest, tokens: TokenRegistry): void {
  const auth = request.routeOptions.config.auth;
  if (auth === undefined || auth === 'public' || auth === 'slack') return;
  const token = bearerToken(request);
  if (token === null) throw unauthorized('send an API token as "Authorization: Bearer <token>"');
  const identity = tokens.find(token);
  if (identity === null) throw unauthorized('the API token is not valid');
  if (!grants(identity, auth)) {
    throw new ApiError(403, 'forbidden', `this token (actor ${identity.actor}) lacks the "${auth}" scope`);
  }
  request.identity = identity;
}

/** The authenticated identity of a route that requires a token. */
export function identityOf(request: FastifyRequest): ApiIdentity {
  if (request.identity === null)
    throw new Error(`route ${request.routeOptions.url ?? ''} read an identity it never required`);
  return request.identity;
}
