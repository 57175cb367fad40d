import { Command, CommanderError } from 'commander';
import {
  acknowledgeSchema,
  assignRoleSchema,
  closeSchema,
  declareSchema,
  diagnoseSchema,
  finishMitigationSchema,
  mitigationKindSchema,
  noteSchema,
  reopenSchema,
  resolveSchema,
  rollbackSchema,
  pageSchema,
  severityChangeSchema,
  startMitigationSchema,
  statusUpdateSchema,
} from '../../domain/inputs';
import { ROLE_TITLES, ROLES, SEVERITIES, STATUSES } from '../../domain/severity';
import { escapeUnsafe } from '../../domain/text';
import type { CommandResult } from '../../workflows/definitions';
import {
  checkIncidentId,
  checkInput,
  checkListFilter,
  checkRequestId,
  collectValues,
  normalizeSeverity,
} from './input';
import { formatList, formatOutbox, formatShow, formatTimeline, statusLine } from './output';
import { registerChecklistCommands } from './checklist-commands';
import { registerPostmortemCommands } from './postmortem-commands';
import { registerDrillCommands } from './drill-commands';
import { registerReportCommand } from './report-command';
import { CliSession, type Io } from './session';
import { loadConfig, loadPolicy } from '../../config';
import { escalationMatrix, pageTargets } from '../../activities/paging/targets';
import { DEFAULT_SEVERITY_DEFINITIONS, severityGuide } from '../../domain/policy/severity-definitions';
import { EXIT_CODES, IncidentClientError, IncidentClientErrorType, toIncidentClientError } from '../errors';
import { newIncidentId, type CommandInput, type CommandName } from '../service';
import { commandResultJson, declarationJson, incidentJson, sagaLines, timelineJson } from '../views';

const HELP_FOOTER = `
Exit codes: 0 ok, 2 invalid input (nothing sent), 3 unknown incident, 4 rejected by the incident, 1 anything else.
Temporal connection: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_* (or a temporal CLI profile).
Worker settings: INCIDENT_TASK_QUEUE, INCIDENT_OUTBOX_DIR.`;

/** Commands that only read; every other command changes an incident and can be retried by request id. */
const READS = new Set(['show', 'timeline', 'list', 'outbox', 'contacts', 'report']);

/** Commander exits with these codes on its own; everything else it reports is a usage error (exit 2). */
const COMMANDER_SUCCESS = new Set(['commander.helpDisplayed', 'commander.version']);

interface By {
  by: string;
}

interface DeclareOptions {
  severity: string;
  title: string;
  service?: string;
  summary?: string;
  commander?: string;
  id?: string;
  detectedAt?: string;
  drill?: boolean;
  security?: boolean;
  dataLoss?: boolean;
}

