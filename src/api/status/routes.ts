import fastifyEtag from '@fastify/etag';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ApiDeps } from '../deps';
import { StatusBoard, type StatusSnapshot } from './board';
import { renderAtomFeed, renderStatusPage } from './render';
import {
  componentsDocumentSchema,
  incidentsDocument,
  incidentsDocumentSchema,
  statusDocumentSchema,
  statusView,
  summaryDocument,
  summarySchema,
  type StatusView,
} from './statuspage-format';

const HISTORY_DAYS = 90;
/** Readers may keep a copy this long; the board reads the incidents again at most every few seconds anyway. */
const CACHE_CONTROL = 'public, max-age=10';

/**
 * The built-in public status page, readable without a token: `/status` (HTML, no script), Statuspage-shaped JSON
 * under `/status/api/v2/` and an Atom feed of every public update. All of it is drawn from one shared snapshot of
 * the incidents (see StatusBoard), so a crowd of readers during an outage costs Temporal a few queries.
 */
export const statusRoutes: FastifyPluginAsyncZod<ApiDeps> = async (app, deps) => {
  const board = deps.statusBoard ?? new StatusBoard(deps.incidents, { historyDays: HISTORY_DAYS });
  const services = Object.keys(deps.policy.services);
  // Strong ETags from the body, and 304 for a matching If-None-Match, on this plugin's routes only.
  await app.register(fastifyEtag);

  const baseUrl = (request: FastifyRequest) =>
    deps.policy.statusPage.url ?? `${request.protocol}://${request.host}/status`;
  const load = async (request: FastifyRequest) => {
    const snapshot = await board.read();
    const url = baseUrl(request);
    const view = statusView(snapshot, {
      policy: deps.policy.statusPage,
      services,
      url,
      createdAt: board.createdAt,
    });
    return { snapshot, view, url };
  };
  /** Last-Modified from the latest public change; true when the reader's copy is still current (answer 304). */
  const unmodifiedSince = (request: FastifyRequest, reply: FastifyReply, updatedAt: number) => {
    const lastModified = new Date(Math.floor(updatedAt / 1000) * 1000);
    void reply.header('last-modified', lastModified.toUTCString()).header('cache-control', CACHE_CONTROL);
    const since = request.headers['if-modified-since'];
    if (since === undefined || request.headers['if-none-match'] !== undefined) return false;
    const sinceMs = Date.parse(since);
    return !Number.isNaN(sinceMs) && lastModified.getTime() <= sinceMs;
  };
  const json = <T>(render: (view: StatusView) => T) => {
    return async (request: FastifyRequest, reply: FastifyReply) => {
      const { snapshot, view } = await load(request);
      if (unmodifiedSince(request, reply, snapshot.updatedAt)) return reply.code(304).send();
      return reply.send(render(view));
    };
  };
  let rendered: { snapshot: StatusSnapshot; url: string; minute: number; html: string } | undefined;
  const tags = ['status page'];
  const config = { auth: 'public' as const };

  app.get(
    '/status',
    { config, schema: { tags, summary: 'The public status page (HTML, no script needed)' } },
    async (request, reply) => {
      const { snapshot, view, url } = await load(request);
      // Rendered once per snapshot and minute (the page says when an update is overdue), not once per reader.
      const minute = Math.floor(Date.now() / 60_000);
      if (rendered?.snapshot !== snapshot || rendered.url !== url || rendered.minute !== minute) {
        const html = renderStatusPage(view, {
          now: Date.now(),
          readAt: snapshot.readAt,
          historyDays: HISTORY_DAYS,
          feedUrl: `${url}/history.atom`,
          summaryUrl: `${url}/api/v2/summary.json`,
        });
        rendered = { snapshot, url, minute, html };
      }
      const { html } = rendered;
      return reply.header('cache-control', CACHE_CONTROL).type('text/html; charset=utf-8').send(html);
    },
  );
  app.get(
    '/status/api/v2/summary.json',
    {
      config,
      schema: {
        tags,
        summary: 'Components, unresolved incidents and the overall status (Statuspage v2 shape)',
        response: { 200: summarySchema },
      },
    },
    json(summaryDocument),
  );
  app.get(
    '/status/api/v2/status.json',
    { config, schema: { tags, summary: 'The overall status indicator', response: { 200: statusDocumentSchema } } },
    json((view) => ({ page: view.page, status: view.status })),
  );
  app.get(
    '/status/api/v2/components.json',
    { config, schema: { tags, summary: 'Components and their state', response: { 200: componentsDocumentSchema } } },
    json((view) => ({ page: view.page, components: view.components })),
  );
  app.get(
    '/status/api/v2/incidents.json',
    {
      config,
      schema: {
        tags,
        summary: 'The last 50 incidents, unresolved and resolved, with their public updates',
        response: { 200: incidentsDocumentSchema },
      },
    },
    json(incidentsDocument),
  );
  app.get(
    '/status/history.atom',
    { config, schema: { tags, summary: 'Every public update as an Atom feed' } },
    async (request, reply) => {
      const { snapshot, view, url } = await load(request);
      if (unmodifiedSince(request, reply, snapshot.updatedAt)) return reply.code(304).send();
      const atom = await renderAtomFeed(view, { feedUrl: `${url}/history.atom`, updatedAt: snapshot.updatedAt });
      return reply.type('application/atom+xml; charset=utf-8').send(atom);
    },
  );
};
