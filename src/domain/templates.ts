import { publicDueAt, statusDueAt } from './deadlines';
import { formatDuration } from './duration';
import { bridgeUrl } from './policy/war-room';
import type { IncidentState, PublicUpdate, StatusUpdate } from './incident';
import { ROLE_TITLES, type Role } from './severity';

/**
 * Message templates from the runbooks. Each renders to a structured message: providers turn the fields into
 * Block Kit or HTML, and `text` is the plain-text fallback every channel can show.
 */
export type MessageKind =
  | 'declaration'
  | 'status-update'
  | 'status-reminder'
  | 'escalation'
  | 'severity-change'
  | 'mitigation'
  | 'verification'
  | 'stakeholder-notification'
  | 'user-facing-update'
  | 'post-incident-summary'
  | 'note'
  | 'summary';

export interface RenderedMessage {
  kind: MessageKind;
  subject: string;
  text: string;
  fields: Array<{ label: string; value: string }>;
}

const iso = (at: number) => new Date(at).toISOString();
const bridge = (state: IncidentState) => bridgeUrl(state.policy.rules.bridge, state.id);
const nextDue = (at: number | null) => (at === null ? undefined : iso(at));

function headline(state: IncidentState): string {
  const drill = state.drill ? '[DRILL] ' : '';
  return `${drill}[${state.severity}] ${state.title}`;
}

/** The announcement channel's headline: a security incident's title stays with the people handling it. */
export function announcedHeadline(state: IncidentState): string {
  return state.security ? `[${state.severity}] Security incident` : `[${state.severity}] ${state.title}`;
}

function render(kind: MessageKind, subject: string, fields: Array<[string, string | undefined]>, lead?: string) {
  const kept = fields.filter((f): f is [string, string] => f[1] !== undefined && f[1] !== '');
  const lines = [lead, ...kept.map(([label, value]) => `${label}: ${value}`)].filter((l) => l !== undefined);
  return { kind, subject, text: lines.join('\n'), fields: kept.map(([label, value]) => ({ label, value })) };
}

export function declarationMessage(state: IncidentState): RenderedMessage {
  return render(
    'declaration',
    `Incident declared: ${headline(state)}`,
    [
      ['Severity', state.severity],
      // What the severity means (policy severities.<S>.meaning), so everyone reads the classification the same way.
      ['Meaning', state.policy.rules.meaning],
      ['Service', state.service],
      ['Summary', state.summary],
      ['Detected', iso(state.detectedAt)],
      ['Commander', state.roles.commander ?? 'unassigned'],
      ['Bridge', bridge(state)],
      ['Incident', state.id],
    ],
    `${headline(state)} has been declared.`,
  );
}

/** Internal status update: current impact, hypothesis, actions and the next update time. */
export function internalStatusUpdate(state: IncidentState, update: StatusUpdate): RenderedMessage {
  return render('status-update', `Status update: ${headline(state)}`, [
    ['Status', state.status],
    ['Impact', update.impact],
    ['Hypothesis', update.hypothesis],
    ['Actions', update.actions],
    // The real due times from the cadences (a promised "next update" may only bring them forward).
    ['Next update', nextDue(statusDueAt(state) ?? update.nextUpdateAt) ?? 'none scheduled'],
    ['Next status page update', nextDue(publicDueAt(state))],
    ['Posted by', update.by],
  ]);
}

/**
 * Stakeholder update (runbook 002): impact and when to expect the next word, never hypotheses, actions or names.
 * For a security incident only the text marked public (`--public`) goes out; without any there is nothing to send.
 */
export function stakeholderUpdate(state: IncidentState, update: StatusUpdate, publicText?: string): RenderedMessage {
  return render(
    'stakeholder-notification',
    `Update: ${headline(state)}`,
    [
      ['Severity', state.severity],
      ['Service', state.service],
      ['Status', state.status],
      ['Impact', state.security ? publicText : update.impact],
      ['Next update', nextDue(statusDueAt(state))],
    ],
    `An update on the incident affecting ${state.service}.`,
  );
}

/** User-facing status update: plain impact language, never internal hypotheses or notes. */
export function userFacingUpdate(state: IncidentState, phase: PublicUpdate['phase'], message?: string): string {
  const defaults: Record<PublicUpdate['phase'], string> = {
    investigating: `We are investigating an issue affecting ${state.service}. We will post an update soon.`,
    identified: `We have identified the cause of the issue affecting ${state.service} and are working on a fix.`,
    monitoring: `A fix has been applied to ${state.service} and we are monitoring the results.`,
    resolved: `The issue affecting ${state.service} has been resolved. Thank you for your patience.`,
  };
  return message ?? defaults[phase];
}

