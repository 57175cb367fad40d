/** Helpers the providers that call HTTP APIs share: Retry-After, readable network errors, secret redaction. */

/** Retry-After in seconds or as an HTTP date, in milliseconds. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds * 1000));
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export function describeNetworkError(error: unknown): string {
  const failure = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (failure.name === 'TimeoutError') return 'request timed out';
  const cause = failure.cause?.code ?? failure.cause?.message;
  return `${failure.message ?? String(error)}${cause ? ` (${cause})` : ''}`;
}

/** Replaces every secret in a message that may reach the timeline or a log. */
export function redact(text: string, secrets: string[]): string {
  return secrets.filter((secret) => secret.length > 0).reduce((out, secret) => out.split(secret).join('***'), text);
}
