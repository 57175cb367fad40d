import { z } from 'zod';
import type { RollbackEnvironment } from '../../config/rollback';
import type { DiagnosticsTools } from '../../domain/policy/diagnostics';
import { joinUrl, requestTool } from './tool-request';

export type SentryTool = NonNullable<DiagnosticsTools['sentry']>;

const HOUR_MS = 3_600_000;
const MAX_ISSUES = 5;
/** Spiking: the last hour has at least this many events and this many times the hourly mean of the day before. */
const SPIKE_MIN_EVENTS = 10;
const SPIKE_FACTOR = 3;

export interface SentryIssue {
  shortId: string;
  title: string;
  permalink: string;
  firstSeen: string;
  lastHour: number;
  why: 'new' | 'spiking';
}

export interface SentrySnapshot {
  project: string;
  ok: boolean;
  issues: SentryIssue[];
  error: string | null;
}

/** The fields of Sentry's issue (group) objects used here; the API sends many more. */
const issuesSchema = z.array(
  z.object({
    shortId: z.string(),
    title: z.string(),
    permalink: z.string(),
    firstSeen: z.string(),
    stats: z.object({ '24h': z.array(z.tuple([z.number(), z.number()])) }).partial(),
  }),
);

/**
 * Issues first seen or spiking in the last hour for the service's project: Sentry's project issues endpoint, unresolved
 * issues seen in the last hour with their hourly counts over the last day (`statsPeriod=24h`).
 */
export async function newOrSpikingIssues(
  sentry: SentryTool,
  project: string,
  now: number,
  env: RollbackEnvironment,
  timeoutMs: number,
): Promise<SentrySnapshot> {
  const url = joinUrl(sentry.url, `api/0/projects/${sentry.organization}/${project}/issues/`);
  url.searchParams.set('query', 'is:unresolved lastSeen:-1h');
  url.searchParams.set('statsPeriod', '24h');
  const answer = await requestTool(url.toString(), { headers: sentry.headers, timeoutMs }, env);
  if (!answer.ok) return { project, ok: false, issues: [], error: answer.error };
  const parsed = issuesSchema.safeParse(answer.json);
  if (!parsed.success) return { project, ok: false, issues: [], error: 'the answer is not a list of issues' };
  const issues = parsed.data.flatMap((issue): SentryIssue[] => {
    const hours = issue.stats['24h'] ?? [];
    const lastHour = hours.at(-1)?.[1] ?? 0;
    const before = hours.slice(0, -1);
    const mean = before.length === 0 ? 0 : before.reduce((sum, [, count]) => sum + count, 0) / before.length;
    const base = { shortId: issue.shortId, title: issue.title, permalink: issue.permalink, firstSeen: issue.firstSeen };
    if (Date.parse(issue.firstSeen) >= now - HOUR_MS) return [{ ...base, lastHour, why: 'new' }];
    if (lastHour >= SPIKE_MIN_EVENTS && lastHour >= SPIKE_FACTOR * mean) return [{ ...base, lastHour, why: 'spiking' }];
    return [];
  });
  issues.sort((a, b) => b.lastHour - a.lastHour);
  return { project, ok: true, issues: issues.slice(0, MAX_ISSUES), error: null };
}
