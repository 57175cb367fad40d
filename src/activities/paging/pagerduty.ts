import { ApplicationFailure } from '@temporalio/common';
import type { Severity } from '../../domain/severity';
import { describeNetworkError, redact, retryAfterMs } from '../http/errors';
import type { PagerProvider } from '../providers';
import type { DeliveryReceipt, PageRequest } from '../types';
import { pageDedupKey } from './dedup-key';

/**
 * PagerDuty Events API v2: trigger, acknowledge and resolve one alert per incident, reason and ladder level.
 * PagerDuty itself deduplicates on `dedup_key`, so a retried or replayed trigger lands on the same alert;
 * this process additionally skips a request key it has already delivered.
 */
export interface PagerDutyOptions {
  /** Defaults to https://events.pagerduty.com/v2/enqueue. */
  eventsUrl?: string;
  /** Integration (routing) key per escalation target, e.g. `primary-oncall`, `engineering-manager`. */
  routingKeys: Record<string, string>;
  /** For a target without its own routing key. */
  defaultRoutingKey?: string;
  fetch?: typeof fetch;
  /** Per request; well inside the notification activity's 30 s start-to-close. */
  requestTimeoutMs?: number;
}

export const PagerDutyFailureType = {
  NoRoutingKey: 'PagerDutyNoRoutingKey',
  /** 400 invalid event, or another 4xx that retrying will not change. */
  Rejected: 'PagerDutyRejected',
  /** Retryable: 429, retried after Retry-After when PagerDuty sends one. */
  RateLimited: 'PagerDutyRateLimited',
} as const;

export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

export const PAGERDUTY_SEVERITY: Record<Severity, 'critical' | 'error' | 'warning' | 'info'> = {
  'SEV-1': 'critical',
  'SEV-2': 'error',
  'SEV-3': 'warning',
  'SEV-4': 'info',
};

const MAX_REMEMBERED_KEYS = 10_000;

export function pagerDutyPager(options: PagerDutyOptions): PagerProvider {
  const eventsUrl = options.eventsUrl ?? PAGERDUTY_EVENTS_URL;
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.requestTimeoutMs ?? 10_000;
  const secrets = [...Object.values(options.routingKeys), options.defaultRoutingKey ?? ''].filter((k) => k !== '');
  const delivered = new Map<string, DeliveryReceipt>();

  async function enqueue(request: PageRequest, routingKey: string): Promise<DeliveryReceipt> {
    const dedupKey = pageDedupKey(request);
    const event =
      request.action === 'trigger'
        ? {
            routing_key: routingKey,
            event_action: 'trigger',
            dedup_key: dedupKey,
            client: 'incident-response',
            payload: {
              summary: `${request.drill ? '[DRILL] ' : ''}${request.summary}`.slice(0, 1024),
              source: 'incident-response',
              severity: PAGERDUTY_SEVERITY[request.severity],
              custom_details: {
                incident_id: request.incidentId,
                reason: request.reason,
                level: request.level,
                target: request.target,
                severity: request.severity,
                drill: request.drill,
              },
            },
          }
        : { routing_key: routingKey, event_action: request.action, dedup_key: dedupKey };

    let response: Response;
    try {
      response = await doFetch(eventsUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(event),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new Error(`PagerDuty unreachable (will retry): ${redact(describeNetworkError(error), secrets)}`);
    }
    const text = await response.text().catch(() => '');
    if (response.ok) {
      const body = parseJson(text) as { dedup_key?: unknown };
      const key = typeof body.dedup_key === 'string' ? body.dedup_key : dedupKey;
      return { destination: `PagerDuty ${request.target} (${request.action}, ${key})`, duplicate: false };
    }
    throw pagerDutyError(request, response, text, secrets);
  }

  return {
    async send(request) {
      const earlier = delivered.get(request.key);
      if (earlier) return { ...earlier, duplicate: true };
      const routingKey = options.routingKeys[request.target] ?? options.defaultRoutingKey;
      if (!routingKey) {
        throw ApplicationFailure.nonRetryable(
          `no PagerDuty routing key for ${request.target}`,
          PagerDutyFailureType.NoRoutingKey,
        );
      }
      const receipt = await enqueue(request, routingKey);
      delivered.set(request.key, receipt);
      if (delivered.size > MAX_REMEMBERED_KEYS) delivered.delete(delivered.keys().next().value as string);
      return receipt;
    },
  };
}

function pagerDutyError(request: PageRequest, response: Response, text: string, secrets: string[]): Error {
  const status = response.status;
  const body = parseJson(text) as { status?: unknown; message?: unknown; errors?: unknown };
  const errors: unknown[] = Array.isArray(body.errors) ? body.errors : [];
  const details = [body.message, ...errors]
    .filter((part): part is string => typeof part === 'string' && part !== '')
    .join('; ');
  const reason = redact(details || text.trim().slice(0, 200) || response.statusText, secrets);
  const what = `PagerDuty ${request.action} for ${request.target} answered ${status}${reason ? `: ${reason}` : ''}`;
  if (status === 429) {
    const delay = retryAfterMs(response.headers.get('retry-after'));
    return ApplicationFailure.create({
      message: `${what} (rate limited, will retry)`,
      type: PagerDutyFailureType.RateLimited,
      nonRetryable: false,
      nextRetryDelay: delay,
    });
  }
  if (status >= 500) return new Error(`${what} (will retry)`);
  return ApplicationFailure.nonRetryable(what, PagerDutyFailureType.Rejected);
}

function parseJson(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
