import type { RenderedMessage } from './templates';

/**
 * A rendered message as an activity request carries it into the incident's history. A message's text is its lead
 * and then one line per field, and a note's subject ends with its lead: what can be rebuilt is left out, and the
 * activity rebuilds it. Every chat post, pinned summary and email of a long incident is kept in its history, so
 * this is most of what a message costs there.
 */
export type PackedMessage = Omit<RenderedMessage, 'text' | 'subject'> & {
  /** The text before the field lines, when there is any. */
  lead?: string;
} & ({ subject: string; subjectPrefix?: undefined } | { subject?: undefined; subjectPrefix: string });

/** What a request may carry: a message packed, or whole (as incidents started before packing send it). */
export type MessageOnTheWire = RenderedMessage | PackedMessage;

const fieldLines = (fields: RenderedMessage['fields']) => fields.map(({ label, value }) => `${label}: ${value}`);

export function packMessage(message: RenderedMessage): MessageOnTheWire {
  const { text, subject, ...rest } = message;
  const lines = fieldLines(message.fields).join('\n');
  let lead: string | undefined;
  if (text !== lines) {
    if (lines === '' || !text.endsWith(`\n${lines}`)) return message;
    lead = text.slice(0, -lines.length - 1);
  }
  const packed = lead === undefined ? rest : { ...rest, lead };
  return lead !== undefined && subject.endsWith(`: ${lead}`)
    ? { ...packed, subjectPrefix: subject.slice(0, -lead.length - 2) }
    : { ...packed, subject };
}

export function unpackMessage(message: MessageOnTheWire): RenderedMessage {
  if ('text' in message && typeof message.text === 'string') return message;
  const packed = message as PackedMessage;
  const lines = fieldLines(packed.fields);
  const text = packed.lead === undefined ? lines.join('\n') : [packed.lead, ...lines].join('\n');
  const subject = packed.subjectPrefix === undefined ? packed.subject : `${packed.subjectPrefix}: ${packed.lead ?? ''}`;
  return { kind: packed.kind, subject, text, fields: packed.fields };
}
