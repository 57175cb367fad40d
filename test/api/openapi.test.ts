import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { compileErrors, validate } from '@readme/openapi-parser';
import { IncidentService } from '../../src/client/service';
import { startApi, type RunningApi } from './server';

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, unknown> }; responses: object }>>;
}

async function openApiDocument(api: RunningApi): Promise<{ status: number; document: OpenApiDocument }> {
  const { status, body } = await api.call('GET', '/api/openapi.json', { token: null });
  return { status, document: body as unknown as OpenApiDocument };
}

/** Routes that serve the document itself and its reading page, not the API it describes. */
const UNDOCUMENTED = [/^\/api\/openapi\.json$/, /^\/api\/docs/];

/**
 * Every method and path the app serves, read from Fastify's own route tree (`{id}` as OpenAPI writes it). Each
 * line of the tree is a path segment indented four columns per level under its parent.
 */
function servedRoutes(api: RunningApi): string[] {
  const routes: string[] = [];
  const parents: string[] = [];
  for (const line of api.app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^(.*?)[├└]── (\S+) \(([A-Z, ]+)\)$/.exec(line);
    if (!match) continue;
    const [, indent = '', segment = '', methods = ''] = match;
    const depth = indent.length / 4;
    const url = `${parents[depth - 1] ?? ''}${segment}`;
    parents[depth] = url;
    if (UNDOCUMENTED.some((pattern) => pattern.test(url))) continue;
    for (const method of methods.split(', ')) {
      if (method !== 'HEAD') routes.push(`${method} ${url.replace(/:(\w+)/g, '{$1}')}`);
    }
  }
  return routes.sort();
}

describe('the OpenAPI document', () => {
  let api: RunningApi;
  before(async () => {
    // The document needs no Temporal: a client that never connects is enough.
    const client = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    api = await startApi(new IncidentService(client, { taskQueue: 'incidents' }));
  });
  after(() => api?.close());

  it('is a valid OpenAPI 3.1 document', async () => {
    const { status, document } = await openApiDocument(api);
    assert.equal(status, 200);
    assert.equal(document.openapi, '3.1.0');
    // The validator dereferences in place: give it a copy.
    const result = await validate(structuredClone(document) as never);
    assert.ok(result.valid, result.valid ? '' : compileErrors(result));
  });

  it('documents every route the app serves, with its schemas', async () => {
    const { document } = await openApiDocument(api);
    const documented = Object.entries(document.paths)
      .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    const served = servedRoutes(api);
    assert.ok(served.length >= 15, `found ${served.length} routes`);
    assert.deepEqual(documented, served);
    const declare = document.paths['/api/v1/incidents']?.post;
    assert.ok(declare?.requestBody?.content['application/json'], 'the declaration body is described');
    assert.deepEqual(
      ['201', '400', '401', '403', '409', '503'].filter((code) => !(code in declare.responses)),
      [],
      'success and every problem answer are described',
    );
  });

  it('serves a page to read it', async () => {
    const page = await api.call('GET', '/api/docs', { token: null });
    assert.equal(page.status, 200);
    assert.match((page.body as unknown as { text: string }).text, /swagger-ui/i);
  });
});
