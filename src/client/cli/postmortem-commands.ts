import type { Command } from 'commander';
import {
  ACTION_ITEM_KINDS,
  addActionItemSchema,
  closeActionItemSchema,
  markReviewedSchema,
  reassignPostmortemSchema,
  scheduleReviewSchema,
  type ActionItem,
  type PostmortemState,
} from '../../workflows/postmortem/definitions';
import { checkIncidentId, checkInput } from './input';
import type { CliSession } from './session';

const iso = (at: number | null | undefined) => (at === null || at === undefined ? '-' : new Date(at).toISOString());

function itemLine(item: ActionItem): string {
  const closed = item.status === 'open' ? '' : ` (${item.status}${item.reason ? `: ${item.reason}` : ''})`;
  return `${item.id}  ${item.status.padEnd(8)} ${item.kind.padEnd(14)} due ${iso(item.dueAt)}  ${item.owner}  ${item.title}${closed}`;
}

export function formatPostmortem(state: PostmortemState): string {
  const open = state.actionItems.filter((item) => item.status === 'open').length;
  return [
    `Postmortem of ${state.incidentId}: ${state.status}${state.status === 'open' && state.dueAt < Date.now() && state.reviewedAt === null ? ' (OVERDUE)' : ''}`,
    `Document   ${state.location}`,
    `Owner      ${state.owner} (escalates to ${state.escalateTo})`,
    `Due        ${iso(state.dueAt)}`,
    `Review     ${state.review ? `${iso(state.review.at)} with ${state.review.attendees.join(', ')}` : 'not scheduled'}`,
    `Reviewed   ${state.reviewedAt === null ? 'not yet' : `${iso(state.reviewedAt)} by ${state.reviewedBy}`}`,
    `Actions    ${state.actionItems.length} (${open} open)`,
    ...state.actionItems.map((item) => `  ${itemLine(item)}`),
    'Events',
    ...state.events.slice(-10).map((e) => `  ${iso(e.at)}  ${e.type.padEnd(12)} ${e.message}`),
  ].join('\n');
}

/** `incident postmortem` and `incident action add|done|defer|list`: the postmortem workflow of a resolved incident. */
export function registerPostmortemCommands(program: Command, session: CliSession): void {
  const postmortem = program
    .command('postmortem')
    .description('where the postmortem stands: document, owner, due, review, action items')
    .argument('<ID>', 'incident id')
    .option('--reviewed', 'mark the document reviewed')
    .option('--owner <user>', 'hand the postmortem to someone else')
    .option('--review-at <date>', 'schedule the review (ISO date-time); attendees get a calendar invitation')
    .option('--attendees <names>', 'with --review-at: policy contacts or emails, comma-separated')
    .option('--by <user>', 'who does it (with --reviewed, --owner or --review-at)')
    .action(
      async (
        id: string,
        opts: { reviewed?: boolean; owner?: string; reviewAt?: string; attendees?: string; by?: string },
      ) => {
        const incidentId = checkIncidentId(id);
        // Checked before anything connects, like every other command.
        const reassign =
          opts.owner === undefined
            ? undefined
            : checkInput(reassignPostmortemSchema, { owner: opts.owner, by: opts.by }, {});
        const review = opts.reviewed ? checkInput(markReviewedSchema, { by: opts.by }, {}) : undefined;
        const meeting =
          opts.reviewAt === undefined
            ? undefined
            : checkInput(
                scheduleReviewSchema,
                {
                  at: opts.reviewAt,
                  attendees: (opts.attendees ?? '').split(',').filter((a) => a !== ''),
                  by: opts.by,
                },
                { at: '--review-at' },
              );
        const postmortems = (await session.incidents()).postmortems();
        if (reassign) await postmortems.reassign(incidentId, reassign.owner, reassign.by);
        if (meeting) await postmortems.scheduleReview(incidentId, meeting);
        if (review) await postmortems.markReviewed(incidentId, review.by);
        const state = await postmortems.show(incidentId);
        session.emit(formatPostmortem(state), state);
      },
    );
  postmortem.option('--json', 'machine-readable output');

  const action = program
    .command('action')
    .description("the postmortem's action items: add, done (or deferred), list")
    .option('--json', 'machine-readable output');
  // `--json` after a subcommand is parsed as this command's option: it applies to whichever subcommand runs.
  action.hook('preAction', () => {
    if (action.opts<{ json?: boolean }>().json === true) session.json = true;
  });
  action
    .command('add')
    .description('add an action item: filed with an owner, a due date and a kind, reminded and escalated')
    .argument('<ID>', 'incident id')
    .requiredOption('--title <text>', 'what will be done')
    .requiredOption('--owner <user>', 'who does it')
    .requiredOption('--due <date>', 'ISO date-time, e.g. 2026-03-10T17:00:00Z')
    .requiredOption('--kind <kind>', ACTION_ITEM_KINDS.join(', '))
    .requiredOption('--by <user>', 'who adds it')
    .action(async (id: string, opts: { title: string; owner: string; due: string; kind: string; by: string }) => {
      const incidentId = checkIncidentId(id);
      const input = checkInput(addActionItemSchema, opts, {});
      const item = await (await session.incidents()).postmortems().addActionItem(incidentId, input);
      session.emit(`added ${itemLine(item)}`, item);
    });
  action
    .command('done')
    .description('close an action item as done, or --deferred with a --reason')
    .argument('<ID>', 'incident id')
    .argument('<ITEM>', 'action item id, like a1')
    .option('--deferred', 'deferred rather than done (needs --reason)')
    .option('--reason <text>', 'why (required when deferred)')
    .requiredOption('--by <user>', 'who closes it')
    .action(async (id: string, itemId: string, opts: { deferred?: boolean; reason?: string; by: string }) => {
      const incidentId = checkIncidentId(id);
      const input = checkInput(
        closeActionItemSchema,
        {
          itemId,
          outcome: opts.deferred ? 'deferred' : 'done',
          by: opts.by,
          ...(opts.reason === undefined ? {} : { reason: opts.reason }),
        },
        { itemId: 'ITEM' },
      );
      const item = await (await session.incidents()).postmortems().closeActionItem(incidentId, input);
      session.emit(itemLine(item), item);
    });
  action
    .command('list')
    .description("the postmortem's action items")
    .argument('<ID>', 'incident id')
    .action(async (id: string) => {
      const items = await (await session.incidents()).postmortems().actionItems(checkIncidentId(id));
      session.emit(items.length === 0 ? 'no action items' : items.map(itemLine).join('\n'), items);
    });
}
