import { setTimeout as sleep } from 'node:timers/promises';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import type { SlackMessage } from './blocks';
import { SlackFailureType, slackErrorCode, unexpectedResponse, type SlackCaller } from './errors';

const messageSchema = z.object({
  ts: z.string(),
  metadata: z
    .object({ event_type: z.string(), event_payload: z.record(z.string(), z.unknown()).optional() })
    .optional()
    .catch(undefined),
  blocks: z
    .array(z.object({ block_id: z.string().optional() }))
    .optional()
    .catch(undefined),
  pinned_to: z.array(z.string()).optional(),
});
export type SlackMessageRecord = z.output<typeof messageSchema>;

const historySchema = z.object({
  messages: z.array(messageSchema).default([]),
  response_metadata: z.object({ next_cursor: z.string().optional() }).optional(),
});
const pinsSchema = z.object({
  items: z.array(z.object({ message: messageSchema.optional() })).default([]),
});

export interface MessageMetadata {
  event_type: string;
  event_payload: Record<string, string>;
}

export type MessageMatcher = (message: SlackMessageRecord) => boolean;

const POST_ATTEMPTS = 3;
const POST_BACKOFF_MS = 1_000;

/**
 * Messages in a channel: posting at most once per key, and finding what was posted before. `chat.postMessage` is
 * the one call that is not idempotent (a post whose answer was lost may have landed), so it goes through a client
 * that never retries by itself; this class looks in history before every repeat.
 */
export class SlackMessages {
  constructor(
    private readonly call: SlackCaller,
    private readonly callOnce: SlackCaller,
    private readonly lookback: number,
  ) {}

  /** Posts unless a message matching `landed` is already there; returns the message's ts either way. */
  async postOnce(channel: string, message: SlackMessage, metadata: MessageMetadata, landed: MessageMatcher) {
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.callOnce(
          'chat.postMessage',
          (c) => c.chat.postMessage({ channel, ...message, metadata, unfurl_links: false, unfurl_media: false }),
          channel,
        );
        if (!result.ts) throw unexpectedResponse('chat.postMessage', 'a ts');
        return result.ts;
      } catch (error) {
        if (!isOutage(error) || attempt >= POST_ATTEMPTS) throw error;
        const found = await this.find(channel, landed);
        if (found) return found.ts;
        await sleep(POST_BACKOFF_MS * attempt);
      }
    }
  }

  async pin(channel: string, timestamp: string): Promise<void> {
    try {
      await this.call('pins.add', (c) => c.pins.add({ channel, timestamp }), channel);
    } catch (error) {
      if (slackErrorCode(error) !== 'already_pinned') throw error;
    }
  }

  async pinned(channel: string, matches: MessageMatcher): Promise<SlackMessageRecord | undefined> {
    const result = await this.call('pins.list', (c) => c.pins.list({ channel }), channel);
    const pins = pinsSchema.safeParse(result);
    if (!pins.success) throw unexpectedResponse('pins.list', 'items');
    return pins.data.items.find((item) => item.message && matches(item.message))?.message;
  }

  /** Searches recent history, newest first, with metadata (Slack leaves it out unless asked). */
  async find(channel: string, matches: MessageMatcher): Promise<SlackMessageRecord | undefined> {
    let cursor: string | undefined;
    for (let seen = 0; seen < this.lookback;) {
      const limit = Math.min(200, this.lookback - seen);
      const result = await this.call(
        'conversations.history',
        (c) => c.conversations.history({ channel, limit, cursor, include_all_metadata: true }),
        channel,
      );
      const page = historySchema.safeParse(result);
      if (!page.success) throw unexpectedResponse('conversations.history', 'messages');
      const hit = page.data.messages.find(matches);
      if (hit) return hit;
      seen += Math.max(page.data.messages.length, 1);
      cursor = page.data.response_metadata?.next_cursor || undefined;
      if (!cursor) return undefined;
    }
    return undefined;
  }
}

/** Only outages are worth a look in history and another try; refusals and long rate limits go to Temporal. */
function isOutage(error: unknown): boolean {
  return (
    error instanceof ApplicationFailure &&
    !error.nonRetryable &&
    (error.type === SlackFailureType.Unavailable || error.type === SlackFailureType.UnexpectedResponse)
  );
}
