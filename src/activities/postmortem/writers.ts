import { randomUUID } from 'node:crypto';
import { link, mkdir, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { incidentIdSchema } from '../../domain/inputs';
import { describeFetchError } from '../http/probe';
import type { PostmortemWriter } from '../providers';
import type { PostmortemRequest } from '../types';
import { GITHUB_BODY_LIMIT, postmortemMarker, postmortemMarkdown, postmortemTitle } from './markdown-renderer';

/** Failure types a postmortem writer raises; the workflow records them on the timeline and carries on. */
export enum PostmortemErrorType {
  InvalidIncidentId = 'InvalidIncidentId',
  GitHubRejected = 'GitHubRejected',
  GitHubRateLimited = 'GitHubRateLimited',
}

/**
 * The default: `<dir>/<incidentId>-postmortem.md`. Created once and never overwritten, so the edits people
 * make to the draft survive a retried or replayed activity.
 */
export function markdownPostmortem({ dir }: { dir: string }): PostmortemWriter {
  return {
    async create(request) {
      const file = path.resolve(dir, `${safeIncidentId(request.incidentId)}-postmortem.md`);
      await mkdir(path.dirname(file), { recursive: true });
      const temp = `${file}.${randomUUID()}.tmp`;
      await writeFile(temp, postmortemMarkdown(request.incident, request.dueAt), 'utf8');
      try {
        // link() publishes the complete file or fails with EEXIST: never a half-written or overwritten draft.
        await link(temp, file);
        return { destination: `file ${file}`, duplicate: false, location: file };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
          return { destination: `file ${file}`, duplicate: true, location: file };
        }
        throw error;
      } finally {
        await unlink(temp).catch(() => undefined);
      }
    },
  };
}

export interface GitHubPostmortemOptions {
  /** `https://api.github.com`, or a GitHub Enterprise `https://host/api/v3`. */
  apiUrl?: string;
  token: string;
  /** `owner/name`. */
  repo: string;
  fetch?: typeof fetch;
  /** Per request. */
  timeout?: number;
}

interface GitHubIssue {
  number: number;
  html_url: string;
  body?: string | null;
  pull_request?: unknown;
}

const GITHUB_TIMEOUT_MS = 15_000;
/** Pages of 100 postmortem issues searched for an existing one before creating another. */
const MAX_SEARCH_PAGES = 10;

/**
 * Opens the postmortem as a GitHub issue labelled `postmortem` and the severity. Idempotent by the hidden
 * marker on the body's first line: a retry finds the issue it created instead of opening a second one.
 * The token needs write access to issues (and push access, or GitHub silently drops the labels the search uses).
 */
/**
 * One GitHub REST request with the API's headers and a timeout; a failure names the method, path and status, never
 * the token. Shared by the postmortem writer and the action-item tickets.
 */
