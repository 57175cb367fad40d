import type { Command } from 'commander';
import {
  ACTION_ITEM_KINDS,
  addActionItemSchema,
  closeActionItemSchema,
  markReviewedSchema,
  reassignPostmortemSchema,
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
    .option('--by <user>', 'who does it (with --reviewed or --owner)')
    .action(async (id: string, opts: { reviewed?: boolean; owner?: string; by?: string }) => {
      const incidentId = checkIncidentId(id);
      // Checked before anything connects, like every other command.
      const reassign =
        opts.owner === undefined
          ? undefined
          : checkInput(reassignPostmortemSchema, { owner: opts.owner, by: opts.by }, {});
      const review = opts.reviewed ? checkInput(markReviewedSchema, { by: opts.by }, {}) : undefined;
      const postmortems = (await session.incidents()).postmortems();
      if (reassign) await postmortems.reassign(incidentId, reassign.owner, reassign.by);
      if (review) await postmortems.markReviewed(incidentId, review.by);
      const state = await postmortems.show(incidentId);
      session.emit(formatPostmortem(state), state);
    });
  postmortem.option('--json', 'machine-readable output');

  const action = program
    .command('action')
    .description("the postmortem's action items: add, done (or deferred), list")
    .option('--json', 'machine-readable output (each subcommand takes it)');
  action
    .command('add')
    .description('add an action item: filed with an owner, a due date and a kind, reminded and escalated')
    .argument('<ID>', 'incident id')
    .requiredOption('--title <text>', 'what will be done')
    .requiredOption('--owner <user>', 'who does it')
    .requiredOption('--due <date>', 'ISO date-time, e.g. 2026-03-10T17:00:00Z')
    .requiredOption('--kind <kind>', ACTION_ITEM_KINDS.join(', '))
    .requiredOption('--by <user>', 'who adds it')
    .option('--json', 'machine-readable output')
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
    .option('--json', 'machine-readable output')
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
    .option('--json', 'machine-readable output')
    .action(async (id: string) => {
      const items = await (await session.incidents()).postmortems().actionItems(checkIncidentId(id));
      session.emit(items.length === 0 ? 'no action items' : items.map(itemLine).join('\n'), items);
    });
}
