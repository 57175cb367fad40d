import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApplicationFailure } from '@temporalio/common';
import type { Severity } from '../../domain/severity';
import { describeNetworkError, redact, retryAfterMs } from '../http/errors';
import type { StatusPageProvider } from '../providers';
import type { DeliveryReceipt, StatusPageRequest } from '../types';

/**
 * Atlassian Statuspage (REST API v1): one Statuspage incident per incident, created by the first public
 * update and patched through investigating / identified / monitoring / resolved. The incident carries our
 * incident id and the last applied idempotency key in its metadata, and every update reads it from the page first,
 * so a retried step is recognised and an older step never overwrites a newer one, whichever worker applied it.
 */
export interface AtlassianStatusPageOptions {
  /** Defaults to https://api.statuspage.io/v1. */
  apiUrl?: string;
  apiKey: string;
  pageId: string;
  /** Components every incident affects, or the components per service (a service not listed affects none). */
  componentIds: string[] | Record<string, string[]>;
  fetch?: typeof fetch;
  /**
   * Spacing between requests per API key in this process: Statuspage allows 1 request/s per token (on a 60 s
   * rolling window). Across workers the status-page task queue's rate (`updatesPerSecond`) keeps to it.
   */
  minIntervalMs?: number;
  /** Per request; well inside the notification activity's 30 s start-to-close. */
  requestTimeoutMs?: number;
}

export const StatusPageFailureType = {
  /** Drills never reach the public status page (security incidents are kept off it by the workflow). */
  Refused: 'StatusPageRefused',
  /** 401/403/404/422 and other 4xx: the request will not succeed as it is. */
  Rejected: 'StatusPageRejected',
  /** Retryable: 429 (or 420), retried after Retry-After. */
  RateLimited: 'StatusPageRateLimited',
  /** A resolution for an incident that never made it to the page. */
  NothingToResolve: 'StatusPageNothingToResolve',
} as const;

export const STATUSPAGE_API_URL = 'https://api.statuspage.io/v1';

type ComponentStatus = 'operational' | 'degraded_performance' | 'partial_outage' | 'major_outage';

export const COMPONENT_STATUS: Record<Severity, ComponentStatus> = {
  'SEV-1': 'major_outage',
  'SEV-2': 'partial_outage',
  'SEV-3': 'degraded_performance',
  'SEV-4': 'degraded_performance',
};

/**
 * Keys end in the workflow's monotonic step counter (`<workflow id>/<step>-status-page`), which orders the
 * updates of one incident; a key without one is never treated as stale.
 */
function stepOf(key: string | null): number | undefined {
  const step = key === null ? undefined : /\/(\d+)-[^/]*$/.exec(key)?.[1];
  return step === undefined ? undefined : Number(step);
}

function isStale(key: string, lastKey: string | null): boolean {
  const step = stepOf(key);
  const last = stepOf(lastKey);
  return step !== undefined && last !== undefined && step < last;
}

/** The top-level metadata key; Statuspage requires every top-level metadata value to be an object. */
const METADATA_KEY = 'incident_response';

interface Tracked {
  id: string;
  lastKey: string | null;
}

/**
 * An update costs a read and a write (rarely a second read, for a resolution): 2.5 requests of budget per update
 * leave room for that and for the dispatcher's burst of one inside Statuspage's 60 s window.
 */
const REQUESTS_PER_UPDATE = 2.5;

interface SpIncident {
  id: string;
  shortlink?: string;
  metadata?: Record<string, Record<string, unknown> | undefined> | null;
}

