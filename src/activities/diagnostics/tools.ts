import path from 'node:path';
import type { RollbackEnvironment } from '../../config/rollback';
import type { DiagnosticsConfig, DiagnosticsTools } from '../../domain/policy/diagnostics';
import type { DiagnosticsLink, DiagnosticsRequest } from '../types';
import { recentChanges, type ChangesSnapshot } from './changes';
import { runCommandDiagnostic, type CommandSnapshot } from './command';
import { dashboardLink, exploreLink } from './grafana';
import { LOKI_WINDOW, topErrorLines, type LokiSnapshot } from './loki';
import { newOrSpikingIssues, type SentrySnapshot } from './sentry';

/** What the team's tools said, as stored in the artifact. */
export interface ToolSections {
  loki: LokiSnapshot | null;
  sentry: SentrySnapshot | null;
  changes: ChangesSnapshot | null;
  command: CommandSnapshot | null;
}

export interface ToolFindings {
  sections: ToolSections;
  /** Summary parts, one per tool that ran. */
  parts: string[];
  links: DiagnosticsLink[];
  /** Tools not configured for this service or in the policy: named once, in one part of the summary. */
  skipped: string[];
}

const MAX_LINKS = 6;

/** Asks each configured tool in parallel; a tool the policy does not connect or the service does not name is skipped. */
export async function askTools(
  config: DiagnosticsConfig,
  tools: DiagnosticsTools,
  request: DiagnosticsRequest,
  env: RollbackEnvironment,
  heartbeat: () => void,
): Promise<ToolFindings> {
  const now = Date.now();
  const timeoutMs = tools.timeout;
  const skipped: string[] = [];
  const ask = <C, T>(name: string, configured: C | undefined, run: (with_: C) => Promise<T>): Promise<T | null> => {
    if (configured === undefined) {
      skipped.push(name);
      return Promise.resolve(null);
    }
    return run(configured).finally(heartbeat);
  };
  const { grafana, loki, sentry } = tools;
  const both = <A, B>(a: A | undefined, b: B | undefined): [A, B] | undefined =>
    a === undefined || b === undefined ? undefined : [a, b];
  const [lokiSection, sentrySection, changes, command] = await Promise.all([
    ask('Loki', both(loki, config.loki), ([tool, { query }]) => topErrorLines(tool, query, now, env, timeoutMs)),
    ask('Sentry', both(sentry, config.sentry), ([tool, { project }]) =>
      newOrSpikingIssues(tool, project, now, env, timeoutMs),
    ),
    ask('change feed', config.changes, (source) =>
      recentChanges(source, { service: request.service, incidentId: request.incidentId }, now, env, timeoutMs),
    ),
    ask('command', config.command, (script) => runCommandDiagnostic(script, request, env)),
  ]);

  const links: DiagnosticsLink[] = [];
  if (grafana && config.grafana)
    links.push({ label: 'dashboard', url: dashboardLink(grafana, config.grafana.dashboardUid) });
  else skipped.unshift('Grafana');
  const explore = grafana && config.loki ? exploreLink(grafana, config.loki.query, LOKI_WINDOW) : null;
  if (explore !== null) links.push({ label: 'logs in Explore', url: explore });
  for (const issue of sentrySection?.issues ?? [])
    links.push({ label: `Sentry ${issue.shortId}`, url: issue.permalink });

  const parts = [
    lokiSection && lokiPart(lokiSection),
    sentrySection && sentryPart(sentrySection),
    changes && changesPart(changes),
    command && commandPart(command),
  ].filter((part): part is string => part !== null);
  return {
    sections: { loki: lokiSection, sentry: sentrySection, changes, command },
    parts,
    links: links.slice(0, MAX_LINKS),
    skipped,
  };
}

function lokiPart(loki: LokiSnapshot): string {
  if (!loki.ok) return `Loki: ${loki.error ?? 'failed'}`;
  const top = loki.top[0];
  if (top === undefined) return `Loki: no error lines in ${LOKI_WINDOW}`;
  return `Loki: ${loki.lines} error lines in ${LOKI_WINDOW}, top ×${top.count} "${clip(top.line, 80)}"`;
}

function sentryPart(sentry: SentrySnapshot): string {
  if (!sentry.ok) return `Sentry: ${sentry.error ?? 'failed'}`;
  const counted = (why: 'new' | 'spiking') => sentry.issues.filter((issue) => issue.why === why).length;
  const first = sentry.issues[0];
  if (first === undefined) return 'Sentry: nothing new or spiking in 1h';
  return `Sentry: ${counted('new')} new, ${counted('spiking')} spiking in 1h, top ${first.shortId} "${clip(first.title, 60)}"`;
}

function changesPart(changes: ChangesSnapshot): string {
  if (!changes.ok) return `changes: ${changes.error ?? 'failed'}`;
  const latest = changes.changes[0];
  if (latest === undefined) return 'changes: none recent';
  const by = latest.by === null ? '' : ` by ${latest.by}`;
  return `changes: ${changes.changes.length}, latest "${clip(latest.title, 60)}"${by} at ${latest.at}`;
}

function commandPart(command: CommandSnapshot): string {
  return `${path.basename(command.argv[0] ?? 'command')}: ${command.error ?? 'exited 0'}`;
}

function clip(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 3)}...` : line;
}