export function stakeholderNotification(state: IncidentState): RenderedMessage {
  return render(
    'stakeholder-notification',
    `${headline(state)} — incident declared`,
    [
      ['Severity', state.severity],
      ['Service', state.service],
      ['What we know', state.summary],
      ['Incident Commander', state.roles.commander ?? 'being assigned'],
      ['Bridge', bridge(state)],
      ['Next update', cadenceText(state)],
    ],
    `We are responding to an incident affecting ${state.service}.`,
  );
}

export function statusReminder(state: IncidentState, dueAt: number): RenderedMessage {
  return render(
    'status-reminder',
    `Status update due: ${headline(state)}`,
    [
      ['Due', iso(dueAt)],
      ['Owner', state.roles.comms ?? state.roles.commander ?? 'unassigned'],
    ],
    'A status update is due: post current impact, hypothesis and the next update time.',
  );
}

/** The status page is owed an update before the internal cadence asks for one (runbook 003's 5-minute SEV-1 page). */
export function publicUpdateReminder(state: IncidentState, dueAt: number): RenderedMessage {
  return render(
    'status-reminder',
    `Status page update due: ${headline(state)}`,
    [
      ['Due', iso(dueAt)],
      ['Owner', state.roles.comms ?? state.roles.commander ?? 'unassigned'],
    ],
    'A public status page update is due: post an update with user-facing text (`--public`).',
  );
}

export function escalationMessage(
  state: IncidentState,
  reason: string,
  target: string,
  level?: number,
): RenderedMessage {
  return render(
    'escalation',
    `Escalation (${reason}): ${headline(state)}`,
    [
      ['Reason', reason],
      ['Paged', target],
      ['Level', level === undefined ? undefined : String(level)],
      ['Status', state.status],
    ],
    `Escalating ${headline(state)} to ${target}.`,
  );
}

export function plainMessage(state: IncidentState, kind: MessageKind, lead: string): RenderedMessage {
  return render(kind, `${headline(state)}: ${lead}`, [['Status', state.status]], lead);
}

/** Post-incident summary: impact, root cause, actions, duration, follow-ups. */
export function postIncidentSummary(state: IncidentState): RenderedMessage {
  const end = state.resolvedAt ?? state.closedAt ?? state.declaredAt;
  const lastUpdate = state.statusUpdates.at(-1);
  const actions = state.mitigations.map((m) => `${m.action} (${m.kind}, ${m.outcome ?? 'in progress'})`).join('; ');
  const roles = (Object.entries(state.roles) as Array<[Role, string]>).map(([r, u]) => `${ROLE_TITLES[r]}: ${u}`);
  return render(
    'post-incident-summary',
    `Resolved: ${headline(state)}`,
    [
      ['Impact', lastUpdate?.impact ?? state.summary],
      // A hypothesis is not a root cause: this summary goes to stakeholders, so it says only what the resolver wrote.
      ['Root cause', state.resolutionSummary ?? 'to be determined in the postmortem'],
      ['Actions', actions || 'none recorded'],
      ['Duration', formatDuration(end - state.detectedAt)],
      ['Roles', roles.join(', ') || undefined],
      [
        'Follow-ups',
        state.policy.rules.postmortem?.required
          ? `postmortem due ${iso(end + state.policy.rules.postmortem.due)}`
          : 'postmortem optional',
      ],
    ],
    `${headline(state)} is resolved.`,
  );
}

function cadenceText(state: IncidentState): string {
  const cadence = state.policy.rules.statusUpdates;
  return cadence ? `every ${formatDuration(cadence.every)}` : 'at resolution';
}

/** The channel topic: what someone joining needs at a glance. */
export function channelTopic(state: IncidentState): string {
  const commander = state.roles.commander ?? 'no commander yet';
  return `${state.drill ? 'DRILL · ' : ''}${state.severity} · ${state.status} · IC: ${commander} · ${state.service}`;
}

/** The pinned summary, edited in place as the incident moves. */
export function incidentSummary(state: IncidentState): RenderedMessage {
  const roles = (Object.entries(state.roles) as Array<[Role, string]>).map(([r, u]) => `${ROLE_TITLES[r]}: ${u}`);
  const lastUpdate = state.statusUpdates.at(-1);
  const openMitigation = state.mitigations.filter((m) => !m.outcome).map((m) => `${m.id} ${m.action}`);
  return render('summary', `Summary: ${headline(state)}`, [
    ['Status', state.status],
    ['Severity', state.severity],
    ['Service', state.service],
    ['Roles', roles.join(', ') || 'unassigned'],
    ['Bridge', bridge(state)],
    ['Impact', lastUpdate?.impact ?? state.summary],
    ['Mitigations in progress', openMitigation.join('; ') || undefined],
    ['Declared', iso(state.declaredAt)],
    ['Resolved', state.resolvedAt === null ? undefined : iso(state.resolvedAt)],
  ]);
}
