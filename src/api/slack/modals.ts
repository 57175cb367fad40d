import { z } from 'zod';
import { declareSchema, incidentIdSchema, statusUpdateSchema, type StatusUpdateInput } from '../../domain/inputs';
import { escapeUnsafe } from '../../domain/text';
import type { SeverityPolicy } from '../../domain/policy';
import { SEVERITIES, type Severity } from '../../domain/severity';
import { clip } from '../../workflows/incident/details';
import type { ViewSubmission } from './payloads';

/**
 * The declare and status update modals (Block Kit `modal` views with `input` blocks), how their submissions are
 * read back, and the pieces the response modals (response-modals.ts) share. A field's
 * block id is what a `response_action: "errors"` answer names, so each input's rule maps to its block.
 */
export const DECLARE_CALLBACK = 'incident-declare';
export const STATUS_UPDATE_CALLBACK = 'incident-status-update';

/** Where the outcome of a submission goes (modals have no response_url of their own) and what it is about. */
const metadataSchema = z.object({
  incidentId: incidentIdSchema.optional(),
  responseUrl: z.string().max(2000).optional(),
  channelId: z.string().max(30).optional(),
});
export type ModalMetadata = z.output<typeof metadataSchema>;

export function readMetadata(text: string): ModalMetadata {
  try {
    return metadataSchema.parse(JSON.parse(text));
  } catch {
    return {};
  }
}

export const plain = (text: string) => ({ type: 'plain_text' as const, text });

export function textInput(
  blockId: string,
  label: string,
  options: { multiline?: boolean; maxLength: number; optional?: boolean; hint?: string; placeholder?: string },
) {
  return {
    type: 'input',
    block_id: blockId,
    label: plain(label),
    optional: options.optional ?? false,
    element: {
      type: 'plain_text_input',
      action_id: 'value',
      multiline: options.multiline ?? false,
      max_length: options.maxLength,
      ...(options.placeholder ? { placeholder: plain(options.placeholder) } : {}),
    },
    ...(options.hint ? { hint: plain(options.hint) } : {}),
  };
}

/** What each severity means, with examples, from the policy (as `declare --help` and the declaration show them). */
export type SeverityDefinitions = Record<Severity, Pick<SeverityPolicy, 'meaning' | 'examples'>>;

/**
 * Block Kit's limits (docs.slack.dev, option object and context block): an option's description holds 75
 * characters; a context block up to 10 elements of at most 3000 characters each.
 */
const OPTION_DESCRIPTION_MAX = 75;
const GUIDE_LINE_MAX = 600;

function severityGuideBlock(definitions: SeverityDefinitions) {
  const line = (severity: Severity) => {
    const { meaning, examples = [] } = definitions[severity];
    const text = `${severity}: ${meaning ?? 'no meaning in the policy'}${examples.length > 0 ? `. E.g. ${examples.join('; ')}` : ''}`;
    return { type: 'plain_text' as const, text: clip(text, GUIDE_LINE_MAX), emoji: false };
  };
  return { type: 'context', block_id: 'severity_guide', elements: SEVERITIES.map(line) };
}

export function declareModal(metadata: ModalMetadata, definitions: SeverityDefinitions) {
  return {
    type: 'modal' as const,
    callback_id: DECLARE_CALLBACK,
    title: plain('Declare an incident'),
    submit: plain('Declare'),
    close: plain('Cancel'),
    private_metadata: JSON.stringify(metadata),
    blocks: [
      textInput('title', 'Title', { maxLength: 200, placeholder: 'Checkout returns 500s' }),
      {
        type: 'input',
        block_id: 'severity',
        label: plain('Severity'),
        element: {
          type: 'static_select',
          action_id: 'value',
          options: SEVERITIES.map((severity) => {
            const meaning = definitions[severity].meaning;
            return {
              text: plain(severity),
              value: severity,
              ...(meaning ? { description: plain(clip(meaning, OPTION_DESCRIPTION_MAX)) } : {}),
            };
          }),
        },
      },
      severityGuideBlock(definitions),
      textInput('service', 'Service', { maxLength: 63, optional: true, placeholder: 'checkout' }),
      textInput('summary', 'Summary', { multiline: true, maxLength: 2000, optional: true }),
    ],
  };
}

export function statusUpdateModal(incidentId: string, metadata: ModalMetadata) {
  return {
    type: 'modal' as const,
    callback_id: STATUS_UPDATE_CALLBACK,
    title: plain('Status update'),
    submit: plain('Post update'),
    close: plain('Cancel'),
    private_metadata: JSON.stringify({ ...metadata, incidentId }),
    blocks: [
      { type: 'context', elements: [{ type: 'mrkdwn', text: `Incident ${incidentId}` }] },
      textInput('impact', 'Impact', { multiline: true, maxLength: 1000 }),
      textInput('hypothesis', 'Hypothesis', { multiline: true, maxLength: 1000 }),
      textInput('next_update', 'Next update in', {
        maxLength: 10,
        optional: true,
        placeholder: '15m',
        hint: 'Brings the next update forward: 1m to 24h.',
      }),
      textInput('public_text', 'Public text', {
        multiline: true,
        maxLength: 1000,
        optional: true,
        hint: 'For customers (the status page); leave it empty to keep this update internal.',
      }),
    ],
  };
}

export type Parsed<T> = { ok: true; input: T } | { ok: false; errors: Record<string, string> };

/** A text input's value, or undefined when left empty (Slack sends null). */
export function field(view: ViewSubmission['view'], blockId: string): string | undefined {
  const entry = view.state.values[blockId]?.value;
  const value = entry?.value ?? entry?.selected_option?.value ?? undefined;
  return value === null || value === undefined || value.trim() === '' ? undefined : value;
}

/** A field's name → the block that holds it: what a `response_action: "errors"` answer must name. */
export type FieldBlocks = Record<string, string>;

/** Every named field that was filled in, as text. */
export function fieldsOf(view: ViewSubmission['view'], blocks: FieldBlocks): Record<string, string> {
  const entries = Object.entries(blocks).map(([name, block]) => [name, field(view, block)] as const);
  return Object.fromEntries(entries.filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/**
 * Checks the inputs with the domain's own schema; each problem goes to the block of the field it names. The inputs
 * are forwarded as typed: the service and the workflow parse them again with the same schema.
 */
export function parseWith<T>(schema: z.ZodType, raw: Record<string, unknown>, blocks: FieldBlocks): Parsed<T> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, input: raw as T };
  const errors: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const block = blocks[String(issue.path[0])];
    if (block !== undefined) errors[block] ??= escapeUnsafe(issue.message);
  }
  return { ok: false, errors };
}

const DECLARE_BLOCKS = { title: 'title', severity: 'severity', service: 'service', summary: 'summary' };
const declareFields = declareSchema.pick({ title: true, severity: true, service: true, summary: true });
export type DeclareFields = z.input<typeof declareFields>;

export function parseDeclareSubmission(view: ViewSubmission['view']): Parsed<DeclareFields> {
  return parseWith(declareFields, fieldsOf(view, DECLARE_BLOCKS), DECLARE_BLOCKS);
}

const UPDATE_BLOCKS = {
  impact: 'impact',
  hypothesis: 'hypothesis',
  nextUpdateIn: 'next_update',
  userFacing: 'public_text',
};
const updateFields = statusUpdateSchema.omit({ by: true });

export function parseStatusUpdateSubmission(view: ViewSubmission['view']): Parsed<Omit<StatusUpdateInput, 'by'>> {
  return parseWith(updateFields, fieldsOf(view, UPDATE_BLOCKS), UPDATE_BLOCKS);
}
