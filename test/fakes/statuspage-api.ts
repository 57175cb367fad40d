import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyReply } from 'fastify';

/**
 * A loopback Atlassian Statuspage REST API v1 (the incident endpoints the provider uses), with state:
 * incidents with their updates, metadata and affected components, and the page's component statuses.
 * Shapes follow the public API reference: `{ incident: {...} }` request bodies, incident objects in
 * responses, `{ message }` error bodies (ErrorEntity), `Authorization: OAuth <key>`.
 */
export interface StatuspageRequestRecord {
  method: string;
  /** Path and query, after the `/v1` prefix. */
  url: string;
  authorization: string | undefined;
  body: unknown;
  /** Epoch ms when the fake received it. */
  at: number;
}

export interface FakeIncidentUpdate {
  id: string;
  status: string;
  body: string;
  created_at: string;
  affected_components: Array<{ code: string; new_status: string }>;
}

export interface FakeIncident {
  id: string;
  page_id: string;
  name: string;
  status: string;
  impact: string;
  shortlink: string;
  created_at: string;
  updated_at: string;
  resolved_at: string | null;
  metadata: Record<string, Record<string, unknown>>;
  components: Array<{ id: string; name: string; status: string }>;
  incident_updates: FakeIncidentUpdate[];
}

export interface StatuspageFault {
  status: number;
  /** Seconds, sent as Retry-After. */
  retryAfter?: number;
  message?: string;
}

export interface FakeStatuspageApi {
  /** Base URL including `/v1`, as the provider's `apiUrl`. */
  url: string;
  apiKey: string;
  pageId: string;
  requests: StatuspageRequestRecord[];
  incidents: Map<string, FakeIncident>;
  /** Current status of each component on the page. */
  componentStatus: Map<string, string>;
  /** Answer the next `count` requests with the fault (after authentication passed). */
  failNext(count: number, fault: StatuspageFault): void;
  reset(): void;
  close(): Promise<void>;
}

const INCIDENT_STATUSES = ['investigating', 'identified', 'monitoring', 'resolved'];
const COMPONENT_STATUSES = ['operational', 'degraded_performance', 'partial_outage', 'major_outage'];
const IMPACT: Record<string, string> = {
  major_outage: 'critical',
  partial_outage: 'major',
  degraded_performance: 'minor',
};

interface IncidentFields {
  name?: unknown;
  status?: unknown;
  body?: unknown;
  component_ids?: unknown;
  components?: unknown;
  metadata?: unknown;
}

