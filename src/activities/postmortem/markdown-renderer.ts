import { publishedUpdates, type IncidentState, type TimelineEntry } from '../../domain/incident';
import { ROLE_TITLES, type Role } from '../../domain/severity';

/**
 * The postmortem document, from the incident state and the runbooks' postmortem template: summary, impact,
 * timeline, root cause, contributing factors, action items with owners and due dates, lessons learned.
 * What the state cannot know is left as a visible TODO for the review. Pure, so it renders the same everywhere.
 */

const TODO = '_TODO_';
const TBD = '_TBD_';
/** GitHub refuses issue bodies over 65,536 characters. */
export const GITHUB_BODY_LIMIT = 65_536;

/** The first line of every postmortem: how a retry recognises the document it already created. */
export function postmortemMarker(incidentId: string): string {
  return `<!-- incident-response:${incidentId} -->`;
}

export function postmortemTitle(incident: IncidentState): string {
  return `Postmortem: ${incident.drill ? '[DRILL] ' : ''}[${incident.severity}] ${oneLine(incident.title)}`;
}

export interface PostmortemOptions {
  /** Long timelines are shortened in the middle to fit; the incident keeps the full one. */
  maxChars?: number;
}

export function postmortemMarkdown(incident: IncidentState, dueAt: number, options: PostmortemOptions = {}): string {
  const maxChars = options.maxChars ?? Infinity;
  let limit = incident.timeline.length;
  let text = render(incident, dueAt, limit);
  while (text.length > maxChars && limit > 0) {
    limit = Math.floor(limit * 0.7);
    text = render(incident, dueAt, limit);
  }
  return text.length > maxChars ? `${text.slice(0, maxChars - 40)}\n\n_(document truncated)_\n` : text;
}

function render(incident: IncidentState, dueAt: number, timelineLimit: number): string {
  return [
    postmortemMarker(incident.id),
    `# ${postmortemTitle(incident)}`,
    '',
    `> Blameless review of incident \`${incident.id}\`${incident.drill ? ' (a drill)' : ''}. ` +
      `Fill in the ${TODO} and ${TBD} parts at the review; due ${iso(dueAt)}.`,
    '',
    ...facts(incident, dueAt),
    '',
    '## Summary',
    '',
    text(incident.summary),
    ...(incident.resolutionSummary ? ['', `**Resolution:** ${text(incident.resolutionSummary)}`] : []),
    '',
    '## Impact',
    '',
    ...impact(incident),
    '',
    '## Timeline',
    '',
    'All times UTC.',
    '',
    ...timeline(incident.id, incident.timeline, timelineLimit),
    '',
    '## Root cause',
    '',
    ...rootCause(incident),
    '',
    '## Contributing factors',
    '',
    ...contributingFactors(incident),
    '',
    '## Mitigations',
    '',
    ...mitigations(incident),
    '',
    '## Action items',
    '',
    ...actionItems(incident, dueAt),
    '',
    '## Lessons learned',
    '',
    '### What went well',
    '',
    `- ${TODO}`,
    '',
    '### What went wrong',
    '',
    `- ${TODO}`,
    '',
    '### Where we got lucky',
    '',
    `- ${TODO}`,
    '',
  ].join('\n');
}

function facts(incident: IncidentState, dueAt: number): string[] {
  const end = incident.resolvedAt ?? incident.closedAt;
  const roles = (Object.entries(incident.roles) as Array<[Role, string]>).map(
    ([role, who]) => [ROLE_TITLES[role], who] as const,
  );
  const rows: Array<readonly [string, string]> = [
    ['Incident', `\`${incident.id}\``],
    ['Severity', incident.severity],
    ['Service', incident.service],
    ['Status', incident.status],
    ['Detected', `${iso(incident.detectedAt)} (${incident.source})`],
    ['Declared', iso(incident.declaredAt)],
    ['Acknowledged', since(incident.acknowledgedAt, incident.declaredAt, 'after declaration')],
    ['Resolved', since(end, incident.detectedAt, 'after detection')],
    ...roles,
    ['Postmortem due', iso(dueAt)],
  ];
  return ['| | |', '|---|---|', ...rows.map(([label, value]) => `| ${label} | ${cell(value)} |`)];
}

function impact(incident: IncidentState): string[] {
  const assessed = incident.statusUpdates.map((u) => `- ${iso(u.at)} (${cell(u.by)}): ${text(u.impact)}`);
  const published = publishedUpdates(incident.publicUpdates).map(
    (u) => `- ${iso(u.at)} ${u.phase}: ${text(u.message)}`,
  );
  return [
    `- **Duration:** ${since(incident.resolvedAt ?? incident.closedAt, incident.detectedAt, 'from detection to resolution')}`,
    `- **Who and what was affected:** ${TODO} (users, requests, regions, SLO budget spent)`,
    ...(assessed.length > 0 ? ['', 'Impact as assessed during the incident:', '', ...assessed] : []),
    ...(published.length > 0 ? ['', 'What the status page told users:', '', ...published] : []),
  ];
}

