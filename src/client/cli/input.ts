import { z } from 'zod';
import { requestIdSchema } from '../../domain/command-meta';
import { incidentIdSchema } from '../../domain/inputs';
import { escapeUnsafe } from '../../domain/text';
import {
  SEVERITIES,
  severitySchema,
  statusSchema,
  STATUSES,
  type IncidentStatus,
  type Severity,
} from '../../domain/severity';
import { IncidentClientError, IncidentClientErrorType } from '../errors';

/**
 * Validation at the command line, before anything connects to Temporal. The domain schemas speak in field
 * names (`nextUpdateIn`); people typed flags (`--next`), so every message is re-labelled with what they typed.
 */
export type FlagNames = Record<string, string>;

/** Input as typed: any value per field, until the schema says it is what the command expects. */
export type Typed<S extends z.ZodType> = { [K in keyof z.input<S>]?: unknown };

export function checkInput<S extends z.ZodType>(schema: S, input: Typed<S>, flags: FlagNames): z.input<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${flagOf(issue.path, flags)}: ${escapeUnsafe(issue.message)}`);
    throw new IncidentClientError(IncidentClientErrorType.InvalidInput, lines.join('\n'));
  }
  // Sound after a successful parse. The workflow parses again, so it gets what was typed (`15m`), not 900000.
  return input as z.input<S>;
}

function flagOf(path: readonly PropertyKey[], flags: FlagNames): string {
  const field = path[0];
  if (typeof field !== 'string') return 'input';
  return flags[field] ?? `--${field.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

export function checkIncidentId(id: string, label = 'ID'): string {
  return checkInput(z.object({ id: incidentIdSchema }), { id }, { id: label }).id;
}

export function checkRequestId(requestId: string | undefined): string | undefined {
  if (requestId === undefined) return undefined;
  return checkInput(z.object({ requestId: requestIdSchema }), { requestId }, {}).requestId;
}

/** `1`, `sev1`, `sev-1` and `SEV-1` all mean SEV-1; anything else is left for the schema to reject by name. */
export function normalizeSeverity(text: string): string {
  const match = /^\s*(?:sev-?)?([1-4])\s*$/i.exec(text);
  return match ? `SEV-${match[1]}` : text;
}

/** Repeated flags and comma-separated values both work: `--status mitigating,monitoring --status resolved`. */
export function collectValues(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== ''),
  ];
}

const OPEN_STATUSES: IncidentStatus[] = STATUSES.filter((s) => s !== 'resolved' && s !== 'closed');

const listFilterSchema = z.object({
  statuses: z.array(
    z.union([statusSchema, z.literal('open')], { error: `expected one of ${['open', ...STATUSES].join(', ')}` }),
  ),
  severities: z.array(severitySchema, { error: `expected one of ${SEVERITIES.join(', ')}` }),
});

export function checkListFilter(options: { status?: string[]; severity?: string[] }): {
  statuses: IncidentStatus[];
  severities: Severity[];
} {
  const input = { statuses: options.status ?? [], severities: (options.severity ?? []).map(normalizeSeverity) };
  checkInput(listFilterSchema, input, { statuses: '--status', severities: '--severity' });
  const { statuses, severities } = listFilterSchema.parse(input);
  return {
    statuses: [...new Set(statuses.flatMap((s) => (s === 'open' ? OPEN_STATUSES : [s])))],
    severities,
  };
}
