import type { Policy } from '../../domain/policy';
import { unpackMessage } from '../../domain/packed-message';
import type { RenderedMessage } from '../../domain/templates';
import type { MessageContent } from '../types';
import { ApplicationFailure } from '@temporalio/common';
import { MessageTemplates, TemplateFailureType } from './engine';

/** A service's runbook and dashboard from the policy, as fields for the declaration and the pinned summary. */
export function serviceLinks(policy: Policy, service: string | undefined): Array<{ label: string; value: string }> {
  const config = service === undefined ? undefined : policy.services[service];
  return [
    ...(config?.runbook ? [{ label: 'Runbook', value: config.runbook }] : []),
    ...(config?.dashboard ? [{ label: 'Dashboard', value: config.dashboard }] : []),
  ];
}

/** Appends fields to a message the workflow rendered, keeping its plain text in step with them. */
export function withFields(message: RenderedMessage, extra: Array<{ label: string; value: string }>): RenderedMessage {
  if (extra.length === 0) return message;
  const lines = extra.map(({ label, value }) => `${label}: ${value}`);
  return { ...message, text: [message.text, ...lines].join('\n'), fields: [...message.fields, ...extra] };
}

/** Turns what the workflow sent (a message, or a template and its facts) into the message providers deliver. */
export function messageRenderer(policy: Policy): (content: MessageContent) => RenderedMessage {
  const templates = new MessageTemplates(policy.templates);
  return (content) => {
    const links = serviceLinks(policy, content.links);
    return content.template === undefined
      ? withFields(unpackMessage(content.message), links)
      : templates.render(content.template, content.facts, links);
  };
}

/** A status page update's body is small and never empty: Statuspage caps it, and history keeps it. */
export const PUBLIC_TEXT_LIMIT = 5_000;

/** The body a status page shows for a rendered user-facing update: its lead and fields, without the subject. */
export function publicText(message: RenderedMessage): string {
  const text = message.text.trim();
  if (text === '' || text.length > PUBLIC_TEXT_LIMIT) {
    throw ApplicationFailure.nonRetryable(
      `template user-facing-update rendered ${text.length} characters: a status page update needs 1 to ${PUBLIC_TEXT_LIMIT}`,
      TemplateFailureType.Invalid,
    );
  }
  return text;
}
