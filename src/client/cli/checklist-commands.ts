import type { Command } from 'commander';
import { checkItemSchema, confirmBreachSchema, confirmIntegritySchema } from '../../domain/inputs';
import type { CommandResult } from '../../workflows/definitions';
import type { CommandInput, CommandName } from '../service';
import { checkIncidentId, checkInput } from './input';

type Send = <C extends CommandName>(name: C, id: string, input: CommandInput<C>) => Promise<CommandResult>;
type Report = (result: CommandResult, ...lines: string[]) => void;

/** The runbooks' special paths: tick checklist items, confirm data integrity, confirm a security breach. */
export function registerChecklistCommands(program: Command, send: Send, report: Report): void {
  program
    .command('check')
    .description('tick off an item of a posted checklist (data preservation, security), like rotate-credentials')
    .argument('<ID>', 'incident id')
    .argument('<ITEM>', 'the item id, as the checklist shows it (see incident show)')
    .option('--note <text>', 'what was done')
    .requiredOption('--by <user>', 'who did it')
    .action(async (id: string, item: string, opts: { by: string; note?: string }) => {
      const incidentId = checkIncidentId(id);
      const input = checkInput(checkItemSchema, { item, by: opts.by, note: opts.note }, { item: 'ITEM' });
      const result = await send('checkItem', incidentId, input);
      report(result, ...result.added.filter((e) => e.type === 'checklist').map((e) => e.message));
    });

  program
    .command('confirm-integrity')
    .description('confirm the data is whole again: a data-loss incident closes only after this')
    .argument('<ID>', 'incident id')
    .option('--note <text>', 'how it was checked (row counts, checksums, a restore test)')
    .requiredOption('--by <user>', 'who confirms it, by name')
    .action(async (id: string, opts: { by: string; note?: string }) => {
      const incidentId = checkIncidentId(id);
      const input = checkInput(confirmIntegritySchema, { by: opts.by, note: opts.note }, {});
      report(await send('confirmIntegrity', incidentId, input), `data integrity confirmed by ${input.by}`);
    });

  program
    .command('confirm-breach')
    .description('confirm a security breach: a security incident of at least SEV-1, security checklist posted')
    .argument('<ID>', 'incident id')
    .requiredOption('--reason <text>', 'what confirms it')
    .requiredOption('--by <user>', 'who confirms it')
    .action(async (id: string, opts: { by: string; reason: string }) => {
      const incidentId = checkIncidentId(id);
      const input = checkInput(confirmBreachSchema, { by: opts.by, reason: opts.reason }, {});
      report(await send('confirmBreach', incidentId, input), 'security breach confirmed');
    });
}
