import { LogLevel, WebClient, type RetryOptions } from '@slack/web-api';

/**
 * Bounded retries for one Web API request: 3 attempts of at most 4 s each with 1–3 s backoff stays under ~20 s,
 * after which the activity retry policy takes over. Rate limits are rejected to the provider, which waits out a
 * short Retry-After itself and hands a long one to Temporal, so no single call waits unboundedly.
 */
export const SLACK_RETRY_CONFIG: RetryOptions = { retries: 2, factor: 2, minTimeout: 1_000, maxTimeout: 3_000 };
export const SLACK_REQUEST_TIMEOUT_MS = 4_000;
/** chat.postMessage gets longer: a post that times out may still land, and the provider must then look first. */
export const SLACK_POST_TIMEOUT_MS = 5_000;

export interface SlackClientOptions {
  retryConfig?: RetryOptions;
  timeoutMs?: number;
  logLevel?: LogLevel;
}

export function createSlackClient(token: string, apiUrl?: string, options: SlackClientOptions = {}): WebClient {
  return new WebClient(token, {
    ...(apiUrl === undefined ? {} : { slackApiUrl: apiUrl }),
    retryConfig: options.retryConfig ?? SLACK_RETRY_CONFIG,
    timeout: options.timeoutMs ?? SLACK_REQUEST_TIMEOUT_MS,
    rejectRateLimitedCalls: true,
    logLevel: options.logLevel ?? LogLevel.WARN,
  });
}
