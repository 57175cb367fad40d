import { actionItemDoneButton, incidentActionsBlock } from '../../activities/chat/slack/actions';
import { escapeMrkdwn } from '../../activities/chat/slack/blocks';
import { IncidentClientError, IncidentClientErrorType } from '../../client/errors';
import { sagaLines } from '../../client/views';
import type { Deadline } from '../../domain/deadlines';
import { ROLE_TITLES, type Role } from '../../domain/severity';
import type { CommandResult, DeclarationResult, IncidentView } from '../../workflows/definitions';
import type { ActionItem } from '../../workflows/postmortem/definitions';
import type { SlackActor } from './actors';
import type { SlackReply } from './respond';

/** What people read in Slack: outcomes, refusals with their reason, an incident's state, and help. */

export const HELP_TEXT = [
  '*/incident* drives incidents from Slack:',
  '• `/incident declare SEV-2 Checkout returns 500s`: declare (without arguments, a form opens)',
  '• `/incident ack <id>`: acknowledge the page (stops the escalation ladder)',
  '• `/incident update <id>`: post a status update (a form opens)',
  '• `/incident status <id>`: the incident as it stands, only for you',
  '• `/incident actions <id>`: the postmortem’s action items, each open one with a Mark done button',
  '• `/incident help`: this message',
  'The declaration message and the pinned summary in an incident channel carry Acknowledge, Take command, Post update, Run diagnostics, Run action (a named action of the service, from the policy), Rollback, Page (a target of the policy, with a reason) and Resolve (verified; or unverified by the Incident Commander, saying why).',
].join('\n');

const DEADLINE_NAMES: Record<Deadline['kind'], string> = {
  'ack-escalation': 'escalation if not acknowledged',
  'status-reminder': 'status update due',
  'status-escalation': 'escalation for a missed status update',
  'public-reminder': 'status page update due',
  'public-escalation': 'escalation for a missed status page update',
  'unresolved-escalation': 'escalation if still unresolved',
  'deferred-page': 'page held for business hours',
  'commander-reminder': 'reminder to take command',
};

/** Slack shows `<!date^…>` in each reader's own time zone; the fallback is UTC. */
function when(at: number): string {
  const seconds = Math.floor(at / 1000);
  return `<!date^${seconds}^{date_short_pretty} {time}|${new Date(at).toISOString()}>`;
}

function nextLine(next: Deadline | null): string {
  return next ? `Next: ${DEADLINE_NAMES[next.kind]} ${when(next.at)}.` : 'No deadline pending.';
}

/** How a person's name is shown: escaped, unless it is already a Slack mention. */
export function shown(actor: SlackActor): string {
  return /^<@[UW][A-Z0-9]+>$/.test(actor.name) ? actor.name : escapeMrkdwn(actor.name);
}

export function declared(result: DeclarationResult, actor: SlackActor): SlackReply {
  const text =
    `:rotating_light: ${shown(actor)} declared *${escapeMrkdwn(result.title)}* (${result.severity}` +
    `${result.drill ? ', drill' : ''}): incident \`${result.incidentId}\`. ${nextLine(result.next)}`;
  return { text, responseType: 'in_channel', blocks: [section(text), incidentActionsBlock(result.incidentId)] };
}

/** A command that went through: what it did, by whom (by name), where the incident stands and what comes next. */
export function done(what: string, result: CommandResult, actor: SlackActor): SlackReply {
  return {
    text: `:white_check_mark: ${what} \`${result.incidentId}\` as ${shown(actor)}. Status: ${result.status}. ${nextLine(result.next)}`,
  };
}

/** Diagnostics taken: the outcome line and the summary (its links and artifact are in the incident's channel). */
export function diagnosed(result: CommandResult, actor: SlackActor): SlackReply {
  const summary = result.added.find((entry) => entry.type === 'diagnostics')?.message;
  const reply = done('Ran the diagnostics of', result, actor);
  return summary === undefined ? reply : { text: `${reply.text}\n${escapeMrkdwn(summary)}` };
}

/** An action that ran (Run action, Rollback): the outcome line, then each step of its saga as the timeline has it. */
export function ran(what: string, result: CommandResult, actor: SlackActor): SlackReply {
  const reply = done(what, result, actor);
  return { text: [reply.text, ...sagaLines(result).map(escapeMrkdwn)].join('\n') };
}

/** Run action on a service whose policy names no action: nothing to choose from, and where to name some. */
export function noActions(incidentId: string, service: string): SlackReply {
  return {
    text:
      `:no_entry: Could not run an action on \`${incidentId}\`: service ${escapeMrkdwn(service)} has no named actions in the ` +
      `policy (services.${escapeMrkdwn(service)}.actions, or its rollback).`,
  };
}

