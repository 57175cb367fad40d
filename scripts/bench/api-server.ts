import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { buildApp } from '../../src/api/app';
import { TokenRegistry } from '../../src/api/plugins/auth';
import type { ApiScope } from '../../src/config/api';
import type { IncidentService } from '../../src/client/service';
import type { Severity } from '../../src/domain/severity';
import type { Rig } from './rig';
import { BY, type Started, type Workload } from './workload';

/**
 * The HTTP API built in this process (`buildApp`, as `npm run api` builds it) on the workload's own
 * IncidentService, listening on a loopback port: requests go over real HTTP through Node's fetch, whose
 * dispatcher keeps connections alive, so a sample pays for the API, not for a TCP handshake.
 */
export interface BenchApi {
  url: string;
  /** TCP connections the server accepted: one or two means keep-alive held. */
  readonly connections: number;
  /**
   * POST /api/v1/incidents; with `key`, an Idempotency-Key and no id (the server derives it: one describe).
   * `serviceMs` is the time the request spent inside the IncidentService (Temporal's part of it).
   */
  declare(
    severity: Severity,
    options: { id?: string; key?: string },
  ): Promise<Started & { incidentId: string; serviceMs: number }>;
  /** POST with the alerts token; answers the status code and the parsed body. */
  post(route: string, body: unknown): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

export async function startBenchApi(rig: Rig, w: Workload): Promise<BenchApi> {
  const token = (scope: ApiScope) => `bench-${scope}-${randomBytes(12).toString('hex')}`;
  const respond = token('respond');
  const alerts = token('alerts');
  const timed = timedService(w.incidents);
  const app = await buildApp({
    incidents: timed.service,
    policy: rig.policy,
    tokens: new TokenRegistry(
      new Map([
        [respond, { actor: BY, scopes: ['respond'] }],
        [alerts, { actor: 'alertmanager', scopes: ['alerts'] }],
      ]),
    ),
    // The bench sends far more than a person would; the limit is not what it measures.
    rateLimitPerMinute: 1_000_000,
  });
  let connections = 0;
  app.server.on('connection', () => (connections += 1));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  const send = async (route: string, bearer: string, body: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${url}${route}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  };

  return {
    url,
    get connections() {
      return connections;
    },
    async declare(severity, { id, key }) {
      const calledAt = Date.now();
      timed.reset();
      const t0 = performance.now();
      const { status, body } = await send(
        '/api/v1/incidents',
        respond,
        { ...(id === undefined ? {} : { id }), ...w.declaration(severity) },
        key === undefined ? {} : { 'idempotency-key': key },
      );
      const callMs = performance.now() - t0;
      const answer = body as { incidentId?: unknown; declaredAt?: unknown };
      if (status !== 201 || typeof answer.incidentId !== 'string') {
        throw new Error(`POST /api/v1/incidents answered ${status}: ${JSON.stringify(body)}`);
      }
      w.track(answer.incidentId);
      return {
        calledAt,
        callMs,
        incidentId: answer.incidentId,
        serviceMs: timed.elapsedMs(),
        ...(typeof answer.declaredAt === 'number' ? { declaredAt: answer.declaredAt } : {}),
      };
    },
    post: (route, body) => send(route, alerts, body),
    close: () => app.close(),
  };
}

/**
 * The service the API calls, with the time spent in its calls summed: what is left of a request's latency is the
 * API's own (HTTP, auth, validation, serialization), without the noise of Temporal's part. Calls are sequential in
 * the bench, so one running sum is enough.
 */
function timedService(service: IncidentService) {
  let elapsed = 0;
  const proxy = new Proxy(service, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const t0 = performance.now();
        const result: unknown = Reflect.apply(value, target, args);
        const done = () => (elapsed += performance.now() - t0);
        if (!(result instanceof Promise)) {
          done();
          return result;
        }
        return result.finally(done);
      };
    },
  });
  return {
    service: proxy,
    reset: () => (elapsed = 0),
    elapsedMs: () => elapsed,
  };
}
