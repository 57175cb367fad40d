import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app';
import type { ApiDeps } from '../../src/api/deps';
import { TokenRegistry } from '../../src/api/plugins/auth';
import type { ApiIdentity } from '../../src/config/api';
import type { Problem } from '../../src/api/errors';
import type { IncidentService, IncidentSummary } from '../../src/client/service';
import type { DeclarationResult, IncidentView } from '../../src/workflows/definitions';
import { buildPolicy } from '../../src/domain/policy';

/**
 * Every document the API answers, merged as tests read them: a given answer holds only its own fields (a problem,
 * a declaration, a list), and the assertions say which they expect.
 */
export type Answer = DeclarationResult &
  Omit<Problem, 'status'> &
  Omit<IncidentView, keyof DeclarationResult> & {
    incidents: (Omit<IncidentSummary, 'workflowId'> & { drill: boolean })[];
    ok: boolean;
    ready: boolean;
    temporal: boolean;
    workerPolling: boolean;
  };

/** Tokens for each scope, as INCIDENT_API_TOKENS would hold them. */
export const TOKENS = {
  respond: 'respond-token-0123456789',
  read: 'read-token-0123456789abc',
  admin: 'admin-token-0123456789ab',
  alerts: 'alerts-token-0123456789a',
} as const;

export const IDENTITIES = new Map<string, ApiIdentity>([
  [TOKENS.respond, { actor: 'alice', scopes: ['respond'] }],
  [TOKENS.read, { actor: 'bob', scopes: ['read'] }],
  [TOKENS.admin, { actor: 'carol', scopes: ['admin'] }],
  [TOKENS.alerts, { actor: 'alertmanager', scopes: ['alerts'] }],
]);

export interface RunningApi {
  app: FastifyInstance;
  url: string;
  /** fetch against the server with a token (none when `token` is null) and a JSON body when given. */
  call(
    method: string,
    path: string,
    options?: { token?: string | null; body?: unknown; raw?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; headers: Headers; body: Answer }>;
  close(): Promise<void>;
}

/** The real app on a loopback port, spoken to over real HTTP. */
export async function startApi(incidents: IncidentService, overrides: Partial<ApiDeps> = {}): Promise<RunningApi> {
  const app = await buildApp({
    incidents,
    policy: buildPolicy(),
    tokens: new TokenRegistry(IDENTITIES),
    rateLimitPerMinute: 100_000,
    ...overrides,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    app,
    url,
    async call(method, path, options = {}) {
      const token = options.token === undefined ? TOKENS.admin : options.token;
      const headers: Record<string, string> = { ...options.headers };
      if (token !== null) headers.authorization = `Bearer ${token}`;
      let body: string | undefined = options.raw;
      if (options.body !== undefined) {
        body = JSON.stringify(options.body);
        headers['content-type'] ??= 'application/json';
      }
      const response = await fetch(`${url}${path}`, { method, headers, body });
      const text = await response.text();
      // The docs page is HTML: its text stands in for the document.
      const parsed: unknown = response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : { text };
      return { status: response.status, headers: response.headers, body: parsed as Answer };
    },
    close: () => app.close(),
  };
}
