import type { UpdateDefinition } from '@temporalio/common';
import { setHandler } from '@temporalio/workflow';
import { Mutex } from 'async-mutex';
import type { z } from 'zod';
import { commandMetaSchema, type CommandMeta } from '../../domain/command-meta';
import type { Command } from '../../domain/lifecycle';
import type { CommandResult } from '../definitions';
import { fireDeadlinesDueBy } from './escalate';
import { parseOrReject, type Incident } from './incident';

/**
 * The incident once it is declared. Handlers are registered before the declaration's first await (the policy
 * lookup), so a command that arrives with the start waits for the incident instead of finding no handler.
 */
export class DeclaredIncident {
  current: Incident | undefined;
  readonly ready: Promise<Incident>;
  /**
   * Lifecycle commands run one at a time: resolve awaits its smoke tests, and a mitigation started meanwhile
   * must see the state resolve leaves, not the state it found (Temporal's safe-message-handlers pattern).
   */
  readonly lifecycle = new Mutex();
  private fill!: (incident: Incident) => void;

  constructor() {
    this.ready = new Promise((resolve) => (this.fill = resolve));
  }

  set(incident: Incident): void {
    this.current = incident;
    this.fill(incident);
  }
}

export interface CommandOptions<S extends z.ZodType> {
  /** A further refusal beyond the lifecycle rules, checked in the validator and again under the lock. */
  guard?: (incident: Incident, input: z.output<S>) => void;
  /** Changes the lifecycle or awaits: runs under the incident's lock. Facts (ack, note, status) need not wait. */
  exclusive?: boolean;
}

/**
 * Registers one command as an update. The validator parses the input and checks the transition (naming the
 * field or the reason) before anything reaches history; the handler checks again against the state it runs on,
 * first firing every deadline that fell due before the command was issued, and answers with what it changed.
 */
export function onCommand<S extends z.ZodType, I>(
  declared: DeclaredIncident,
  update: UpdateDefinition<CommandResult, [I, CommandMeta?]>,
  command: Command,
  schema: S,
  run: (incident: Incident, input: z.output<S>, at: number) => void | Promise<void>,
  options: CommandOptions<S> = {},
): void {
  const check = (incident: Incident, input: unknown): z.output<S> => {
    const parsed = incident.check(command, schema, input);
    options.guard?.(incident, parsed);
    return parsed;
  };
  const apply = async (incident: Incident, input: unknown, meta: CommandMeta): Promise<CommandResult> => {
    const at = incident.commandTime(meta);
    if (incident.planned) fireDeadlinesDueBy(incident, at);
    const parsed = check(incident, input);
    const mark = incident.state.timeline.length;
    await run(incident, parsed, at);
    return incident.result(mark);
  };
  setHandler(
    update,
    async (input: I, meta?: CommandMeta) => {
      const incident = await declared.ready;
      if (!options.exclusive) return apply(incident, input, meta);
      return declared.lifecycle.runExclusive(() => apply(incident, input, meta));
    },
    {
      validator: (input: I, meta?: CommandMeta) => {
        parseOrReject(commandMetaSchema, meta);
        if (declared.current) check(declared.current, input);
        else parseOrReject(schema, input);
      },
    },
  );
}
