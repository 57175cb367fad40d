import Fastify from 'fastify';

/**
 * A loopback PagerDuty Events API v2 (`POST /v2/enqueue`). It validates events the way the public reference
 * describes (400 `{ status: 'invalid event', message, errors }`), answers 202 `{ status: 'success', message,
 * dedup_key }`, records every event, and keeps one alert per dedup_key with its state:
 * a trigger opens it (or re-opens a resolved one), acknowledge and resolve move it, and events for an unknown
 * or resolved alert change nothing.
 */
export interface PagerDutyEvent {
  routing_key?: string;
  event_action?: string;
  dedup_key?: string;
  client?: string;
  payload?: {
    summary?: string;
    source?: string;
    severity?: string;
    custom_details?: Record<string, unknown>;
  };
}

export interface RecordedEvent {
  event: PagerDutyEvent;
  /** Epoch ms when the fake received it. */
  at: number;
  /** The HTTP status the fake answered. */
  status: number;
}

export interface FakeAlert {
  dedupKey: string;
  routingKey: string;
  state: 'triggered' | 'acknowledged' | 'resolved';
  summary: string;
  severity: string;
  /** Every accepted event for this dedup_key, in order. */
  actions: string[];
  /** Times a trigger opened it (a trigger on an open alert only deduplicates). */
  opened: number;
}

export interface PagerDutyFault {
  status: number;
  retryAfter?: number;
  body?: unknown;
}

export interface FakePagerDutyApi {
  /** The enqueue URL, as the provider's `eventsUrl`. */
  url: string;
  events: RecordedEvent[];
  alerts: Map<string, FakeAlert>;
  failNext(count: number, fault: PagerDutyFault): void;
  reset(): void;
  close(): Promise<void>;
}

const SEVERITIES = ['critical', 'error', 'warning', 'info'];
const ACTIONS = ['trigger', 'acknowledge', 'resolve'];

export async function startFakePagerDutyApi(): Promise<FakePagerDutyApi> {
  const events: RecordedEvent[] = [];
  const alerts = new Map<string, FakeAlert>();
  const faults: PagerDutyFault[] = [];
  const app = Fastify({ logger: false });

  app.post<{ Body: PagerDutyEvent }>('/v2/enqueue', async (request, reply) => {
    const event = request.body ?? {};
    const record: RecordedEvent = { event, at: Date.now(), status: 202 };
    events.push(record);
    const fault = faults.shift();
    if (fault) {
      record.status = fault.status;
      if (fault.retryAfter !== undefined) void reply.header('retry-after', String(fault.retryAfter));
      const body =
        fault.body ??
        (fault.status === 429
          ? {
              status: 'throttle event',
              message: 'Requests for this service are arriving too quickly. Please retry later.',
            }
          : 'Internal Server Error');
      return reply.code(fault.status).send(body);
    }
    const errors = validate(event);
    if (errors.length > 0) {
      record.status = 400;
      return reply.code(400).send({ status: 'invalid event', message: 'Event object is invalid', errors });
    }
    const dedupKey = event.dedup_key ?? `pd-${events.length}`;
    apply(dedupKey, event);
    return reply.code(202).send({ status: 'success', message: 'Event processed', dedup_key: dedupKey });
  });

  function apply(dedupKey: string, event: PagerDutyEvent) {
    const alert = alerts.get(dedupKey);
    if (event.event_action === 'trigger') {
      if (!alert) {
        alerts.set(dedupKey, {
          dedupKey,
          routingKey: event.routing_key ?? '',
          state: 'triggered',
          summary: event.payload?.summary ?? '',
          severity: event.payload?.severity ?? '',
          actions: ['trigger'],
          opened: 1,
        });
        return;
      }
      alert.actions.push('trigger');
      if (alert.state === 'resolved') {
        alert.state = 'triggered';
        alert.opened += 1;
      }
      return;
    }
    if (!alert || alert.state === 'resolved') return;
    alert.actions.push(event.event_action ?? '');
    alert.state = event.event_action === 'acknowledge' ? 'acknowledged' : 'resolved';
  }

  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url: `${address}/v2/enqueue`,
    events,
    alerts,
    failNext(count, fault) {
      for (let i = 0; i < count; i += 1) faults.push(fault);
    },
    reset() {
      events.length = 0;
      alerts.clear();
      faults.length = 0;
    },
    close: () => app.close(),
  };
}

function validate(event: PagerDutyEvent): string[] {
  const errors: string[] = [];
  const blank = (value: unknown) => typeof value !== 'string' || value.trim() === '';
  if (blank(event.routing_key)) errors.push("'routing_key' is missing or blank");
  else if (event.routing_key!.length !== 32)
    errors.push("Length of 'routing_key' is incorrect (should be 32 characters)");
  if (!ACTIONS.includes(event.event_action ?? '')) errors.push("'event_action' is missing or invalid");
  if (event.dedup_key !== undefined && event.dedup_key.length > 255) errors.push("'dedup_key' is too long");
  if (event.event_action !== 'trigger' && blank(event.dedup_key)) errors.push("'dedup_key' is missing or blank");
  if (event.event_action === 'trigger') {
    if (blank(event.payload?.summary)) errors.push("'payload.summary' is missing or blank");
    else if (event.payload!.summary!.length > 1024) errors.push("'payload.summary' is too long");
    if (blank(event.payload?.source)) errors.push("'payload.source' is missing or blank");
    if (!SEVERITIES.includes(event.payload?.severity ?? '')) errors.push("'payload.severity' is missing or invalid");
  }
  return errors;
}