/** A refusal with its reason: the workflow's own message (illegal transition, closed, verification failed, …). */
export function refused(what: string, incidentId: string | undefined, error: unknown): SlackReply {
  const about = incidentId === undefined ? '' : ` \`${incidentId}\``;
  if (!(error instanceof IncidentClientError) || error.type === IncidentClientErrorType.Internal) {
    return { text: `:x: Could not ${what}${about}: something went wrong on our side. Try again, or use the CLI.` };
  }
  const reason = error.reason ? ` (${error.reason})` : '';
  return { text: `:no_entry: Could not ${what}${about}${reason}: ${escapeMrkdwn(error.message)}` };
}

export function usage(problem: string): SlackReply {
  return { text: `${problem}\n\n${HELP_TEXT}` };
}

export function working(what: string): SlackReply {
  return { text: `:hourglass_flowing_sand: ${what}…` };
}

/** `/incident status`: the state query, for the person who asked, with the buttons to act on it. */
export function status(view: IncidentView): SlackReply {
  const roles = (Object.entries(view.roles) as Array<[Role, string]>)
    .map(([role, who]) => `${ROLE_TITLES[role]}: ${escapeMrkdwn(who)}`)
    .join(', ');
  const lastUpdate = view.statusUpdates.at(-1);
  const lastPublic = view.publicUpdates.at(-1);
  const next = view.deadlines.reduce<Deadline | null>(
    (soonest, d) => (soonest && soonest.at <= d.at ? soonest : d),
    null,
  );
  const lines = [
    `*${escapeMrkdwn(`${view.drill ? '[DRILL] ' : ''}[${view.severity}] ${view.title}`)}* · \`${view.id}\``,
    `Status: *${view.status}*${view.verifying ? ' (verification running)' : ''} · Service: ${escapeMrkdwn(view.service)}`,
    `Roles: ${roles || 'unassigned'}`,
    `Declared ${when(view.declaredAt)}` +
      (view.acknowledgedAt === null ? ' · not acknowledged' : ` · acknowledged ${when(view.acknowledgedAt)}`) +
      (view.resolvedAt === null ? '' : ` · resolved ${when(view.resolvedAt)}`),
    lastUpdate ? `Last update ${when(lastUpdate.at)}: ${escapeMrkdwn(lastUpdate.impact)}` : 'No status update yet.',
    ...(lastPublic ? [`Public (${lastPublic.phase}): ${escapeMrkdwn(lastPublic.message)}`] : []),
    view.status === 'closed' ? 'Closed.' : nextLine(next),
  ];
  const text = lines.join('\n');
  const open = view.status !== 'resolved' && view.status !== 'closed';
  return { text, blocks: [section(text), ...(open ? [incidentActionsBlock(view.id)] : [])] };
}

function section(text: string) {
  // A section's text holds at most 3000 characters.
  return { type: 'section', text: { type: 'mrkdwn', text: text.length <= 3000 ? text : `${text.slice(0, 2999)}…` } };
}

/** An action item closed from its button: which, for which incident, by whom. */
export function actionItemDone(incidentId: string, item: ActionItem, actor: SlackActor): SlackReply {
  return {
    text: `:white_check_mark: Marked action item ${item.id} (${escapeMrkdwn(item.title)}) of \`${incidentId}\` done as ${shown(actor)}.`,
  };
}

/** `/incident actions`: every item with its owner, due date and state; each open one carries its Mark done button. */
export function actionItemsList(incidentId: string, items: ActionItem[]): SlackReply {
  const line = (item: ActionItem) =>
    `*${item.id}* ${escapeMrkdwn(item.title)} · ${item.kind} · owner ${escapeMrkdwn(item.owner)} · due ${when(item.dueAt)}` +
    (item.status === 'open' ? '' : ` · ${item.status}${item.reason ? `: ${escapeMrkdwn(item.reason)}` : ''}`);
  const head = `Action items of the postmortem of \`${incidentId}\`:${items.length === 0 ? ' none yet.' : ''}`;
  const text = [head, ...items.map(line)].join('\n');
  // A message holds at most 50 blocks: the header, then one per item up to 49.
  const blocks = [
    section(head),
    ...items.slice(0, 49).map((item) => ({
      ...section(line(item)),
      ...(item.status === 'open' ? { accessory: actionItemDoneButton(incidentId, item.id) } : {}),
    })),
  ];
  return { text, blocks };
}
