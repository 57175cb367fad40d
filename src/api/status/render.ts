import { Eta } from 'eta';
import type { PublicIncident } from './public-incident';
import { COMPONENT_STATUS_TEXT, type StatusView } from './statuspage-format';

/** Templates escape every value (autoEscape): incident text is written by people and shown to everyone. */
const eta = new Eta({ views: __dirname, autoEscape: true, cache: true });

/** `2026-12-01 09:40 UTC`: one reading for every visitor, whatever their time zone (the page runs no script). */
export function readableTime(at: number): string {
  return `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function nextUpdate(incident: PublicIncident, now: number): { text: string; overdue: boolean } | null {
  if (incident.nextUpdateAt === null) return null;
  if (incident.nextUpdateAt >= now)
    return { text: `Next update by ${readableTime(incident.nextUpdateAt)}`, overdue: false };
  // Missed: say so plainly and point at the last real update; the page never writes one of its own.
  const last = incident.updates[0];
  return {
    text: `An update was due by ${readableTime(incident.nextUpdateAt)}; the latest is from ${last ? readableTime(last.at) : 'the start'}`,
    overdue: true,
  };
}

export function renderStatusPage(
  view: StatusView,
  options: { now: number; readAt: number; historyDays: number; feedUrl: string; summaryUrl: string },
): string {
  const incident = (item: PublicIncident) => ({
    id: item.id,
    name: item.name,
    components:
      view
        .componentsOf(item)
        .map((c) => c.name)
        .join(', ') || item.service,
    started: readableTime(item.declaredAt),
    resolved: item.resolvedAt === null ? '' : readableTime(item.resolvedAt),
    next: nextUpdate(item, options.now),
    updates: item.updates.map((update) => ({
      phase: update.phase,
      at: readableTime(update.at),
      message: update.message,
    })),
  });
  return eta.render('./page', {
    name: view.page.name,
    indicator: view.status.indicator,
    indicatorText: view.status.description,
    open: view.open.map(incident),
    resolved: view.resolved.map(incident),
    components: view.components.map((c) => ({ ...c, statusText: COMPONENT_STATUS_TEXT[c.status] })),
    historyDays: options.historyDays,
    readAt: readableTime(options.readAt),
    feedUrl: options.feedUrl,
    summaryUrl: options.summaryUrl,
  });
}

/** One Atom entry per public update, newest first (the feed library writes and escapes the XML). */
export async function renderAtomFeed(
  view: StatusView,
  options: { feedUrl: string; updatedAt: number },
): Promise<string> {
  // feed is an ES module; this CommonJS build reaches it through import().
  const { Feed } = await import('feed');
  const feed = new Feed({
    id: view.page.url,
    title: `${view.page.name}: incident history`,
    link: view.page.url,
    updated: new Date(options.updatedAt),
    feedLinks: { atom: options.feedUrl },
    author: { name: view.page.name, link: view.page.url },
    copyright: view.page.name,
    generator: 'incident-response',
  });
  const entries = [...view.open, ...view.resolved].flatMap((incident) =>
    incident.updates.map((update, index) => ({ incident, update, sequence: incident.updates.length - index })),
  );
  entries.sort((a, b) => b.update.at - a.update.at);
  // The library writes titles and content as type="html": escaped here, so readers show the text, never run it.
  const html = (text: string) => String(eta.config.escapeFunction(text)).replaceAll('\n', '<br>');
  for (const { incident, update, sequence } of entries) {
    const phase = update.phase.charAt(0).toUpperCase() + update.phase.slice(1);
    feed.addItem({
      title: html(`${incident.name}: ${phase}`),
      id: `${view.page.url}#incident-${incident.id}-update-${sequence}`,
      link: `${view.page.url}#incident-${incident.id}`,
      date: new Date(update.at),
      published: new Date(update.at),
      content: html(update.message),
    });
  }
  return feed.atom1();
}
