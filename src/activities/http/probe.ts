/**
 * One HTTP request with a deadline, for smoke checks, health snapshots and Prometheus: it never throws for an
 * unreachable or slow endpoint, because for those callers that is an observation, not an error.
 */
export type ProbeResult =
  | { ok: true; status: number; latencyMs: number; body: string; bodyTruncated: boolean }
  | { ok: false; latencyMs: number; error: string };

export interface ProbeOptions {
  method?: string;
  timeoutMs: number;
  /** Bytes of body kept; the rest is discarded unread so a large page cannot stall the probe. */
  maxBodyBytes: number;
  /** `manual` when the caller expects a redirect status itself. */
  redirect?: 'follow' | 'manual';
  headers?: Record<string, string>;
  /** A request body (a smoke check's login form). */
  body?: string;
}

export async function probe(url: string, options: ProbeOptions): Promise<ProbeResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const { target, authorization } = splitCredentials(url);
  try {
    const response = await fetch(target, {
      method: options.method ?? 'GET',
      headers: { ...options.headers, ...(authorization ? { authorization } : {}) },
      redirect: options.redirect ?? 'follow',
      ...(options.body === undefined ? {} : { body: options.body }),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    const { body, truncated } = await readBody(response, options.maxBodyBytes);
    return { ok: true, status: response.status, latencyMs: elapsed(), body, bodyTruncated: truncated };
  } catch (error) {
    const timedOut = (error as Error).name === 'TimeoutError';
    return {
      ok: false,
      latencyMs: elapsed(),
      error: timedOut ? `no answer within ${options.timeoutMs} ms` : `request failed: ${describeFetchError(error)}`,
    };
  }
}

/** undici says only "fetch failed"; the useful part (ECONNREFUSED, a TLS error) is in the cause. */
export function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return (error as Error).message;
}

/** A URL without its `user:password@` part, for artifacts and messages. */
export function redactUrl(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.toString();
}

/** fetch refuses URLs with credentials, so `https://user:pass@host` becomes Basic authentication. */
function splitCredentials(url: string): { target: string; authorization?: string } {
  const parsed = new URL(url);
  if (parsed.username === '' && parsed.password === '') return { target: url };
  const basic = Buffer.from(
    `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`,
    'utf8',
  ).toString('base64');
  return { target: redactUrl(url), authorization: `Basic ${basic}` };
}

async function readBody(response: Response, maxBytes: number): Promise<{ body: string; truncated: boolean }> {
  if (!response.body) return { body: '', truncated: false };
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  // Leaving the loop early cancels the stream, so the rest of a large body is never downloaded.
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    chunks.push(chunk);
    size += chunk.byteLength;
    if (size > maxBytes) {
      truncated = true;
      break;
    }
  }
  const bytes = Buffer.concat(chunks).subarray(0, maxBytes);
  // A multi-byte character cut at the limit decodes to U+FFFD rather than failing.
  return { body: new TextDecoder().decode(bytes), truncated };
}