export function atlassianStatusPage(options: AtlassianStatusPageOptions): StatusPageProvider {
  const apiUrl = (options.apiUrl ?? STATUSPAGE_API_URL).replace(/\/+$/, '');
  const doFetch = options.fetch ?? fetch;
  const minIntervalMs = options.minIntervalMs ?? 1000;
  const limiter = limiterFor(options.apiKey, minIntervalMs);
  const timeoutMs = options.requestTimeoutMs ?? 10_000;
  const pagePath = `/pages/${encodeURIComponent(options.pageId)}`;
  /**
   * Our incident id → its Statuspage incident id. Only the id is kept: the incident's state (the last key applied)
   * may have been changed since by another worker, so it is read afresh before every update.
   */
  const ids = new Map<string, string>();
  /** One publish per incident at a time, so two phases never race to create the incident. */
  const chains = new Map<string, Promise<unknown>>();

  /** `orNull`: a 404 answers null (a lookup of something that may be gone) instead of failing. */
  async function call<T>(method: string, path: string, body?: unknown, orNull?: 'or-null'): Promise<T> {
    await limiter.wait();
    let response: Response;
    try {
      response = await doFetch(`${apiUrl}${pagePath}${path}`, {
        method,
        headers: {
          Authorization: `OAuth ${options.apiKey}`,
          Accept: 'application/json',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new Error(`Statuspage unreachable (will retry): ${redact(describeNetworkError(error), [options.apiKey])}`);
    }
    const text = await response.text().catch(() => '');
    if (response.ok) return (text ? JSON.parse(text) : {}) as T;
    if (response.status === 404 && orNull) return null as T;
    throw statusPageError(method, path, response, text, options.apiKey, limiter);
  }

  function componentsFor(service: string): string[] {
    const configured = Array.isArray(options.componentIds) ? options.componentIds : options.componentIds[service];
    return configured ?? [];
  }

  function track(incidentId: string, incident: SpIncident): Tracked {
    const ours = incident.metadata?.[METADATA_KEY];
    ids.set(incidentId, incident.id);
    return { id: incident.id, lastKey: typeof ours?.last_key === 'string' ? ours.last_key : null };
  }

  /** The incident as the page holds it now: another worker may have updated it since this one last did. */
  async function find(request: StatusPageRequest): Promise<Tracked | null> {
    const ours = (incident: SpIncident) => incident.metadata?.[METADATA_KEY]?.incident_id === request.incidentId;
    const id = ids.get(request.incidentId);
    if (id !== undefined) {
      const path = `/incidents/${encodeURIComponent(id)}`;
      const current = await call<SpIncident | null>('GET', path, undefined, 'or-null');
      if (current && ours(current)) return track(request.incidentId, current);
      // Deleted or edited by hand: search for it as a new worker would.
      ids.delete(request.incidentId);
    }
    const unresolved = await call<SpIncident[]>('GET', '/incidents/unresolved');
    let found = unresolved.find(ours);
    if (!found && request.phase === 'resolved') {
      // A resolution retried after a restart may find its incident already resolved: look among recent ones.
      found = (await call<SpIncident[]>('GET', '/incidents?limit=100')).find(ours);
    }
    return found ? track(request.incidentId, found) : null;
  }

  async function publish(request: StatusPageRequest): Promise<DeliveryReceipt> {
    const componentIds = componentsFor(request.service);
    const componentStatus = request.phase === 'resolved' ? 'operational' : COMPONENT_STATUS[request.severity];
    const fields = {
      status: request.phase,
      body: request.message,
      component_ids: componentIds,
      components: Object.fromEntries(componentIds.map((id) => [id, componentStatus])),
      metadata: { [METADATA_KEY]: { incident_id: request.incidentId, last_key: request.key } },
    };
    const existing = await find(request);
    if (existing?.lastKey === request.key) {
      return { destination: `Statuspage incident ${existing.id} (${request.phase})`, duplicate: true };
    }
    if (existing && isStale(request.key, existing.lastKey)) {
      // A late retry of an earlier step must not move the public incident backwards.
      return {
        destination: `Statuspage incident ${existing.id} (a later update is already there; ${request.phase} skipped)`,
        duplicate: true,
      };
    }
    if (!existing && request.phase === 'resolved') {
      throw ApplicationFailure.nonRetryable(
        `no Statuspage incident for ${request.incidentId} to resolve (none was created)`,
        StatusPageFailureType.NothingToResolve,
      );
    }
    const incident = existing
      ? await call<SpIncident>('PATCH', `/incidents/${encodeURIComponent(existing.id)}`, { incident: fields })
      : await call<SpIncident>('POST', '/incidents', { incident: { name: request.title, ...fields } });
    const tracked = track(request.incidentId, incident);
    const link = incident.shortlink ? ` ${incident.shortlink}` : '';
    return { destination: `Statuspage incident ${tracked.id} (${request.phase})${link}`, duplicate: false };
  }

  return {
    updatesPerSecond: minIntervalMs > 0 ? 1000 / minIntervalMs / REQUESTS_PER_UPDATE : undefined,
    async publish(request) {
      if (request.drill || request.security) {
        throw ApplicationFailure.nonRetryable(
          `${request.drill ? 'drills' : 'security incidents'} never reach the public status page`,
          StatusPageFailureType.Refused,
        );
      }
      const previous = chains.get(request.incidentId) ?? Promise.resolve();
      const next = previous.catch(() => undefined).then(() => publish(request));
      chains.set(request.incidentId, next);
      try {
        return await next;
      } finally {
        if (chains.get(request.incidentId) === next) chains.delete(request.incidentId);
      }
    },
  };
}

function statusPageError(
  method: string,
  path: string,
  response: Response,
  text: string,
  apiKey: string,
  limiter: SpacingLimiter,
): Error {
  const status = response.status;
  const reason = redact(errorReason(text) ?? response.statusText, [apiKey]);
  const what = `Statuspage ${method} ${path.split('?')[0]} answered ${status}${reason ? `: ${reason}` : ''}`;
  if (status === 429 || status === 420) {
    const delay = retryAfterMs(response.headers.get('retry-after'));
    // Every request with this token waits out the limit, not only the one that was refused.
    if (delay !== undefined) limiter.pushBack(delay);
    return ApplicationFailure.create({
      message: `${what} (rate limited, will retry)`,
      type: StatusPageFailureType.RateLimited,
      nonRetryable: false,
      nextRetryDelay: delay,
    });
  }
  if (status >= 500) return new Error(`${what} (will retry)`);
  const hint: Record<number, string> = {
    401: 'the API key was not accepted',
    403: 'the API key may not manage incidents on this page',
    404: 'the page or incident does not exist',
    422: 'Statuspage refused the incident fields',
  };
  return ApplicationFailure.nonRetryable(
    `${what}${hint[status] ? ` (${hint[status]})` : ''}`,
    StatusPageFailureType.Rejected,
  );
}

/** Statuspage documents `{ message }` for errors; some endpoints answer `{ error: string | string[] }`. */
function errorReason(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { message?: unknown; error?: unknown; errors?: unknown };
    const reason = body.message ?? body.error ?? body.errors;
    if (Array.isArray(reason)) return reason.map(String).join('; ');
    if (typeof reason === 'string') return reason;
  } catch {
    // Not JSON: show the start of the text below.
  }
  const trimmed = text.trim().slice(0, 200);
  return trimmed || undefined;
}

/**
 * Requests with one token leave at least `intervalMs` apart, in the order they asked; shared by every
 * provider instance in the process that uses the token (keyed by its hash, so the key is not kept twice).
 */
class SpacingLimiter {
  private next = 0;

  constructor(private readonly intervalMs: number) {}

  async wait(): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.next);
    this.next = at + this.intervalMs;
    if (at > now) await sleep(at - now);
  }

  /** After a 429, nobody with this token asks again before the server said to. */
  pushBack(delayMs: number): void {
    this.next = Math.max(this.next, Date.now() + delayMs);
  }
}

const limiters = new Map<string, SpacingLimiter>();

function limiterFor(apiKey: string, intervalMs: number): SpacingLimiter {
  const id = createHash('sha256').update(apiKey).digest('hex');
  let limiter = limiters.get(id);
  if (!limiter) {
    limiter = new SpacingLimiter(intervalMs);
    limiters.set(id, limiter);
  }
  return limiter;
}
