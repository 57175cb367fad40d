import type { Command } from 'commander';
import { z } from 'zod';
import { drillNameSchema } from '../../domain/policy/drills';
import { singleLine } from '../../domain/text';
import type { DrillRow } from '../drills';
import { checkInput } from './input';
import type { CliSession } from './session';

const drillArgs = z.object({ name: drillNameSchema, note: singleLine(500, { min: 0 }) });

/** Runbook 002's simulation table: the drill, its last run (and how it went) and the next one scheduled. */
export function formatDrills(rows: DrillRow[]): string {
  if (rows.length === 0) return 'no drills: add a drills section to the policy (see examples/policy.yaml)';
  const lines = rows.map((row) => {
    const last = row.lastRun
      ? `${row.lastRun.at} ${row.lastRun.passed === null ? row.lastRun.status : row.lastRun.passed ? 'PASSED' : 'FAILED'}${row.lastRun.incidentId ? ` (${row.lastRun.incidentId})` : ''}`
      : 'never';
    const next = row.paused ? `paused${row.note ? `: ${row.note}` : ''}` : (row.nextRun ?? '-');
    return [row.name, row.kind, last, next, `${row.title} · ${row.cadence}`];
  });
  const header = ['DRILL', 'KIND', 'LAST RUN', 'NEXT SCHEDULED', 'NOTES'];
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => line[i]?.length ?? 0)));
  return [header, ...lines]
    .map((line) =>
      line
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** `incident drill list|run|pause|resume`: the policy's drills as the worker scheduled them. */
export function registerDrillCommands(program: Command, session: CliSession): void {
  const drill = program
    .command('drill')
    .description('scheduled drills (policy `drills`): list, run now, pause, resume');
  // `--json` (added to every command by main.ts) is parsed as this command's option: it applies to the subcommand.
  drill.hook('preAction', () => {
    if (drill.opts<{ json?: boolean }>().json === true) session.json = true;
  });
  const check = (name: string, note = '') => checkInput(drillArgs, { name, note }, { name: 'NAME', note: '--note' });

  drill
    .command('list')
    .description('each drill with its last run (passed or failed) and the next scheduled')
    .action(async () => {
      const rows = await (await session.drills()).list();
      session.emit(formatDrills(rows), rows);
    });
  drill
    .command('run')
    .description('run the drill now, through its Schedule')
    .argument('<NAME>', 'drill name')
    .action(async (name: string) => {
      const input = check(name);
      await (await session.drills()).run(input.name);
      session.emit(`drill ${input.name} started: see incident drill list`, { drill: input.name, triggered: true });
    });
  for (const [verb, description] of [
    ['pause', 'stop scheduling the drill until resumed (kept across worker restarts)'],
    ['resume', 'schedule the drill again'],
  ] as const) {
    drill
      .command(verb)
      .description(description)
      .argument('<NAME>', 'drill name')
      .option('--note <text>', 'why, shown in incident drill list')
      .action(async (name: string, opts: { note?: string }) => {
        const input = check(name, opts.note ?? '');
        const drills = await session.drills();
        const note = input.note || `${verb}d from the CLI`;
        await (verb === 'pause' ? drills.pause(input.name, note) : drills.resume(input.name, note));
        session.emit(`drill ${input.name} ${verb}d`, { drill: input.name, paused: verb === 'pause' });
      });
  }
}
