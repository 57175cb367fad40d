import type { RollbackEnvironment } from '../../config/rollback';
import { fillTemplate } from '../../domain/policy/actions';
import { describeFetchError } from '../http/probe';
import { redact } from '../http/errors';

/** A tool's answer: its JSON, or why there is none, in words fit for the summary (never a secret). */
export type ToolAnswer = { ok: true; json: unknown } | { ok: false; error: string };

export interface ToolRequest {
  method?: 'GET' | 'POST';
  /** Header templates from the policy: {{secret.NAME}} is read from the worker's environment now. */
  headers: Record<string, string>;
  body?: unknown;
  timeoutMs: number;
}

/**
 * One request to a team tool (Grafana, Loki, Sentry, a change feed). A tool that is down, slow or refuses is an
 * observation for the snapshot, not a reason to fail the incident's diagnostics, so nothing here throws.
 */
export async function requestTool(url: string, request: ToolRequest, env: RollbackEnvironment): Promise<ToolAnswer> {
  const missing = new Set<string>();
  const secrets: string[] = [];
  const headers: Record<string, string> = { accept: 'application/json' };
  for (const [name, value] of Object.entries(request.headers)) {
    const filled = fillTemplate(value, {}, (secret) => {
      const found = env[secret];
      if (found !== undefined) secrets.push(found);
      return found;
    });
    for (const secret of filled.missing) missing.add(secret);
    headers[name.toLowerCase()] = filled.text;
  }
  if (missing.size > 0) return { ok: false, error: `not asked: the worker has no ${[...missing].join(', ')}` };
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  try {
    const response = await fetch(url, {
      method: request.method ?? 'GET',
      headers,
      ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    const text = await response.text();
    if (!response.ok) {
      return { ok: false, error: redact(`answered ${response.status}: ${firstLine(text)}`, secrets) };
    }
    try {
      return { ok: true, json: JSON.parse(text) as unknown };
    } catch {
      return { ok: false, error: `answered ${response.status} with a body that is not JSON` };
    }
  } catch (error) {
    if ((error as Error).name === 'TimeoutError')
      return { ok: false, error: `no answer within ${request.timeoutMs} ms` };
    return { ok: false, error: redact(`request failed: ${describeFetchError(error)}`, secrets) };
  }
}

/** The start of an error body, which is usually the tool's own message. */
function firstLine(text: string): string {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

/** A base URL and a path, whatever trailing slash the policy wrote. */
export function joinUrl(base: string, path: string): URL {
  return new URL(path.replace(/^\//, ''), base.endsWith('/') ? base : `${base}/`);
}
