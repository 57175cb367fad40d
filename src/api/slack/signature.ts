import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack refuses to sign for longer than this either way; a request outside it is a replay or a wrong clock. */
export const SIGNATURE_WINDOW_SECONDS = 5 * 60;

export type SignatureCheck =
  { ok: true } | { ok: false; reason: 'missing' | 'malformed' | 'stale' | 'mismatch'; detail: string };

export interface SignedRequest {
  /** X-Slack-Request-Timestamp: seconds since the epoch. */
  timestamp: string | undefined;
  /** X-Slack-Signature: `v0=` and the hex HMAC-SHA256. */
  signature: string | undefined;
  /** The body exactly as it arrived, before any parsing. */
  body: Buffer;
}

/** `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<raw body>` under the signing secret, as Slack computes it. */
export function slackSignature(secret: string, timestamp: string, body: Buffer | string): string {
  const hmac = createHmac('sha256', secret);
  hmac.update(`v0:${timestamp}:`, 'utf8');
  hmac.update(body);
  return `v0=${hmac.digest('hex')}`;
}

/**
 * Slack's request verification (docs.slack.dev, "Verifying requests from Slack"): the timestamp within five minutes
 * of now either way, then the signature compared in constant time. The messages name what is wrong, never a value.
 */
export function verifySlackSignature(secret: string, request: SignedRequest, nowMs: number): SignatureCheck {
  const { timestamp, signature } = request;
  if (timestamp === undefined || signature === undefined) {
    return { ok: false, reason: 'missing', detail: 'X-Slack-Signature and X-Slack-Request-Timestamp are required' };
  }
  if (!/^\d{1,12}$/.test(timestamp) || !/^v0=[0-9a-f]{64}$/.test(signature)) {
    return { ok: false, reason: 'malformed', detail: 'the Slack signature headers are malformed' };
  }
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > SIGNATURE_WINDOW_SECONDS) {
    return { ok: false, reason: 'stale', detail: 'the request timestamp is more than five minutes from now' };
  }
  const expected = Buffer.from(slackSignature(secret, timestamp, request.body), 'utf8');
  // Both are `v0=` + 64 hex digits (checked above), so the lengths match and the comparison takes the same time.
  if (!timingSafeEqual(expected, Buffer.from(signature, 'utf8'))) {
    return { ok: false, reason: 'mismatch', detail: 'the Slack signature does not match the request' };
  }
  return { ok: true };
}
