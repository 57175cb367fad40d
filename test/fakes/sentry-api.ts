import Fastify from 'fastify';

/**
 * A loopback Sentry, the project issues endpoint as documented:
 * `GET /api/0/projects/{organization_slug}/{project_slug}/issues/?query=&statsPeriod=24h` answers a list of issues
 * (`id`, `shortId`, `title`, `culprit`, `permalink`, `firstSeen`, `lastSeen`, `count` as a string, `status`, and
 * `stats: { '24h': [[epochSeconds, events], ...] }`, 24 hourly buckets, the last one the current hour). The token is
 * `Authorization: Bearer`; a wrong one answers 401 `{ detail }`, an unknown project 404 `{ detail }`.
 */
export interface SentryIssueFixture {
  shortId: string;
  title: string;
  /** Epoch ms. */
  firstSeen: number;
  /** Events per hour over the last 24 hours, oldest first (24 numbers). */
  hourly: number[];
}

export interface FakeSentryApi {
  url: string;
  requests: Array<{ path: string; query: string | undefined; statsPeriod: string | undefined }>;
  load(organization: string, project: string, issues: SentryIssueFixture[]): void;
  close(): Promise<void>;
}

export async function startFakeSentry(token: string): Promise<FakeSentryApi> {
  const app = Fastify({ logger: false });
  const projects = new Map<string, SentryIssueFixture[]>();
  const requests: FakeSentryApi['requests'] = [];
  let origin = '';

  app.get<{ Params: { org: string; project: string }; Querystring: { query?: string; statsPeriod?: string } }>(
    '/api/0/projects/:org/:project/issues/',
    async (request, reply) => {
      const { query, statsPeriod } = request.query;
      requests.push({ path: request.url.split('?')[0] ?? '', query, statsPeriod });
      if (request.headers.authorization !== `Bearer ${token}`) {
        return reply.code(401).send({ detail: 'Invalid token' });
      }
      const issues = projects.get(`${request.params.org}/${request.params.project}`);
      if (issues === undefined) return reply.code(404).send({ detail: 'The requested resource does not exist' });
      const hour = Math.floor(Date.now() / 3_600_000) * 3600;
      const base = `${origin}/organizations/${request.params.org}/issues`;
      return issues.map((issue, index) => ({
        id: String(1000 + index),
        shortId: issue.shortId,
        title: issue.title,
        culprit: 'handler',
        permalink: `${base}/${1000 + index}/`,
        firstSeen: new Date(issue.firstSeen).toISOString(),
        lastSeen: new Date().toISOString(),
        count: String(issue.hourly.reduce((a, b) => a + b, 0)),
        userCount: 1,
        status: 'unresolved',
        level: 'error',
        project: { slug: request.params.project },
        stats:
          statsPeriod === ''
            ? {}
            : { '24h': issue.hourly.map((events, i) => [hour - (issue.hourly.length - 1 - i) * 3600, events]) },
      }));
    },
  );

  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  origin = url;
  return {
    url,
    requests,
    load(organization, project, issues) {
      projects.set(`${organization}/${project}`, issues);
    },
    close: () => app.close(),
  };
}
