import type { WebClient } from '@slack/web-api';
import type { FastifyBaseLogger } from 'fastify';

/** A message for Slack: the text is the notification fallback, the blocks what people see. */
export interface SlackReply {
  text: string;
  blocks?: unknown[];
  /** `in_channel` shows it to everyone; ephemeral (the default) only to the person who asked. */
  responseType?: 'ephemeral' | 'in_channel';
}

/** Where a request's outcome goes: its response_url, else an ephemeral message to the user in the channel. */
export interface ReplyTarget {
  responseUrl?: string;
  channelId?: string;
  userId: string;
}

export const SLACK_RESPONSE_URL_PREFIX = 'https://hooks.slack.com/';
const RESPONSE_TIMEOUT_MS = 5_000;

/**
 * Posts outcomes after the three-second answer. A response_url is taken only from a signed request (or a modal's
 * private metadata, which only this app writes), and only under the configured prefixes, so nothing a request says
 * can point the server at another host. When posting there fails, chat.postEphemeral is the fallback.
 */
export class SlackResponder {
  constructor(
    private readonly options: {
      fetch: typeof fetch;
      prefixes: readonly string[];
      webClient: (() => WebClient) | undefined;
      log: FastifyBaseLogger;
    },
  ) {}

  accepts(responseUrl: string): boolean {
    return this.options.prefixes.some((prefix) => responseUrl.startsWith(prefix));
  }

  async send(target: ReplyTarget, reply: SlackReply): Promise<void> {
    if (target.responseUrl !== undefined && this.accepts(target.responseUrl)) {
      try {
        const response = await this.options.fetch(target.responseUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json; charset=utf-8' },
          body: JSON.stringify({
            response_type: reply.responseType ?? 'ephemeral',
            // Buttons live on the incident's messages: an outcome is a new message, never a replacement.
            replace_original: false,
            text: reply.text,
            ...(reply.blocks ? { blocks: reply.blocks } : {}),
          }),
          signal: AbortSignal.timeout(RESPONSE_TIMEOUT_MS),
        });
        if (response.ok) return;
        this.options.log.warn({ status: response.status }, 'slack: response_url refused the outcome');
      } catch (error) {
        this.options.log.warn({ err: error }, 'slack: response_url did not answer');
      }
    }
    await this.ephemeral(target, reply);
  }

  private async ephemeral(target: ReplyTarget, reply: SlackReply): Promise<void> {
    if (!this.options.webClient || target.channelId === undefined) {
      this.options.log.warn('slack: an outcome had nowhere to go (no response_url, channel or bot token)');
      return;
    }
    try {
      await this.options.webClient().chat.postEphemeral({
        channel: target.channelId,
        user: target.userId,
        text: reply.text,
        ...(reply.blocks ? { blocks: reply.blocks as never } : {}),
      });
    } catch (error) {
      this.options.log.warn({ err: error }, 'slack: chat.postEphemeral failed');
    }
  }
}