export function buildProgram(session: CliSession): Command {
  const { io } = session;
  const program = new Command('incident')
    .description('Declare and run incidents; each incident is a durable Temporal workflow.')
    .exitOverride()
    // Commander echoes unknown flags and commands as typed: nothing in them may reach the terminal as an escape.
    .configureOutput({ writeOut: (text) => io.out(text), writeErr: (text) => io.err(escapeLines(text)) })
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', HELP_FOOTER);
  program.hook('preAction', (_program, action) => {
    const opts = action.opts<{ json?: boolean; requestId?: string }>();
    session.json = opts.json === true;
    session.requestId = checkRequestId(opts.requestId);
  });
  const command = (name: string, description: string) => program.command(name).description(description);

  /** Prints a command's answer: one status line for people, what changed and what comes next for machines. */
  const report = (result: CommandResult, ...lines: string[]) =>
    session.emit([...lines, statusLine(result)].join('\n'), commandResultJson(result));
  const send = async <C extends CommandName>(name: C, id: string, input: CommandInput<C>) =>
    (await session.incidents()).command(name, id, input, session.request());

  command('declare', 'declare an incident: opens its channel, pages on-call, tells stakeholders, starts the clocks')
    .requiredOption('--severity <SEV-n>', `${SEVERITIES.join(', ')} (SEV-1 is the worst)`)
    .addHelpText('after', () => `\nSeverities (from the policy, INCIDENT_POLICY):\n${severityHelp().join('\n')}`)
    .requiredOption('--title <text>', 'what is broken, in a few words')
    .option('--service <name>', 'affected service (its smoke checks verify the resolution)')
    .option('--summary <text>', 'what is known so far')
    .option('--commander <user>', 'incident commander')
    .option('--id <id>', 'incident id (default: generated, like 20250314-k3f9)')
    .option('--detected-at <time>', 'when the problem was detected, ISO 8601 like 2026-12-01T08:05:00Z (default: now)')
    .option('--drill', 'a drill: recorded like the real thing, but nobody is paged and no status page is updated')
    .option('--security', 'security incident: private channel, no public status page, security contact told')
    .option(
      '--data-loss',
      'data loss or corruption: SEV-1, data owners told, preservation checklist, closes after confirm-integrity',
    )
    .action(async (opts: DeclareOptions) => {
      const input = checkInput(
        declareSchema,
        {
          id: opts.id ?? newIncidentId(),
          severity: normalizeSeverity(opts.severity),
          title: opts.title,
          service: opts.service,
          summary: opts.summary,
          commander: opts.commander,
          detectedAt: opts.detectedAt,
          drill: opts.drill === true,
          security: opts.security === true,
          dataLoss: opts.dataLoss === true,
          source: 'cli',
        },
        { detectedAt: '--detected-at' },
      );
      const declared = await (await session.incidents()).declare(input, session.request());
      const { incidentId } = declared;
      session.emit(
        [
          `declared ${declared.severity} incident ${incidentId}: ${declared.title}`,
          `acknowledge: incident ack ${incidentId} --by <you>`,
          statusLine(declared),
        ].join('\n'),
        declarationJson(declared),
      );
    });

  command('ack', 'acknowledge the incident: stops the escalation ladder')
    .argument('<ID>', 'incident id')
    .requiredOption('--by <user>', 'who acknowledges')
    .action(async (id: string, opts: By) => {
      const incidentId = checkIncidentId(id);
      const input = checkInput(acknowledgeSchema, { by: opts.by }, {});
      report(await send('acknowledge', incidentId, input), `acknowledged by ${opts.by}`);
    });

  command('assign', 'give someone a role')
    .argument('<ID>', 'incident id')
    .requiredOption('--role <role>', ROLES.join(', '))
    .requiredOption('--user <user>', 'who takes the role')
    .requiredOption('--by <user>', 'who assigns it')
    .action(async (id: string, opts: By & { role: string; user: string }) => {
      const incidentId = checkIncidentId(id);
      const input = checkInput(assignRoleSchema, { role: opts.role, user: opts.user, by: opts.by }, {});
      report(await send('assignRole', incidentId, input), `${input.user} is now ${ROLE_TITLES[input.role]}`);
    });

  command('update', 'post a status update: resets the status-update clock')
    .argument('<ID>', 'incident id')
    .requiredOption('--impact <text>', 'current impact, for the internal update')
    .requiredOption('--hypothesis <text>', 'what we think is going on')
    .option('--actions <text>', 'what is being done')
    .option('--next <duration>', 'next update in, like 15m (can only bring the next update forward)')
    .option('--public <text>', 'user-facing text for the status page')
    .requiredOption('--by <user>', 'who posts it')
    .action(
      async (
        id: string,
        opts: By & Record<'impact' | 'hypothesis', string> & Partial<Record<'actions' | 'next' | 'public', string>>,
      ) => {
        const incidentId = checkIncidentId(id);
        const input = checkInput(
          statusUpdateSchema,
          {
            impact: opts.impact,
            hypothesis: opts.hypothesis,
            actions: opts.actions,
            nextUpdateIn: opts.next,
            userFacing: opts.public,
            by: opts.by,
          },
          { nextUpdateIn: '--next', userFacing: '--public' },
        );
        report(await send('postStatusUpdate', incidentId, input), 'status update posted');
      },
    );

  command('severity', 'change the severity: re-plans every timer from the new severity policy')
    .argument('<ID>', 'incident id')
    .argument('<SEVERITY>', SEVERITIES.join(', '))
    .requiredOption('--by <user>', 'who changes it')
    .option('--reason <text>', 'why')
    .action(async (id: string, severity: string, opts: By & { reason?: string }) => {
      const incidentId = checkIncidentId(id);
      const input = checkInput(
        severityChangeSchema,
        { severity: normalizeSeverity(severity), by: opts.by, reason: opts.reason },
        { severity: 'SEVERITY' },
      );
      report(await send('changeSeverity', incidentId, input), `severity is now ${input.severity}`);
    });

  command('mitigate', "start a mitigation; --run NAME runs the service's action, verifies it and undoes it on failure")
    .argument('<ID>', 'incident id')
    .option('--action <text>', 'what is being done, like "roll back deploy 4711" (required without --run)')
    .option(
      '--run <name>',
      "an action from the service's policy (rollback, restart, ...): run, verify, undo on failure",
    )
    .option('--kind <kind>', mitigationKindSchema.options.join(', '), 'other')
    .requiredOption('--by <user>', 'who does it')
    .action(async (id: string, opts: By & { action?: string; kind: string; run?: string }) => {
      const incidentId = checkIncidentId(id);
      const input = checkInput(
        startMitigationSchema,
        { action: opts.action, kind: opts.kind, run: opts.run, by: opts.by },
        { action: '--action', run: '--run' },
      );
      const result = await send('startMitigation', incidentId, input);
      const started = result.added.find((entry) => entry.type === 'mitigation-started');
      const mitigationId = String(started?.data?.mitigationId ?? '?');
      if (input.run !== undefined) return report(result, ...sagaLines(result));
      report(
        result,
        `mitigation ${mitigationId} started: ${input.action ?? ''}`,
        `when done: incident mitigated ${incidentId} ${mitigationId} [--failed] --by <you>`,
      );
    });

  command('page', 'page a configured target now (secondary-oncall, db-oncall, ...), with a reason')
    .argument('<ID>', 'incident id')
    .requiredOption('--target <name>', 'a contact or escalation target from the policy (see incident contacts)')
    .requiredOption('--reason <text>', 'why they are needed')
    .requiredOption('--by <user>', 'who pages')
    .action(async (id: string, opts: By & { target: string; reason: string }) => {
      const incidentId = checkIncidentId(id);
      const input = checkInput(pageSchema, { target: opts.target, reason: opts.reason, by: opts.by }, {});
      report(await send('page', incidentId, input), `paged ${input.target}`);
    });

  command('contacts', "print the escalation matrix from the worker's policy (INCIDENT_POLICY): who, how, when")
    .option('--severity <SEV>', `only one severity: ${SEVERITIES.join(', ')}`)
    .action((opts: { severity?: string }) => {
      const severity =
        opts.severity === undefined
          ? undefined
          : checkInput(
              severityChangeSchema.pick({ severity: true }),
              { severity: normalizeSeverity(opts.severity) },
              { severity: '--severity' },
            ).severity;
      const policy = loadPolicy(loadConfig().policyPath);
      const matrix = escalationMatrix(policy, severity);
      session.emit(matrix.join('\n'), { targets: pageTargets(policy), matrix });
    });

  command('rollback', "run the service's rollback now, then the smoke tests")
    .argument('<ID>', 'incident id')
    .option('--reason <text>', 'why')
    .requiredOption('--by <user>', 'who orders it')
    .action(async (id: string, opts: By & { reason?: string }) => {
      const incidentId = checkIncidentId(id);
      const input = checkInput(rollbackSchema, { by: opts.by, reason: opts.reason }, {});
      const result = await send('rollback', incidentId, input);
      report(result, ...sagaLines(result));
    });

  command('diagnose', "collect diagnostics now from the service's tools; the summary and links go to the channel")
    .argument('<ID>', 'incident id')
    .option('--reason <text>', 'why now')
    .requiredOption('--by <user>', 'who asks')
    .action(async (id: string, opts: By & { reason?: string }) => {
      const incidentId = checkIncidentId(id);
      const input = checkInput(diagnoseSchema, { by: opts.by, reason: opts.reason }, {});
      const result = await send('diagnose', incidentId, input);
      const taken = result.added.find((entry) => entry.type === 'diagnostics');
      const artifact = taken?.data?.artifact;
      report(
        result,
        `diagnostics: ${taken?.message ?? 'none'}`,
        ...(typeof artifact === 'string' ? [`artifact: ${artifact}`] : []),
      );
    });

  command('mitigated', 'finish a mitigation; --failed rolls back and re-runs the smoke tests')
    .argument('<ID>', 'incident id')
    .argument('<ACTION_ID>', 'mitigation id, like m1 (see incident show)')
    .option('--failed', 'the mitigation did not work')
    .requiredOption('--by <user>', 'who reports it')
    .action(async (id: string, actionId: string, opts: By & { failed?: boolean }) => {
      const incidentId = checkIncidentId(id);
      const outcome = opts.failed === true ? 'failed' : 'succeeded';
      const input = checkInput(finishMitigationSchema, { actionId, outcome, by: opts.by }, { actionId: 'ACTION_ID' });
      const result = await send('finishMitigation', incidentId, input);
      report(result, `mitigation ${actionId} ${outcome}`, ...verificationLines(result));
    });

  command('resolve', 'resolve the incident once the smoke tests pass')
    .argument('<ID>', 'incident id')
    .requiredOption('--by <user>', 'who resolves it')
    .option('--summary <text>', 'resolution summary')
    .option('--override-alerts <reason>', 'resolve although alerts still fire, saying why')
    .option('--unverified', 'the Incident Commander resolves although checks fail or none exist (with --reason)')
    .option('--reason <text>', 'with --unverified: why it is resolved without verification')
    .action(
      async (
        id: string,
        opts: By & { summary?: string; overrideAlerts?: string; unverified?: boolean; reason?: string },
      ) => {
        const incidentId = checkIncidentId(id);
        if (opts.unverified === true && opts.reason === undefined) {
          throw new IncidentClientError(
            IncidentClientErrorType.InvalidInput,
            '--reason: say why it is resolved unverified',
          );
        }
        const input = checkInput(
          resolveSchema,
          {
            by: opts.by,
            summary: opts.summary,
            overrideFiringAlerts: opts.overrideAlerts,
            ...(opts.unverified === true ? { unverified: opts.reason } : {}),
          },
          { overrideFiringAlerts: '--override-alerts', unverified: '--reason' },
        );
        const result = await send('resolve', incidentId, input);
        const checks = verificationLines(result);
        if (result.status === 'resolved') return report(result, 'resolved', ...checks);
        report(result, ...checks);
        // The command ran, but the incident refused to be resolved: scripts must not carry on as if it were.
        throw new IncidentClientError(
          IncidentClientErrorType.Rejected,
          `not resolved: smoke tests failed, incident ${incidentId} is ${result.status} again`,
          { reason: 'SmokeTestsFailed' },
        );
      },
    );

  command('reopen', 'reopen a resolved (or monitoring) incident: back to mitigating')
    .argument('<ID>', 'incident id')
    .requiredOption('--reason <text>', 'why it is not over')
    .requiredOption('--by <user>', 'who reopens it')
    .action(async (id: string, opts: By & { reason: string }) => {
      const incidentId = checkIncidentId(id);
      const input = checkInput(reopenSchema, { reason: opts.reason, by: opts.by }, {});
      report(await send('reopen', incidentId, input), 'reopened');
    });

  command('close', 'close a resolved incident')
    .argument('<ID>', 'incident id')
    .requiredOption('--by <user>', 'who closes it')
    .action(async (id: string, opts: By) => {
      const incidentId = checkIncidentId(id);
      const input = checkInput(closeSchema, { by: opts.by }, {});
      report(await send('close', incidentId, input), 'closed');
    });

  command('note', 'add a note to the timeline')
    .argument('<ID>', 'incident id')
    .argument('<TEXT>', 'the note')
    .requiredOption('--by <user>', 'who writes it')
    .action(async (id: string, text: string, opts: By) => {
      const incidentId = checkIncidentId(id);
      const input = checkInput(noteSchema, { text, by: opts.by }, { text: 'TEXT' });
      report(await send('addNote', incidentId, input), 'note added');
    });

  command('show', 'the incident: status, roles, what happens next, recent timeline')
    .argument('<ID>', 'incident id')
    .action(async (id: string) => {
      const incidentId = checkIncidentId(id);
      const view = await (await session.incidents()).show(incidentId);
      session.emit(formatShow(view), incidentJson(view));
    });

  command('timeline', 'every event of the incident')
    .argument('<ID>', 'incident id')
    .action(async (id: string) => {
      const incidentId = checkIncidentId(id);
      const entries = await (await session.incidents()).timeline(incidentId);
      session.emit(formatTimeline(entries).join('\n'), timelineJson(entries));
    });

  command('list', 'incidents, newest first')
    .option('--status <status>', `${STATUSES.join(', ')} or open (repeat or comma-separate)`, collectValues)
    .option('--severity <SEV-n>', `${SEVERITIES.join(', ')} (repeat or comma-separate)`, collectValues)
    .action(async (opts: { status?: string[]; severity?: string[] }) => {
      const filter = checkListFilter(opts);
      const rows = await (await session.incidents()).list(filter);
      session.emit(formatList(rows), rows);
    });

  command('outbox', "what the embedded providers delivered (chat, email, status page, pager) from the worker's outbox")
    .argument('[ID]', 'only this incident')
    .action(async (id: string | undefined) => {
      const incidentId = id === undefined ? undefined : checkIncidentId(id);
      const records = await session.outbox().read(incidentId === undefined ? {} : { incidentId });
      // The outbox is local files: only Temporal can tell "nothing delivered yet" from an unknown incident (exit 3).
      if (incidentId !== undefined && records.length === 0) {
        const shown = session.incidents().then((incidents) => incidents.show(incidentId));
        await shown.catch((error: unknown) => {
          const failure = toIncidentClientError(error, incidentId);
          if (failure.type === IncidentClientErrorType.Internal || failure.type === IncidentClientErrorType.Rejected) {
            throw failure;
          }
          const why =
            failure.type === IncidentClientErrorType.NotFound ? 'Temporal does not know it either' : failure.message;
          throw new IncidentClientError(
            IncidentClientErrorType.NotFound,
            `no outbox entries for incident ${incidentId} (${why})`,
            { cause: error },
          );
        });
      }
      session.emit(formatOutbox(records), records);
    });

  registerChecklistCommands(program, send, report);
  registerPostmortemCommands(program, session);
  registerDrillCommands(program, session);
  registerReportCommand(program, session);
  for (const sub of program.commands) {
    if (sub.name() === 'postmortem' || sub.name() === 'action') continue;
    sub.option('--json', 'machine-readable output');
    if (!READS.has(sub.name())) {
      sub.option('--request-id <id>', 'name this request: sent again with the same id, it applies at most once');
    }
  }
  return program;
}

