import Fastify, { type FastifyReply } from 'fastify';

/**
 * A loopback GitHub REST API, the issues endpoints the postmortem writer uses: list issues of a repository
 * (`labels`, `state`, `per_page`, `page`, with a `link` header for the next page; pull requests included, as
 * GitHub does) and create an issue (201 with the issue). Errors use GitHub's body `{ message, documentation_url }`
 * and its statuses: 401 bad credentials, 404 unknown repository, 422 validation failed.
 */
export interface GitHubRequestRecord {
  method: string;
  /** Path and query. */
  url: string;
  authorization: string | undefined;
  userAgent: string | undefined;
  apiVersion: string | undefined;
  body: unknown;
}

export interface FakeGitHubIssue {
  id: number;
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  labels: Array<{ id: number; name: string }>;
  html_url: string;
  url: string;
  user: { login: string };
  created_at: string;
  pull_request?: { url: string };
}

export interface GitHubFault {
  status: number;
  /** Only requests with this method fail (e.g. `POST` to refuse the create after a search went through). */
  method?: string;
  message?: string;
  headers?: Record<string, string>;
}

export interface FakeGitHubApi {
  url: string;
  token: string;
  /** `owner/name` of the one repository that exists. */
  repo: string;
  requests: GitHubRequestRecord[];
  issues: FakeGitHubIssue[];
  /** Adds an issue (or pull request) as if someone had opened it. */
  seed(issue: Partial<FakeGitHubIssue> & { title: string }): FakeGitHubIssue;
  /** Answer the next `count` requests with the fault (after authentication passed). */
  failNext(count: number, fault: GitHubFault): void;
  close(): Promise<void>;
}

const DOCS = 'https://docs.github.com/rest/issues/issues';

export async function startFakeGitHub(options: { token?: string; repo?: string } = {}): Promise<FakeGitHubApi> {
  const app = Fastify({ logger: false });
  const token = options.token ?? 'ghp_fake0123456789abcdefghijklmnopqrstuv';
  const repo = options.repo ?? 'acme/incidents';
  const requests: GitHubRequestRecord[] = [];
  const issues: FakeGitHubIssue[] = [];
  const labelIds = new Map<string, number>();
  let faults: Array<GitHubFault & { remaining: number }> = [];
  let url = '';

  const error = (reply: FastifyReply, status: number, message: string, extra: Record<string, unknown> = {}) =>
    reply.code(status).send({ message, documentation_url: DOCS, status: String(status), ...extra });

  const label = (name: string) => {
    if (!labelIds.has(name)) labelIds.set(name, 1000 + labelIds.size);
    return { id: labelIds.get(name)!, name };
  };

  const seed = (fields: Partial<FakeGitHubIssue> & { title: string }): FakeGitHubIssue => {
    const number = issues.length + 1;
    const issue: FakeGitHubIssue = {
      id: 9000 + number,
      number,
      body: null,
      state: 'open',
      labels: [],
      html_url: `https://github.com/${repo}/issues/${number}`,
      url: `${url}/repos/${repo}/issues/${number}`,
      user: { login: 'incident-bot' },
      created_at: new Date().toISOString(),
      ...fields,
    };
    issues.push(issue);
    return issue;
  };

  app.addHook('onRequest', async (request, reply) => {
    requests.push({
      method: request.method,
      url: request.url,
      authorization: request.headers.authorization,
      userAgent: request.headers['user-agent'],
      apiVersion: request.headers['x-github-api-version'] as string | undefined,
      body: undefined,
    });
    const auth = request.headers.authorization;
    if (auth !== `Bearer ${token}` && auth !== `token ${token}`) return error(reply, 401, 'Bad credentials');
    const fault = faults.find((f) => f.method === undefined || f.method === request.method);
    if (fault) {
      fault.remaining -= 1;
      if (fault.remaining <= 0) faults = faults.filter((f) => f !== fault);
      for (const [name, value] of Object.entries(fault.headers ?? {})) void reply.header(name, value);
      return error(reply, fault.status, fault.message ?? defaultMessage(fault.status));
    }
  });
  app.addHook('preHandler', (request, _reply, done) => {
    const record = requests.at(-1);
    if (record) record.body = request.body;
    done();
  });

  type RepoParams = { owner: string; name: string };

  app.get<{ Params: RepoParams; Querystring: Record<string, string | undefined> }>(
    '/repos/:owner/:name/issues',
    async (request, reply) => {
      if (`${request.params.owner}/${request.params.name}` !== repo) return error(reply, 404, 'Not Found');
      const { labels, state = 'open' } = request.query;
      const perPage = Math.min(100, Number(request.query.per_page ?? 30));
      const page = Math.max(1, Number(request.query.page ?? 1));
      const wanted = labels ? labels.split(',').map((l) => l.trim()) : [];
      const matching = issues
        .filter((i) => state === 'all' || i.state === state)
        .filter((i) => wanted.every((w) => i.labels.some((l) => l.name === w)))
        .sort((a, b) => b.number - a.number);
      const slice = matching.slice((page - 1) * perPage, page * perPage);
      if (page * perPage < matching.length) {
        const next = new URL(`${url}${request.url}`);
        next.searchParams.set('page', String(page + 1));
        void reply.header('link', `<${next.toString()}>; rel="next"`);
      }
      return slice;
    },
  );

  app.post<{ Params: RepoParams; Body: { title?: unknown; body?: unknown; labels?: unknown } }>(
    '/repos/:owner/:name/issues',
    async (request, reply) => {
      if (`${request.params.owner}/${request.params.name}` !== repo) return error(reply, 404, 'Not Found');
      const { title, body, labels } = request.body ?? {};
      if (typeof title !== 'string' || title === '') {
        return error(reply, 422, 'Validation Failed', {
          errors: [{ resource: 'Issue', code: 'missing_field', field: 'title' }],
        });
      }
      if (typeof body === 'string' && body.length > 65_536) {
        return error(reply, 422, 'Validation Failed', {
          errors: [
            {
              resource: 'Issue',
              code: 'custom',
              field: 'body',
              message: 'body is too long (maximum is 65536 characters)',
            },
          ],
        });
      }
      const names = Array.isArray(labels) ? labels.map(String) : [];
      return reply
        .code(201)
        .send(seed({ title, body: typeof body === 'string' ? body : null, labels: names.map(label) }));
    },
  );

  url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    token,
    repo,
    requests,
    issues,
    seed,
    failNext(count, fault) {
      faults.push({ ...fault, remaining: count });
    },
    close: () => app.close(),
  };
}

function defaultMessage(status: number): string {
  switch (status) {
    case 403:
      return 'Resource not accessible by personal access token';
    case 429:
      return 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.';
    case 502:
      return 'Server Error';
    default:
      return status >= 500 ? 'Server Error' : 'Error';
  }
}
