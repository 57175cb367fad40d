import { setTimeout as sleep } from 'node:timers/promises';
import {
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
  type WebClient,
} from '@slack/web-api';
import { ApplicationFailure } from '@temporalio/common';

/**
 * How Slack failures become Temporal failures. Permanent refusals are non-retryable with a reason a person can act
 * on (it lands on the incident timeline); outages are retryable so the activity retry policy takes over once the
 * WebClient's own bounded retries are spent. No message ever carries the token.
 */
export enum SlackFailureType {
  Permanent = 'SlackPermanentError',
  RateLimited = 'SlackRateLimited',
  Unavailable = 'SlackUnavailable',
  UnexpectedResponse = 'SlackUnexpectedResponse',
}

export interface SlackRetryOptions {
  /** Longest total wait for Retry-After inside one call; a longer wait is handed to Temporal's retry. */
  maxRateLimitWaitMs?: number;
  /** How many rate-limited answers one call waits out before handing over to Temporal's retry. */
  maxRateLimitRetries?: number;
}

export const DEFAULT_SLACK_RETRY: Required<SlackRetryOptions> = { maxRateLimitWaitMs: 10_000, maxRateLimitRetries: 3 };

/** Slack's own "try again later" answers: retry them like an outage. */
const TRANSIENT_ERRORS = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);

const REASONS: Record<string, (method: string, target: string | undefined, needed: string | undefined) => string> = {
  invalid_auth: () => 'Slack rejected the token (invalid_auth): check SLACK_BOT_TOKEN',
  not_authed: () => 'Slack received no token (not_authed): check SLACK_BOT_TOKEN',
  account_inactive: () => 'The Slack token belongs to a deactivated user or workspace (account_inactive)',
  token_revoked: () => 'The Slack token has been revoked (token_revoked)',
  token_expired: () => 'The Slack token has expired (token_expired)',
  missing_scope: (method, _t, needed) =>
    `The Slack app lacks the scope ${needed ?? 'this method needs'} for ${method} (missing_scope)`,
  not_in_channel: (method, target) =>
    `The Slack app is not a member of channel ${target ?? '(unknown)'}, so ${method} failed (not_in_channel)`,
  channel_not_found: (method, target) =>
    `Slack channel ${target ?? '(unknown)'} was not found or is not visible to the app (channel_not_found in ${method})`,
  is_archived: (method, target) => `Slack channel ${target ?? '(unknown)'} is archived (is_archived in ${method})`,
};

/** The Slack error code a failure from {@link slackCaller} carries, e.g. `name_taken`. */
export function slackErrorCode(error: unknown): string | undefined {
  if (!(error instanceof ApplicationFailure)) return undefined;
  const detail = error.details?.[0] as { slackError?: unknown } | undefined;
  return typeof detail?.slackError === 'string' ? detail.slackError : undefined;
}

export type SlackCaller = <T>(method: string, run: (client: WebClient) => Promise<T>, target?: string) => Promise<T>;

/**
 * Wraps every Web API call: waits out short Retry-After answers (the client is built with rejectRateLimitedCalls so
 * one call stays bounded), hands long ones to Temporal with `nextRetryDelay`, and translates the rest.
 */
export function slackCaller(client: WebClient, retry: SlackRetryOptions = {}): SlackCaller {
  const limits = { ...DEFAULT_SLACK_RETRY, ...retry };
  return async (method, run, target) => {
    let waited = 0;
    for (let attempt = 0; ; attempt++) {
      try {
        return await run(client);
      } catch (error) {
        const retryAfter = rateLimitedFor(error);
        if (retryAfter === undefined) throw toFailure(error, method, target, client.token);
        const waitMs = retryAfter * 1000;
        if (attempt >= limits.maxRateLimitRetries || waited + waitMs > limits.maxRateLimitWaitMs) {
          throw ApplicationFailure.create({
            message: `Slack rate-limited ${method}; retry after ${retryAfter}s`,
            type: SlackFailureType.RateLimited,
            nextRetryDelay: Math.max(waitMs, 1000),
            details: [{ method, slackError: 'ratelimited' }],
          });
        }
        waited += waitMs;
        await sleep(waitMs);
      }
    }
  };
}

function rateLimitedFor(error: unknown): number | undefined {
  if (error instanceof WebAPIRateLimitedError) return error.retryAfter;
  if (error instanceof WebAPIPlatformError && error.data.error === 'ratelimited') {
    return error.data.response_metadata?.retryAfter ?? 1;
  }
  return undefined;
}

function toFailure(error: unknown, method: string, target: string | undefined, token: string | undefined) {
  if (error instanceof ApplicationFailure) return error;
  const failure = (type: SlackFailureType, message: string, slackError: string, nonRetryable = false) =>
    ApplicationFailure.create({
      message: redact(message, token),
      type,
      nonRetryable,
      details: [{ method, slackError }],
    });

  if (error instanceof WebAPIPlatformError) {
    const code = error.data.error;
    // A non-JSON body (a proxy's HTML page) arrives as the "error"; never echo it.
    if (!/^[a-z0-9_]{1,64}$/.test(code)) {
      return failure(SlackFailureType.UnexpectedResponse, `Slack answered ${method} with a non-JSON body`, 'non_json');
    }
    if (TRANSIENT_ERRORS.has(code)) {
      return failure(SlackFailureType.Unavailable, `Slack could not complete ${method} (${code})`, code);
    }
    const reason = REASONS[code]?.(method, target, neededScope(error.data));
    return failure(SlackFailureType.Permanent, reason ?? `Slack refused ${method} (${code})`, code, true);
  }
  if (error instanceof WebAPIHTTPError) {
    const status = error.statusCode;
    if (status >= 400 && status < 500 && status !== 408) {
      const message = `Slack answered HTTP ${status} to ${method}: check SLACK_API_URL`;
      return failure(SlackFailureType.Permanent, message, `http_${status}`, true);
    }
    return failure(SlackFailureType.Unavailable, `Slack answered HTTP ${status} to ${method}`, `http_${status}`);
  }
  if (error instanceof WebAPIRequestError) {
    const cause = error.original.cause instanceof Error ? `: ${error.original.cause.message}` : '';
    const message = `Slack could not be reached for ${method} (${error.original.message}${cause})`;
    return failure(SlackFailureType.Unavailable, message, 'request_error');
  }
  // The WebClient's own retry gives up on 429 with a plain Error when it is not told to reject rate-limited calls.
  const text = error instanceof Error ? error.message : String(error);
  if (text.startsWith('A rate limit was exceeded')) {
    return failure(SlackFailureType.RateLimited, `Slack rate-limited ${method} on every retry`, 'ratelimited');
  }
  return failure(SlackFailureType.Unavailable, `Slack ${method} failed: ${text}`, 'unknown');
}

function neededScope(data: object): string | undefined {
  const needed = (data as { needed?: unknown }).needed;
  return typeof needed === 'string' ? needed : undefined;
}

/** Belt and braces: strip the token and anything shaped like a Slack token from text bound for history. */
export function redact(text: string, token: string | undefined): string {
  const withoutToken = token ? text.split(token).join('[redacted]') : text;
  return withoutToken.replace(/xox[a-z]-[A-Za-z0-9-]+/g, '[redacted]');
}

/** A response that does not match the shape Slack documents: retry it like an outage. */
export function unexpectedResponse(method: string, what: string): ApplicationFailure {
  return ApplicationFailure.create({
    message: `Slack answered ${method} without ${what}`,
    type: SlackFailureType.UnexpectedResponse,
    details: [{ method, slackError: 'unexpected_response' }],
  });
}