/** What this command's rollback and smoke tests said, if it ran any. */
/** A saga's steps as the timeline tells them: each action run, each verification, the outcome. */
function verificationLines(result: CommandResult): string[] {
  const said = (type: string) => result.added.find((entry) => entry.type === type);
  const rollback = said('rollback');
  const smoke = said('smoke-tests');
  return [rollback ? `rollback: ${rollback.message}` : '', smoke ? `smoke tests: ${smoke.message}` : ''].filter(
    (line) => line !== '',
  );
}

function escapeLines(text: string): string {
  return text.split('\n').map(escapeUnsafe).join('\n');
}

/** What each severity means, from the worker's policy; when it cannot be read, the defaults and why. */
function severityHelp(): string[] {
  try {
    return severityGuide(loadPolicy(loadConfig().policyPath).severities);
  } catch (error) {
    const why = escapeUnsafe(error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error));
    return [
      `  (the policy could not be read: ${why}; the defaults follow)`,
      ...severityGuide(DEFAULT_SEVERITY_DEFINITIONS),
    ];
  }
}

/** Runs the CLI and returns its exit code; output goes through `io`. */
export async function main(argv: readonly string[], io?: Io): Promise<number> {
  const session = new CliSession(io);
  try {
    await buildProgram(session).parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      return COMMANDER_SUCCESS.has(error.code) ? 0 : EXIT_CODES[IncidentClientErrorType.InvalidInput];
    }
    const failure = toIncidentClientError(error);
    session.fail(failure);
    return EXIT_CODES[failure.type];
  } finally {
    await session.close();
  }
}

if (require.main === module) {
  void main(process.argv).then((code) => {
    process.exitCode = code;
  });
}