function timeline(incidentId: string, entries: TimelineEntry[], limit: number): string[] {
  const rows = (list: TimelineEntry[]) =>
    list.map((e) => `| ${iso(e.at)} | ${e.type} | ${cell(e.actor)} | ${cell(e.message)} |`);
  const header = ['| Time | Type | Actor | Event |', '|---|---|---|---|'];
  if (entries.length === 0) return [...header, `| | | | ${TODO}: no timeline was recorded |`];
  if (entries.length <= limit) return [...header, ...rows(entries)];
  const head = Math.ceil(limit / 2);
  const tail = limit - head;
  return [
    ...header,
    ...rows(entries.slice(0, head)),
    `| | | | _${entries.length - limit} entries omitted here; \`incident show ${incidentId}\` has them all_ |`,
    ...rows(tail > 0 ? entries.slice(-tail) : []),
  ];
}

function rootCause(incident: IncidentState): string[] {
  const lastHypothesis = incident.statusUpdates.at(-1)?.hypothesis;
  if (incident.resolutionSummary) return [text(incident.resolutionSummary), '', `${TODO}: confirm at the review.`];
  return [
    `${TODO}: what caused it, and why it happened then.`,
    ...(lastHypothesis ? ['', `Last hypothesis during the incident: ${text(lastHypothesis)}`] : []),
  ];
}

function contributingFactors(incident: IncidentState): string[] {
  const hypotheses = [...new Set(incident.statusUpdates.map((u) => u.hypothesis.trim()).filter((h) => h !== ''))];
  const failedNotifications = incident.timeline.filter((e) => e.type === 'notification-failed').length;
  const failedMitigations = incident.mitigations.filter((m) => m.outcome === 'failed');
  const facts = [
    ...hypotheses.map((h) => `- Hypothesis considered: ${text(h)}`),
    ...(incident.escalation.ackLevel > 0
      ? [`- Acknowledgement escalated ${incident.escalation.ackLevel} time(s) before anyone took the incident.`]
      : []),
    ...(incident.escalation.statusEscalations > 0
      ? [`- Status updates were late ${incident.escalation.statusEscalations} time(s).`]
      : []),
    ...failedMitigations.map((m) => `- Mitigation failed: ${text(m.action)} (${m.kind}).`),
    ...(failedNotifications > 0 ? [`- ${failedNotifications} notification(s) failed to deliver.`] : []),
  ];
  return [...facts, `- ${TODO}: conditions that made this possible or worse (changes, alerts, capacity, process).`];
}

function mitigations(incident: IncidentState): string[] {
  if (incident.mitigations.length === 0) return ['None recorded.'];
  return [
    '| Action | Kind | Started by | Started | Finished | Outcome |',
    '|---|---|---|---|---|---|',
    ...incident.mitigations.map(
      (m) =>
        `| ${cell(m.action)} | ${m.kind} | ${cell(m.startedBy)} | ${iso(m.startedAt)} | ` +
        `${m.finishedAt === undefined ? '' : iso(m.finishedAt)} | ${m.outcome ?? 'in progress'} |`,
    ),
  ];
}

function actionItems(incident: IncidentState, dueAt: number): string[] {
  const due = iso(dueAt).slice(0, 10);
  const commander = incident.roles.commander ?? TBD;
  const items: Array<[string, string]> = [[`Fix the root cause of this incident permanently`, commander]];
  for (const m of incident.mitigations) {
    if (m.outcome === 'succeeded' && m.kind !== 'other') {
      items.push([`Replace the temporary mitigation "${m.action}" (${m.kind}) with a lasting fix`, m.startedBy]);
    }
    if (m.outcome === 'failed') items.push([`Find out why mitigation "${m.action}" failed`, m.startedBy]);
  }
  const unverified = incident.timeline.some((e) => e.type === 'smoke-tests' && e.data?.checks === 0);
  if (unverified) items.push([`Add smoke checks for ${incident.service}: recovery was not verified by checks`, TBD]);
  if (incident.escalation.ackLevel > 0) items.push(['Review paging and on-call acknowledgement', TBD]);
  if (incident.timeline.some((e) => e.type === 'notification-failed')) {
    items.push(['Fix the notification integrations that failed during the incident', TBD]);
  }
  items.push([`Update the runbook for ${incident.service} with what was learned`, TBD]);
  items.push([`${TODO}: an action that prevents recurrence or shortens detection`, TBD]);
  return [
    '| # | Action | Owner | Due | Status |',
    '|---|---|---|---|---|',
    ...items.map(([action, owner], i) => `| ${i + 1} | ${cell(action)} | ${cell(owner)} | ${due} | open |`),
  ];
}

const iso = (at: number) => new Date(at).toISOString();

function since(at: number | null, from: number, what: string): string {
  return at === null ? 'not yet' : `${iso(at)} (${humanDuration(at - from)} ${what})`;
}

/** `1h 30m`, `45s`, `2d 4h`: the two largest units, which is what a reader of a postmortem wants. */
export function humanDuration(milliseconds: number): string {
  const units: Array<[string, number]> = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  let rest = Math.max(0, Math.round(milliseconds / 1000) * 1000);
  const parts: string[] = [];
  for (const [unit, size] of units) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0 || parts.length > 0) parts.push(`${count}${unit}`);
  }
  const kept = parts.slice(0, 2).filter((p, i) => i === 0 || !p.startsWith('0'));
  return kept.length > 0 ? kept.join(' ') : '0s';
}

/** Free text from people, without raw HTML: nothing they write can hide the rest of the document. */
function text(value: string): string {
  return value.replace(/</g, '&lt;');
}

function oneLine(value: string): string {
  return value.replace(/\s*\r?\n\s*/g, ' ');
}

/** A table cell: one line, and a `|` cannot open a new column. */
function cell(value: string): string {
  return text(value).replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}