export function gitHubCaller(
  options: Pick<GitHubPostmortemOptions, 'token' | 'fetch' | 'timeout'>,
): (method: string, url: URL, body?: unknown) => Promise<Response> {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeout ?? GITHUB_TIMEOUT_MS;

  return async function call(method: string, url: URL, body?: unknown): Promise<Response> {
    let response: Response;
    try {
      response = await doFetch(url, {
        method,
        headers: {
          accept: 'application/vnd.github+json',
          authorization: `Bearer ${options.token}`,
          'x-github-api-version': '2022-11-28',
          'user-agent': 'incident-response',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      // Transient: Temporal retries. The message names neither the URL's credentials nor the token.
      const reason =
        (error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : describeFetchError(error);
      throw new Error(`GitHub ${method} ${url.pathname} failed: ${reason}`);
    }
    if (!response.ok) throw await gitHubFailure(method, url, response);
    return response;
  };
}

export function githubIssuePostmortem(options: GitHubPostmortemOptions): PostmortemWriter {
  const [owner, name, ...extra] = options.repo.split('/');
  if (!owner || !name || extra.length > 0) {
    throw new Error(`GitHub repository must be written owner/name, not "${options.repo}"`);
  }
  const api = new URL(`repos/${encodeURIComponent(owner)}/${encodeURIComponent(name)}/`, withSlash(options.apiUrl));
  const call = gitHubCaller(options);

  async function findExisting(marker: string): Promise<GitHubIssue | null> {
    let url: URL | null = new URL('issues', api);
    url.search = new URLSearchParams({
      labels: 'postmortem',
      state: 'all',
      sort: 'created',
      direction: 'desc',
      per_page: '100',
    }).toString();
    for (let page = 0; url !== null && page < MAX_SEARCH_PAGES; page++) {
      const response = await call('GET', url);
      const issues = (await response.json()) as GitHubIssue[];
      const found = issues.find((issue) => issue.pull_request === undefined && firstLine(issue.body) === marker);
      if (found) return found;
      url = nextPage(response.headers.get('link'), api);
    }
    return null;
  }

  return {
    async create(request: PostmortemRequest) {
      const { incident } = request;
      const marker = postmortemMarker(safeIncidentId(request.incidentId));
      const existing = await findExisting(marker);
      if (existing) {
        return { destination: `GitHub issue #${existing.number}`, duplicate: true, location: existing.html_url };
      }
      const response = await call('POST', new URL('issues', api), {
        title: `${postmortemTitle(incident)} (${incident.id})`,
        body: postmortemMarkdown(incident, request.dueAt, { maxChars: GITHUB_BODY_LIMIT }),
        labels: ['postmortem', incident.severity],
      });
      const created = (await response.json()) as GitHubIssue;
      return { destination: `GitHub issue #${created.number}`, duplicate: false, location: created.html_url };
    },
  };
}

/**
 * GitHub's error body is `{ message, documentation_url }`. Bad credentials, no access, an unknown repository
 * and a refused issue will not fix themselves; rate limits and server errors will.
 */
async function gitHubFailure(method: string, url: URL, response: Response): Promise<Error> {
  const message = await response
    .json()
    .then((body: unknown) => (body as { message?: unknown }).message)
    .catch(() => undefined);
  const detail = `GitHub ${method} ${url.pathname} answered ${response.status}${
    typeof message === 'string' ? `: ${message.slice(0, 200)}` : ''
  }`;
  const retryAfter = rateLimitDelay(response);
  if (response.status === 429 || (response.status === 403 && retryAfter !== undefined)) {
    return ApplicationFailure.create({
      message: detail,
      type: PostmortemErrorType.GitHubRateLimited,
      nonRetryable: false,
      nextRetryDelay: retryAfter ?? 60_000,
    });
  }
  if ([401, 403, 404, 410, 422].includes(response.status)) {
    return ApplicationFailure.nonRetryable(`${detail} ${hint(response.status)}`, PostmortemErrorType.GitHubRejected);
  }
  return new Error(detail);
}

function hint(status: number): string {
  switch (status) {
    case 401:
      return '(check GITHUB_TOKEN)';
    case 403:
      return '(the token lacks permission to write issues in this repository)';
    case 404:
    case 410:
      return '(check GITHUB_REPO, and that the token can see the repository and it has issues enabled)';
    default:
      return '(GitHub refused the issue)';
  }
}

/** GitHub's rate limits answer 403 or 429 with `retry-after`, or with `x-ratelimit-remaining: 0` and a reset time. */
function rateLimitDelay(response: Response): number | undefined {
  const retryAfter = Number(response.headers.get('retry-after'));
  if (response.headers.has('retry-after') && Number.isFinite(retryAfter)) return Math.max(1, retryAfter) * 1000;
  if (response.headers.get('x-ratelimit-remaining') === '0') {
    const reset = Number(response.headers.get('x-ratelimit-reset')) * 1000;
    return Number.isFinite(reset) && reset > Date.now() ? reset - Date.now() + 1000 : 60_000;
  }
  return undefined;
}

/** The `link` header's next page, followed only on the API's own origin: the token goes with every request. */
function nextPage(linkHeader: string | null, api: URL): URL | null {
  const next = linkHeader?.split(',').find((part) => /rel="next"/.test(part));
  const target = next && /<([^>]+)>/.exec(next)?.[1];
  if (!target) return null;
  const url = new URL(target, api);
  return url.origin === api.origin ? url : null;
}

function firstLine(body: string | null | undefined): string {
  return (body ?? '').split('\n', 1)[0]?.trim() ?? '';
}

function withSlash(apiUrl = 'https://api.github.com'): string {
  return apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`;
}

function safeIncidentId(incidentId: string): string {
  // The id becomes a file name and a marker: anything but the declared id format is refused.
  if (!incidentIdSchema.safeParse(incidentId).success) {
    throw ApplicationFailure.nonRetryable(
      `incident id ${JSON.stringify(incidentId)} is not valid`,
      PostmortemErrorType.InvalidIncidentId,
    );
  }
  return incidentId;
}
