import type { IncidentActivities } from '../../activities';
import type { MessageContent } from '../../activities/types';
import { escalationWait, type Deadline } from '../../domain/deadlines';
import { formatDuration } from '../../domain/duration';
import type { IncidentState, PageReason } from '../../domain/incident';
import type { Declaration } from '../../domain/inputs';

/**
 * What the Temporal Web UI shows of an incident (user metadata): a summary and details fixed at start, details the
 * workflow keeps current, and a line on each activity and timer saying what it is for. Summaries are stored in
 * history with every command, so they stay short; none carries a status update's impact or hypothesis.
 */

/** Summaries are one line in history and in the UI's event list: longer ones are cut. */
export const SUMMARY_MAX = 100;

/** Cuts to `max` code points (never half a surrogate pair), marking the cut with an ellipsis. */
export function clip(text: string, max = SUMMARY_MAX): string {
  const characters = Array.from(text);
  return characters.length <= max ? text : `${characters.slice(0, max - 1).join('')}…`;
}

/** People's text, shown as text: Markdown that would turn it into a link, an image or HTML is escaped. */
export function markdownText(text: string): string {
  return text.replace(/[\\`*_[\]<>|~#!]/g, (character) => `\\${character}`);
}

/** One paragraph a line: the Web UI's Markdown renders neither lists nor single line breaks. */
function paragraphs(lines: string[]): string {
  return lines.join('\n\n');
}

type Headline = Pick<Declaration, 'severity' | 'service' | 'title' | 'drill' | 'security'>;

function tags({ drill, security }: Pick<Headline, 'drill' | 'security'>): string {
  return `${drill ? '[DRILL] ' : ''}${security ? '[SECURITY] ' : ''}`;
}

/** The workflow's static summary: `SEV-1 · checkout · Checkout is down`. */
export function incidentStaticSummary(declaration: Headline): string {
  const { severity, service, title } = declaration;
  return clip(`${tags(declaration)}${severity} · ${service} · ${markdownText(title)}`);
}

/** The workflow's static details: what was declared. A security incident's summary stays out of the UI. */
export function incidentStaticDetails(declaration: Declaration): string {
  const lines = [
    `**Incident:** ${declaration.id}: ${markdownText(clip(declaration.title, 200))}`,
    `**Severity:** ${declaration.severity}${declaration.drill ? ' (drill)' : ''} · **Service:** ${declaration.service}`,
    `**Declared by:** ${markdownText(declaration.declaredBy)} via ${declaration.source}`,
  ];
  if (declaration.commander) lines.push(`**Incident Commander:** ${markdownText(declaration.commander)}`);
  if (declaration.detectedAt) lines.push(`**Detected:** ${declaration.detectedAt}`);
  if (declaration.security) lines.push('**Security incident:** details are in the private channel');
  else if (declaration.summary) lines.push(markdownText(clip(declaration.summary, 500)));
  return paragraphs(lines);
}

/** What happens when a deadline passes: `SEV-1 ack window (5m) → page secondary-oncall`. */
export function deadlinePurpose(state: IncidentState, deadline: Deadline): string {
  const { rules } = state.policy;
  switch (deadline.kind) {
    case 'ack-escalation': {
      const wait = escalationWait(rules, deadline.level - 1);
      const window = wait === undefined ? '' : ` (${formatDuration(wait)})`;
      return `${state.severity} ack window${window} → page ${deadline.target}`;
    }
    case 'status-reminder':
      return `status update due → remind ${state.roles.comms ?? state.roles.commander ?? 'the channel'}`;
    case 'status-escalation':
      return `status update overdue → page ${deadline.target}`;
    case 'public-reminder':
      return `status page update due → remind ${state.roles.comms ?? state.roles.commander ?? 'the channel'}`;
    case 'public-escalation':
      return `status page update overdue → page ${deadline.target}`;
    case 'unresolved-escalation': {
      const after = rules.unresolved ? ` after ${formatDuration(rules.unresolved.after)}` : '';
      return `unresolved${after} → page ${deadline.target}`;
    }
    case 'deferred-page':
      return 'business hours begin → page primary-oncall';
    case 'commander-reminder':
      return 'no Incident Commander → remind the on-call, then escalate';
  }
}

/** The deadline timer's summary: `deadline: SEV-1 ack window (5m) → page secondary-oncall`. */
export function timerSummary(state: IncidentState, deadline: Deadline): string {
  return clip(`deadline: ${markdownText(deadlinePurpose(state, deadline))}`);
}

/** A page's summary: `page secondary-oncall: not acknowledged in 5m`. */
export function pageSummary(
  state: IncidentState,
  action: 'trigger' | 'acknowledge' | 'resolve',
  target: string,
  reason: PageReason,
  level: number,
): string {
  if (action !== 'trigger') return clip(`${action} the page to ${target}`);
  const { rules } = state.policy;
  const why: Record<PageReason, () => string> = {
    declared: () => `${state.severity} declared`,
    'ack-timeout': () => {
      const wait = escalationWait(rules, level - 1);
      return wait === undefined ? 'not acknowledged' : `not acknowledged in ${formatDuration(wait)}`;
    },
    'no-status-update': () => 'status update overdue',
    unresolved: () => (rules.unresolved ? `unresolved after ${formatDuration(rules.unresolved.after)}` : 'unresolved'),
    'no-commander': () => 'nobody has taken command',
    manual: () => 'paged on demand',
  };
  return clip(`page ${target}: ${why[reason]()}`);
}

/** The incident channel as people know it (the provider's id, such as Slack's, means nothing to a reader). */
export function channelLabel(state: Pick<IncidentState, 'id'>): string {
  return `#inc-${state.id}`;
}

/** To the minute: the UI's details pane is a few lines high, and people read the clock in minutes. */
function utc(at: number): string {
  return `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function nextDeadline(state: IncidentState, next: Deadline | undefined): string {
  if (state.status === 'closed') return 'none: closed';
  if (next === undefined) return 'none';
  return `${utc(next.at)}: ${markdownText(deadlinePurpose(state, next))}`;
}

function lastPublicUpdate(state: IncidentState): string {
  if (state.security) return 'none: security incidents are never published';
  if (state.drill) return 'none: drills are never published';
  const last = state.publicUpdates.at(-1);
  if (last === undefined)
    return state.policy.rules.statusPage ? 'none yet' : `none: ${state.severity} has no status page`;
  return `${utc(last.at)} (${last.phase}): ${markdownText(clip(last.message, 200))}`;
}

/**
 * The workflow's current details, as Markdown: status, Incident Commander, the next deadline and the last public
 * update. Rendered only from what the status page already shows, never from internal status updates.
 */
export function incidentCurrentDetails(state: IncidentState, next: Deadline | undefined): string {
  const commander = state.roles.commander === undefined ? 'unassigned' : markdownText(state.roles.commander);
  return paragraphs([
    // Status and IC share a line: the UI's details pane is a few lines high, and the public update needs two.
    `**Status:** ${state.status} · ${state.severity}${state.drill ? ' (drill)' : ''} · ${state.service} · **IC:** ${commander}`,
    `**Next deadline:** ${nextDeadline(state, next)}`,
    `**Last public update:** ${lastPublicUpdate(state)}`,
  ]);
}

type Purposes = {
  [K in keyof IncidentActivities]: (...args: Parameters<IncidentActivities[K]>) => string;
};

const kindLabel = (kind: string) => kind.replace(/-/g, ' ');
/** A message the workflow rendered names its kind; one the activity renders, its template. */
const contentLabel = (r: MessageContent) => kindLabel(r.template ?? r.message.kind);

/**
 * What each activity is for, read from its request: the summary the Web UI shows beside it unless the caller
 * knows more (a page knows how long the ack window was). Requests carry no status update text, so none leaks here.
 */
const ACTIVITY_PURPOSES: Purposes = {
  resolveIncidentPolicy: (severity) => `read the ${severity} policy`,
  acceptDeclaration: () => 'check the declaration, read its policy',
  openIncidentChannel: (r) =>
    `open ${r.security ? 'private ' : ''}channel ${channelLabel({ id: r.incidentId })}${r.declaration ? ', pin the declaration' : ''}`,
  postToChat: (r) => {
    const mention = r.mention && r.mention.length > 0 ? `, mention ${r.mention.join(', ')}` : '';
    return `${r.pin ? 'post and pin' : 'post'} ${contentLabel(r)} to ${r.channel && r.channel.startsWith('#') ? r.channel : channelLabel({ id: r.incidentId })}${mention}`;
  },
  updateChatSummary: (r) => `refresh pinned summary and topic in ${channelLabel({ id: r.incidentId })}`,
  archiveChannel: (r) => `archive ${channelLabel({ id: r.incidentId })}`,
  sendEmail: (r) => `email ${contentLabel(r)} to ${r.audience.join(', ')}`,
  renderPublicUpdate: (facts) =>
    `render the status page update (${facts.phase ?? 'update'}) from the user-facing template`,
  publishStatusPage: (r) => `publish status page: ${r.phase}`,
  page: (r) => `${r.action === 'trigger' ? 'page' : `${r.action} the page to`} ${r.target}: ${kindLabel(r.reason)}`,
  runSmokeTests: (r) => `run smoke tests for ${r.service}`,
  runRollback: (r) => `roll back mitigation ${r.mitigationId} on ${r.service}`,
  listPageTargets: () => 'list the policy’s page targets',
  planAction: (r) => `look up action ${r.action} of ${r.service}`,
  runAction: (r) => `run ${r.action} on ${r.service} for mitigation ${r.mitigationId}`,
  collectDiagnostics: (r) => `collect diagnostics for ${r.service}`,
  annotateDashboard: (r) => `mark ${r.event} on the ${r.service} dashboard`,
  createPostmortem: () => 'draft the postmortem',
  archiveIncident: () => 'archive the closed incident',
  startPostmortem: (r) => `draft the postmortem and start its workflow, owned by ${r.owner}`,
  sendReviewInvitation: (r) => `invite ${r.attendees.join(', ')} to the post-incident review`,
  fileActionItem: (r) => `file action item ${r.itemId} as a ticket`,
  closedTickets: (r) => `check ${r.numbers.length} action item tickets`,
  planDrill: (name) => `read drill ${name} from the policy`,
  floodAlerts: (r) => `send ${r.alerts} synthetic alerts through the alert intake`,
  reportDrill: (r) => `write the drill report on incident ${r.incidentId}`,
  endDrillIncident: (r) => `end drill incident ${r.incidentId}`,
};

export type ActivityName = keyof IncidentActivities;

export function isActivityName(name: string): name is ActivityName {
  return Object.hasOwn(ACTIVITY_PURPOSES, name);
}

/** An activity's summary from its name and arguments. */
export function activitySummary(name: ActivityName, args: readonly unknown[]): string {
  const purpose = ACTIVITY_PURPOSES[name] as (...args: readonly unknown[]) => string;
  return clip(purpose(...args));
}
