import type { UpdateDefinition } from '@temporalio/common';
import { condition, setHandler } from '@temporalio/workflow';
import { hasPatch } from './release';
import { Mutex } from 'async-mutex';
import type { z } from 'zod';
import { commandMetaSchema, type CommandMeta } from '../../domain/command-meta';
import type { Command } from '../../domain/lifecycle';
import type { CommandResult } from '../definitions';
import { fireDeadlinesDueBy } from './steps/escalate';
import { parseOrReject, type Incident } from './incident';

/** Incidents declared since this patch apply a command only after the results delivered with it. */
export const COMMANDS_AFTER_RESULTS_PATCH = 'commands-after-results-v1';

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
  /** Whether commands wait for the workflow task's other results first (incidents since COMMANDS_AFTER_RESULTS). */
  readonly commandsAfterResults = hasPatch(COMMANDS_AFTER_RESULTS_PATCH);
  private fill!: (incident: Incident) => void;
  private settling: Promise<void> | undefined;

  constructor() {
    this.ready = new Promise((resolve) => (this.fill = resolve));
  }

  /**
   * Resolves once everything else the current workflow task delivered (activity results, a fired timer) has been
   * applied. A worker that rebuilt an incident from its history (after a restart or a cache eviction) was seen to
   * run an update before results that its replay applied first: a command acting at once then found other
   * deliveries in flight than on replay, scheduled its activities in another order, and the incident failed on its
   * next replay. Waiting for the workflow task to settle shows the command the same state in both. Everyone waiting
   * in one workflow task shares one wait and resumes in the order they asked: commands before the deadline loop
   * (which asks later), so a command issued before a deadline that fired meanwhile still comes first.
   */
  resultsApplied(): Promise<void> {
    if (!this.commandsAfterResults) return Promise.resolve();
    return (this.settling ??= this.settle());
  }

  private async settle(): Promise<void> {
    // False when first evaluated (at once), true when conditions are next checked: after every job and microtask.
    let looked = false;
    await condition(() => {
      if (looked) return true;
      looked = true;
      return false;
    });
    this.settling = undefined;
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
      await declared.resultsApplied();
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
