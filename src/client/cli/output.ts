import type { OutboxRecord } from '../../activities/outbox/store';
import { alertNames, firingAlerts, type AlertsState } from '../../domain/alerts';
import type { Deadline } from '../../domain/deadlines';
import type { TimelineEntry } from '../../domain/incident';
import { ROLES } from '../../domain/severity';
import type { CommandResult, IncidentView } from '../../workflows/definitions';
import type { IncidentSummary } from '../service';

/**
 * Human output, written for someone paged at 3 a.m.: what it is, what state it is in, who has it, and what
 * happens next and when. Times are local wall-clock; `--json` has the exact ISO times.
 */

const pad = (n: number) => String(n).padStart(2, '0');

export function clock(at: number): string {
  const d = new Date(at);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

function day(at: number): string {
  const d = new Date(at);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** A span a person can take in at a glance: `45s`, `4m`, `2h 5m`, `3d 4h`. */
export function span(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 90) return `${s}s`;
  const m = Math.round(s / 60);
  if (m < 90) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

export function relative(at: number, now: number): string {
  const delta = at - now;
  if (Math.abs(delta) < 1000) return 'now';
  return delta > 0 ? `in ${span(delta)}` : `${span(delta)} ago`;
}

export function describeDeadline(deadline: Deadline): string {
  switch (deadline.kind) {
    case 'ack-escalation':
      return `not acknowledged: page ${deadline.target} (level ${deadline.level})`;
    case 'status-reminder':
      return 'status update due (incident update)';
    case 'status-escalation':
      return `no status update: escalate to ${deadline.target}`;
    case 'public-reminder':
      return 'status page update due (public cadence)';
    case 'public-escalation':
      return `no status page update: escalate to ${deadline.target}`;
    case 'unresolved-escalation':
      return `still unresolved: escalate to ${deadline.target}`;
    case 'deferred-page':
      return 'page on-call (held until business hours)';
    case 'commander-reminder':
      return 'nobody has taken command: remind the on-call';
  }
}

export function headline(view: Pick<IncidentView, 'id' | 'severity' | 'status' | 'drill' | 'security'>): string {
  const flags = [view.drill ? 'DRILL' : '', view.security ? 'SECURITY' : ''].filter((f) => f !== '');
  return [view.id, view.severity, view.status.toUpperCase(), ...flags].join(' · ');
}

/** The one line every command prints after it: where the incident stands and what happens next. */
export function statusLine(result: CommandResult, now = Date.now()): string {
  const { next } = result;
  const upcoming = next ? ` · next ${relative(next.at, now)}: ${describeDeadline(next)}` : '';
  return `${headline({ ...result, id: result.incidentId })}${upcoming}`;
}

function roleList(view: IncidentView): string {
  const assigned = ROLES.filter((role) => view.roles[role] !== undefined).map((role) => `${role} ${view.roles[role]}`);
  return assigned.length > 0
    ? assigned.join(' · ')
    : 'none assigned (incident assign ID --role commander --user U --by U)';
}

export function formatShow(view: IncidentView, now = Date.now(), recent = 8): string {
  const lines = [headline(view), view.title];
  const facts = [`service ${view.service}`, `declared ${clock(view.declaredAt)} (${relative(view.declaredAt, now)})`];
  if (view.acknowledgedAt !== null) facts.push(`acknowledged ${clock(view.acknowledgedAt)}`);
  if (view.resolvedAt !== null) facts.push(`resolved ${clock(view.resolvedAt)}`);
  if (view.closedAt !== null) facts.push(`closed ${clock(view.closedAt)}`);
  lines.push(facts.join(' · '));
  if (view.summary) lines.push(view.summary);
  lines.push('', `roles:     ${roleList(view)}`);
  if (view.chatChannel) lines.push(`channel:   ${view.chatChannel}`);
  const last = view.statusUpdates.at(-1);
  if (last) lines.push(`last update ${relative(last.at, now)} by ${last.by}: ${last.impact}`);
  for (const m of view.mitigations) {
    const state = m.outcome ?? `running since ${clock(m.startedAt)}`;
    lines.push(`mitigation ${m.id} (${m.kind}, ${state}): ${m.action}`);
  }
  if (view.alerts && view.alerts.tracked.length > 0) lines.push(`alerts:    ${alertsLine(view.alerts, now)}`);
  if (view.dataLoss) {
    const { confirmedBy, confirmedAt } = view.dataLoss;
    const confirmed =
      confirmedBy === null ? 'NOT confirmed (closes after confirm-integrity)' : `confirmed by ${confirmedBy}`;
    lines.push(`integrity: ${confirmed}${confirmedAt === null ? '' : ` at ${clock(confirmedAt)}`}`);
  }
  for (const item of view.checklist ?? []) {
    lines.push(
      `[${item.doneAt === undefined ? ' ' : 'x'}] ${item.id}: ${item.text}${item.doneBy ? ` (${item.doneBy})` : ''}`,
    );
  }
  if (view.verifying) lines.push('verifying: smoke tests running');
  if (view.deadlines.length > 0) {
    lines.push('', 'next:');
    for (const d of view.deadlines)
      lines.push(`  ${relative(d.at, now).padEnd(10)} ${clock(d.at)}  ${describeDeadline(d)}`);
  }
  // Deliveries crowd out the story at a glance; failed deliveries stay, and `timeline` has everything.
  const shown = view.timeline.filter((e) => e.type !== 'notification-sent').slice(-recent);
  const more =
    view.timeline.length > shown.length ? ` (all ${view.timeline.length} events: incident timeline ${view.id})` : '';
  lines.push('', `recent${more}:`, ...formatTimeline(shown, now).map((line) => `  ${line}`));
  return lines.join('\n');
}

/** Where the incident's alerts stand: what still fires, or when the last one resolved. */
export function alertsLine(alerts: AlertsState, now = Date.now()): string {
  const firing = firingAlerts(alerts);
  const resolved = alerts.tracked.length - firing.length;
  const dropped = alerts.dropped > 0 ? ` (${alerts.dropped} more not tracked)` : '';
  if (firing.length > 0) return `${firing.length} firing (${alertNames(firing)}), ${resolved} resolved${dropped}`;
  const when =
    alerts.allResolvedAt === null ? '' : ` at ${clock(alerts.allResolvedAt)} (${relative(alerts.allResolvedAt, now)})`;
  return `all ${alerts.tracked.length} resolved${when}${dropped}`;
}

/** `HH:MM:SS  type  actor  message`, with a date line wherever the day changes (if it is not all today). */
export function formatTimeline(entries: readonly TimelineEntry[], now = Date.now()): string[] {
  const typeWidth = Math.max(0, ...entries.map((e) => e.type.length));
  const actorWidth = Math.min(24, Math.max(0, ...entries.map((e) => e.actor.length)));
  const allToday = entries.every((e) => day(e.at) === day(now));
  const lines: string[] = [];
  let currentDay = '';
  for (const entry of entries) {
    if (!allToday && day(entry.at) !== currentDay) {
      currentDay = day(entry.at);
      lines.push(`-- ${currentDay} --`);
    }
    lines.push(
      `${clock(entry.at)}  ${entry.type.padEnd(typeWidth)}  ${entry.actor.padEnd(actorWidth)}  ${entry.message}`,
    );
  }
  return lines;
}

function table(rows: string[][]): string[] {
  const widths = rows.reduce<number[]>((w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length)), []);
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

export function formatList(rows: readonly IncidentSummary[], now = Date.now()): string {
  if (rows.length === 0) return 'no incidents match';
  const header = ['ID', 'SEV', 'STATUS', 'SERVICE', 'DECLARED', 'TITLE'];
  return table([
    header,
    ...rows.map((r) => [
      r.id,
      r.severity,
      r.execution === 'RUNNING' || r.execution === 'COMPLETED'
        ? r.status
        : `${r.status} (${r.execution.toLowerCase()})`,
      r.service,
      r.declaredAt ? relative(Date.parse(r.declaredAt), now) : '',
      r.title,
    ]),
  ]).join('\n');
}

function outboxSummary(record: OutboxRecord): string {
  const p = record.payload;
  const text = (key: string) => (typeof p[key] === 'string' || typeof p[key] === 'number' ? String(p[key]) : '');
  const firstLine = (value: string) => value.split('\n')[0] ?? '';
  switch (record.channel) {
    case 'chat':
      return text('action') === 'open-channel'
        ? `open #${text('channel')}`
        : `#${text('channel').replace(/^#/, '')}: ${firstLine(text('text'))}`;
    case 'email':
      return `to ${Array.isArray(p.to) ? p.to.join(', ') : text('to')}: ${text('subject')}`;
    case 'pager':
      return `${text('action')} ${text('target')} (${text('reason')}, level ${text('level')})`;
    case 'status-page':
      return `${text('phase')}: ${firstLine(text('message'))}`;
  }
}

export function formatOutbox(records: readonly OutboxRecord[]): string {
  if (records.length === 0) return 'outbox is empty';
  return table(
    records.map((r) => [
      clock(Date.parse(r.at)),
      r.channel,
      r.incidentId,
      `${r.drill ? '[drill] ' : ''}${outboxSummary(r)}`,
    ]),
  ).join('\n');
}
