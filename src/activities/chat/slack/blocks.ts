import type { RenderedMessage } from '../../../domain/templates';
import type { ActionsBlock } from './actions';

/**
 * Block Kit from a rendered template: a header (the subject), a section with the lead and mentions, the fields as
 * section fields, and a context line naming the incident. `text` is the plain-text fallback notifications show.
 */
interface PlainText {
  type: 'plain_text';
  text: string;
}
interface Mrkdwn {
  type: 'mrkdwn';
  text: string;
}
export type SlackBlock =
  | { type: 'header'; block_id?: string; text: PlainText }
  | { type: 'section'; block_id?: string; text?: Mrkdwn; fields?: Mrkdwn[] }
  | { type: 'context'; block_id?: string; elements: Mrkdwn[] }
  | ActionsBlock;

export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

export interface BlockOptions {
  incidentId: string;
  drill: boolean;
  /** Already formatted: `<@U123>` for resolved people, `@name` for the rest. */
  mentions: string[];
  /** Marks the first block, so the message can be recognised in pins and history. */
  blockId?: string;
  /** Buttons (an actions block) above the closing context line. */
  actions?: ActionsBlock;
}

// Block Kit limits: header 150, section text 3000, field 2000, at most 10 fields per section.
const HEADER_MAX = 150;
const SECTION_MAX = 3000;
const FIELD_MAX = 2000;
const FIELDS_PER_SECTION = 10;

export const DRILL_MARKER = '[DRILL]';

export function renderSlackMessage(message: RenderedMessage, options: BlockOptions): SlackMessage {
  const subject = withDrill(message.subject, options.drill);
  const mentionLine = options.mentions.join(' ');
  const lead = [mentionLine, escapeMrkdwn(leadOf(message))].filter((part) => part !== '').join('\n');

  const blocks: SlackBlock[] = [{ type: 'header', text: { type: 'plain_text', text: truncate(subject, HEADER_MAX) } }];
  if (lead !== '') blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(lead, SECTION_MAX) } });
  for (let i = 0; i < message.fields.length; i += FIELDS_PER_SECTION) {
    const fields = message.fields.slice(i, i + FIELDS_PER_SECTION).map(({ label, value }) => ({
      type: 'mrkdwn' as const,
      text: truncate(`*${escapeMrkdwn(label)}*\n${escapeMrkdwn(value)}`, FIELD_MAX),
    }));
    blocks.push({ type: 'section', fields });
  }
  if (options.actions) blocks.push(options.actions);
  const context = [`Incident ${escapeMrkdwn(options.incidentId)}`, message.kind];
  if (options.drill) context.unshift(`:test_tube: *DRILL* — an exercise, not a real incident`);
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: context.join(' · ') }] });
  if (options.blockId !== undefined && blocks[0]) blocks[0].block_id = options.blockId;

  const body = withDrill(escapeMrkdwn(message.text), options.drill);
  const text = truncate(mentionLine === '' ? body : `${mentionLine} ${body}`, SECTION_MAX);
  return { text, blocks };
}

/** Topic and purpose are plain text, at most 250 characters; drills say so up front. */
export function channelText(text: string, drill: boolean): string {
  return truncate(withDrill(text, drill), 250);
}

function withDrill(text: string, drill: boolean): string {
  return drill && !text.includes(DRILL_MARKER) ? `${DRILL_MARKER} ${text}` : text;
}

/** The template's text is the lead followed by `Label: value` lines; the fields are rendered separately. */
function leadOf(message: RenderedMessage): string {
  const first = message.fields[0];
  if (!first) return message.text;
  const at = message.text.indexOf(`${first.label}: ${first.value}`);
  return at === -1 ? message.text : message.text.slice(0, at).trim();
}

/** Slack treats `&`, `<` and `>` as control characters in message text. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