export async function startFakeStatuspageApi(
  options: { apiKey?: string; pageId?: string; components?: Record<string, string> } = {},
): Promise<FakeStatuspageApi> {
  const apiKey = options.apiKey ?? 'sp-api-key-0123456789';
  const pageId = options.pageId ?? 'pg1abc';
  const componentNames = options.components ?? { cmpCheckout: 'Checkout', cmpApi: 'Public API' };
  const requests: StatuspageRequestRecord[] = [];
  const incidents = new Map<string, FakeIncident>();
  const componentStatus = new Map(Object.keys(componentNames).map((id) => [id, 'operational']));
  const faults: StatuspageFault[] = [];
  const app = Fastify({ logger: false });

  const fail = (reply: FastifyReply, status: number, message: string) => reply.code(status).send({ message });

  app.addHook('onRequest', async (request, reply) => {
    requests.push({
      method: request.method,
      url: request.url.replace(/^\/v1/, ''),
      authorization: request.headers.authorization,
      body: undefined,
      at: Date.now(),
    });
    if (request.headers.authorization !== `OAuth ${apiKey}`) return fail(reply, 401, "Couldn't authenticate you");
    const fault = faults.shift();
    if (fault) {
      if (fault.retryAfter !== undefined) void reply.header('retry-after', String(fault.retryAfter));
      return fail(reply, fault.status, fault.message ?? defaultMessage(fault.status));
    }
  });
  app.addHook('preHandler', (request, _reply, done) => {
    const last = requests[requests.length - 1];
    if (last) last.body = request.body;
    done();
  });

  const checkPage = (id: string, reply: FastifyReply) => {
    if (id === pageId) return true;
    void fail(reply, 404, 'The requested resource could not be found.');
    return false;
  };

  app.get<{ Params: { pageId: string } }>('/v1/pages/:pageId/incidents/unresolved', async (request, reply) => {
    if (!checkPage(request.params.pageId, reply)) return reply;
    return [...incidents.values()].filter((i) => i.status !== 'resolved').reverse();
  });

  app.get<{ Params: { pageId: string }; Querystring: { q?: string; limit?: string } }>(
    '/v1/pages/:pageId/incidents',
    async (request, reply) => {
      if (!checkPage(request.params.pageId, reply)) return reply;
      const limit = Math.min(Number(request.query.limit ?? 100) || 100, 100);
      const q = request.query.q?.toLowerCase();
      return [...incidents.values()]
        .reverse()
        .filter((i) => !q || i.name.toLowerCase().includes(q) || i.incident_updates.some((u) => u.body.includes(q)))
        .slice(0, limit);
    },
  );

  app.get<{ Params: { pageId: string; incidentId: string } }>(
    '/v1/pages/:pageId/incidents/:incidentId',
    async (request, reply) => {
      if (!checkPage(request.params.pageId, reply)) return reply;
      return incidents.get(request.params.incidentId) ?? fail(reply, 404, 'The requested resource could not be found.');
    },
  );

  app.post<{ Params: { pageId: string }; Body: { incident?: IncidentFields } }>(
    '/v1/pages/:pageId/incidents',
    async (request, reply) => {
      if (!checkPage(request.params.pageId, reply)) return reply;
      const fields = request.body?.incident ?? {};
      const problem = validate(fields, true);
      if (problem) return fail(reply, 422, problem);
      const now = new Date().toISOString();
      const id = randomBytes(6).toString('hex');
      const incident: FakeIncident = {
        id,
        page_id: pageId,
        name: String(fields.name),
        status: typeof fields.status === 'string' ? fields.status : 'investigating',
        impact: 'none',
        shortlink: `https://stspg.io/${id}`,
        created_at: now,
        updated_at: now,
        resolved_at: null,
        metadata: {},
        components: [],
        incident_updates: [],
      };
      incidents.set(id, incident);
      apply(incident, fields);
      return reply.code(201).send(incident);
    },
  );

  app.patch<{ Params: { pageId: string; incidentId: string }; Body: { incident?: IncidentFields } }>(
    '/v1/pages/:pageId/incidents/:incidentId',
    async (request, reply) => {
      if (!checkPage(request.params.pageId, reply)) return reply;
      const incident = incidents.get(request.params.incidentId);
      if (!incident) return fail(reply, 404, 'The requested resource could not be found.');
      const fields = request.body?.incident ?? {};
      const problem = validate(fields, false);
      if (problem) return fail(reply, 422, problem);
      if (typeof fields.name === 'string') incident.name = fields.name;
      if (typeof fields.status === 'string') incident.status = fields.status;
      apply(incident, fields);
      return incident;
    },
  );

  function validate(fields: IncidentFields, creating: boolean): string | undefined {
    if (creating && (typeof fields.name !== 'string' || fields.name.trim() === '')) return "Name can't be blank";
    if (
      fields.status !== undefined &&
      !(typeof fields.status === 'string' && INCIDENT_STATUSES.includes(fields.status))
    ) {
      return `Status must be one of ${INCIDENT_STATUSES.join(', ')}`;
    }
    const ids = Array.isArray(fields.component_ids) ? fields.component_ids.map(String) : [];
    const statuses = (fields.components ?? {}) as Record<string, unknown>;
    for (const id of [...ids, ...Object.keys(statuses)]) {
      if (!componentStatus.has(id)) return `Component ${id} does not belong to this page`;
    }
    for (const status of Object.values(statuses)) {
      if (!COMPONENT_STATUSES.includes(String(status))) return `Component status ${String(status)} is invalid`;
    }
    if (fields.metadata !== undefined) {
      const metadata = fields.metadata as Record<string, unknown>;
      if (
        Object.values(metadata).some((value) => typeof value !== 'object' || value === null || Array.isArray(value))
      ) {
        return 'Metadata top-level values must be objects';
      }
    }
    return undefined;
  }

  /** Records one incident update, moves the affected components and merges the metadata. */
  function apply(incident: FakeIncident, fields: IncidentFields) {
    const now = new Date().toISOString();
    const statuses = (fields.components ?? {}) as Record<string, string>;
    const ids = Array.isArray(fields.component_ids) ? fields.component_ids.map(String) : Object.keys(statuses);
    for (const [id, status] of Object.entries(statuses)) componentStatus.set(id, status);
    if (ids.length > 0) {
      incident.components = ids.map((id) => ({
        id,
        name: componentNames[id] ?? id,
        status: componentStatus.get(id) ?? 'operational',
      }));
    }
    const worst = incident.components.map((c) => IMPACT[c.status]).find((impact) => impact !== undefined);
    if (worst && incident.impact === 'none') incident.impact = worst;
    if (fields.metadata) {
      incident.metadata = { ...incident.metadata, ...(fields.metadata as Record<string, Record<string, unknown>>) };
    }
    incident.incident_updates.unshift({
      id: randomBytes(6).toString('hex'),
      status: incident.status,
      body: typeof fields.body === 'string' ? fields.body : '',
      created_at: now,
      affected_components: Object.entries(statuses).map(([code, status]) => ({ code, new_status: status })),
    });
    incident.updated_at = now;
    if (incident.status === 'resolved') incident.resolved_at ??= now;
  }

  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url: `${address}/v1`,
    apiKey,
    pageId,
    requests,
    incidents,
    componentStatus,
    failNext(count, fault) {
      for (let i = 0; i < count; i += 1) faults.push(fault);
    },
    reset() {
      requests.length = 0;
      incidents.clear();
      faults.length = 0;
      for (const id of componentStatus.keys()) componentStatus.set(id, 'operational');
    },
    close: () => app.close(),
  };
}

function defaultMessage(status: number): string {
  if (status === 429) return 'Rate limit exceeded';
  if (status === 403) return 'You are not authorized to access this resource.';
  if (status === 404) return 'The requested resource could not be found.';
  if (status >= 500) return 'Internal server error';
  return 'Request failed';
}
