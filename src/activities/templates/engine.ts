import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { Eta, type TemplateFunction } from 'eta';
import type { MessageFacts } from '../../domain/message-facts';
import type { TemplateName, TemplatesPolicy } from '../../domain/policy/audiences';
import type { MessageKind, RenderedMessage } from '../../domain/templates';

/** The default templates, shipped beside the code. */
export const DEFAULT_TEMPLATE_DIR = path.join(__dirname, '..', '..', 'templates');

export const TemplateFailureType = { Invalid: 'TemplateInvalid' } as const;

const KINDS: Record<TemplateName, MessageKind> = {
  'internal-update': 'status-update',
  'user-facing-update': 'user-facing-update',
  'stakeholder-notification': 'stakeholder-notification',
  'post-incident-summary': 'post-incident-summary',
};

/**
 * Every interpolated value stays on its own line (a newline is written `\n`), so text people typed can never add a
 * line of its own: a field, a subject. Each provider then escapes for its medium (HTML, Slack mrkdwn).
 */
const lineEscape = (value: unknown) => {
  const text = typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value);
  return text.replaceAll('\\', '\\\\').replaceAll('\r', '').replaceAll('\n', '\\n');
};
const unescapeLine = (line: string) => line.replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));

/**
 * Renders the message templates with the same engine as the status page (Eta), escaping every value. A template's
 * output is a message in blocks separated by blank lines: the subject, the lead, then one `Label: value` line per
 * field, where a field with an empty value is left out. Providers turn that into Block Kit, an HTML and a text
 * email, or a status page update.
 */
export class MessageTemplates {
  private readonly eta = new Eta({ autoEscape: true, escapeFunction: lineEscape, autoTrim: false });
  private readonly compiled = new Map<string, TemplateFunction>();

  /** @param overrides the policy's template files, by name (already resolved against the policy's directory). */
  constructor(private readonly overrides: TemplatesPolicy = {}) {}

  render(
    name: TemplateName,
    facts: MessageFacts,
    extra: Array<{ label: string; value: string }> = [],
  ): RenderedMessage {
    const file = this.overrides[name] ?? path.join(DEFAULT_TEMPLATE_DIR, `${name}.eta`);
    let output: string;
    try {
      output = this.eta.render(this.compile(file), facts);
    } catch (error) {
      // A broken template stays broken on every retry: say which file, once.
      throw ApplicationFailure.nonRetryable(
        `template ${name} (${file}): ${(error as Error).message}`,
        TemplateFailureType.Invalid,
      );
    }
    return parseMessage(KINDS[name], output, extra, file);
  }

  private compile(file: string): TemplateFunction {
    let template = this.compiled.get(file);
    if (!template) {
      template = this.eta.compile(readFileSync(file, 'utf8'));
      this.compiled.set(file, template);
    }
    return template;
  }
}

const FIELD = /^([A-Za-z][A-Za-z0-9 /()-]{0,40}): ?(.*)$/;

/** Reads a rendered template back into a message; `extra` fields (links the policy gives) go after the template's. */
export function parseMessage(
  kind: MessageKind,
  output: string,
  extra: Array<{ label: string; value: string }>,
  file = 'template',
): RenderedMessage {
  const blocks = output
    .replace(/\r/g, '')
    .split(/\n[ \t]*\n/)
    .map((block) => block.split('\n').filter((line) => line.trim() !== ''))
    .filter((block) => block.length > 0);
  const [subjectLines = [], leadLines = [], ...fieldBlocks] = blocks;
  const fieldLines = fieldBlocks.flat();
  const fields = fieldLines.map((line) => {
    const match = FIELD.exec(line);
    if (!match) {
      throw ApplicationFailure.nonRetryable(
        `template ${file}: after the lead's blank line every line is "Label: value", not ${JSON.stringify(line.slice(0, 60))}`,
        TemplateFailureType.Invalid,
      );
    }
    return { label: match[1] ?? '', value: unescapeLine((match[2] ?? '').trim()) };
  });
  const kept = [...fields.filter((field) => field.value !== ''), ...extra];
  const lead = leadLines.map((line) => unescapeLine(line.trim())).join('\n');
  const subject = unescapeLine(subjectLines.join(' ').trim()).replace(/\s+/g, ' ');
  // A value's own line breaks are indented, so a line of it never reads as a field of its own.
  const text = [lead, ...kept.map(({ label, value }) => `${label}: ${value.replaceAll('\n', '\n  ')}`)]
    .filter((l) => l !== '')
    .join('\n');
  return { kind, subject, text, fields: kept };
}
