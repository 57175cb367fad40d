import type { RollbackEnvironment } from '../../config/rollback';
import { fillTemplate } from '../../domain/policy/actions';
import type { ChangesSource } from '../../domain/policy/diagnostics';
import { readJsonPath } from '../verification/smoke-tests';
import { requestTool } from './tool-request';

const MAX_CHANGES = 10;

export interface Change {
  at: string;
  title: string;
  by: string | null;
  link: string | null;
}

export interface ChangesSnapshot {
  url: string;
  ok: boolean;
  changes: Change[];
  error: string | null;
}

/**
 * Recent deploys and feature-flag changes from the feed the policy names, newest first: entries without a readable
 * time or title are left out rather than guessed at.
 */
export async function recentChanges(
  source: ChangesSource,
  fields: { service: string; incidentId: string },
  now: number,
  env: RollbackEnvironment,
  timeoutMs: number,
): Promise<ChangesSnapshot> {
  const url = fillTemplate(source.url, fields).text;
  const shown = new URL(url);
  shown.username = '';
  shown.password = '';
  const base = { url: shown.toString() };
  const answer = await requestTool(url, { headers: source.headers, timeoutMs }, env);
  if (!answer.ok) return { ...base, ok: false, changes: [], error: answer.error };
  const list = source.items === undefined ? answer.json : readJsonPath(answer.json, source.items).value;
  if (!Array.isArray(list)) {
    const where = source.items === undefined ? 'the answer' : source.items;
    return { ...base, ok: false, changes: [], error: `${where} is not a list` };
  }
  const text = (entry: unknown, path: string) => {
    const { value } = readJsonPath(entry, path);
    return typeof value === 'string' || typeof value === 'number' ? String(value) : null;
  };
  const changes = list
    .map((entry: unknown) => ({
      at: text(entry, source.fields.at),
      title: text(entry, source.fields.title),
      by: text(entry, source.fields.by),
      link: text(entry, source.fields.link),
    }))
    .filter((change): change is Change => change.at !== null && change.title !== null)
    .map((change) => ({ ...change, time: Date.parse(change.at) }))
    .filter((change) => Number.isFinite(change.time) && change.time >= now - source.since && change.time <= now)
    .sort((a, b) => b.time - a.time)
    .slice(0, MAX_CHANGES)
    .map(({ time: _time, ...change }) => ({ ...change, at: new Date(_time).toISOString() }));
  return { ...base, ok: true, changes, error: null };
}
