import { z } from 'zod';
import { lazySchema } from './lazy-schema';

/**
 * What travels with every command besides its input: when the person issued it, stamped by the client.
 * A command can reach the workflow late (worker down, queue backed up); the workflow records it at this time,
 * bounded by its own clock, so a late delivery neither hides an escalation that fell due nor improves MTTA.
 */
export const commandMetaSchema = lazySchema(() =>
  z
    .object({
      issuedAt: z.number().int().positive().max(8.64e15, 'must be a valid epoch time in milliseconds').optional(),
    })
    .strict()
    .optional(),
);
export type CommandMeta = z.input<typeof commandMetaSchema>;

/** How far back a client-stamped time may reach: longer than any worker restart, shorter than a ladder step. */
export const MAX_COMMAND_DELAY_MS = 10 * 60_000;

/** The time a command is recorded at: the client's stamp, never in the future, never before the bound or `floor`. */
export function commandTime(meta: CommandMeta, now: number, floor: number): number {
  if (meta?.issuedAt === undefined) return now;
  return Math.min(now, Math.max(meta.issuedAt, now - MAX_COMMAND_DELAY_MS, floor));
}

/** A client's name for one request (`--request-id`, the API's Idempotency-Key): Temporal's update id. */
export const requestIdSchema = lazySchema(() =>
  z.string().regex(/^[A-Za-z0-9._:-]{1,100}$/, 'use 1-100 letters, digits and . _ : -'),
);
