import type { UpdateDefinition } from '@temporalio/common';
import { setHandler } from '@temporalio/workflow';
import type { z } from 'zod';
import type { Command } from '../domain/lifecycle';
import type { IncidentView } from './definitions';
import { parseOrReject, type Incident } from './incident-entity';

/**
 * Holds the incident once it is declared. Handlers are registered before the declaration's first await,
 * so a command sent a moment after `declare` waits for the incident instead of finding no handler.
 */
export class IncidentSlot {
  current: Incident | undefined;
  readonly ready: Promise<Incident>;
  private fill!: (incident: Incident) => void;

  constructor() {
    this.ready = new Promise((resolve) => (this.fill = resolve));
  }

  set(incident: Incident): void {
    this.current = incident;
    this.fill(incident);
  }
}

/**
 * Registers one command as an update: the validator parses the input and checks the transition (naming the
 * field or the reason), and the handler checks again once the incident is ready, then runs.
 */
export function onCommand<S extends z.ZodType>(
  slot: IncidentSlot,
  update: UpdateDefinition<IncidentView, [z.input<S>]>,
  command: Command,
  schema: S,
  run: (incident: Incident, input: z.output<S>) => IncidentView | Promise<IncidentView>,
  guard?: (incident: Incident, input: z.output<S>) => void,
): void {
  const check = (incident: Incident, input: unknown): z.output<S> => {
    const parsed = incident.check(command, schema, input);
    guard?.(incident, parsed);
    return parsed;
  };
  setHandler(
    update,
    async (input) => {
      const incident = await slot.ready;
      return run(incident, check(incident, input));
    },
    {
      validator: (input) => {
        if (slot.current) check(slot.current, input);
        else parseOrReject(schema, input);
      },
    },
  );
}
