import type { Outbox } from './outbox';
import type {
  ArchiveChannelRequest,
  ChannelReceipt,
  ChatRequest,
  ChatSummaryRequest,
  DeliveryReceipt,
  OpenChannelRequest,
} from './types';

/** A chat integration: one channel per incident, messages into it. Slack implements the same interface. */
export interface ChatProvider {
  openChannel(request: OpenChannelRequest): Promise<ChannelReceipt>;
  post(request: ChatRequest): Promise<DeliveryReceipt>;
  updateSummary(request: ChatSummaryRequest): Promise<DeliveryReceipt>;
  archive(request: ArchiveChannelRequest): Promise<DeliveryReceipt>;
}

export function channelNameFor(incidentId: string, title: string): string {
  const slug = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40)
    .replace(/-$/, '');
  return `inc-${incidentId}${slug ? `-${slug}` : ''}`.slice(0, 80);
}

export function outboxChat(outbox: Outbox): ChatProvider {
  return {
    async openChannel(request) {
      const channel = channelNameFor(request.incidentId, request.title);
      const { duplicate } = await outbox.deliver({
        channel: 'chat',
        key: request.key,
        incidentId: request.incidentId,
        drill: request.drill,
        payload: {
          action: 'open-channel',
          channel,
          private: request.security,
          topic: request.topic,
          invited: request.responders,
        },
      });
      return { destination: `#${channel}`, duplicate, channel };
    },
    async post(request) {
      const channel = request.channel ?? `inc-${request.incidentId}`;
      const { duplicate } = await outbox.deliver({
        channel: 'chat',
        key: request.key,
        incidentId: request.incidentId,
        drill: request.drill,
        payload: {
          action: 'post',
          channel,
          kind: request.message.kind,
          text: request.message.text,
          mention: request.mention ?? [],
          pinned: request.pin ?? false,
        },
      });
      return { destination: `#${channel}`, duplicate };
    },
    async updateSummary(request) {
      const channel = request.channel ?? `inc-${request.incidentId}`;
      const { duplicate } = await outbox.deliver({
        channel: 'chat',
        key: request.key,
        incidentId: request.incidentId,
        drill: request.drill,
        payload: { action: 'update-summary', channel, topic: request.topic, text: request.summary.text },
      });
      return { destination: `#${channel} (summary)`, duplicate };
    },
    async archive(request) {
      const channel = request.channel ?? `inc-${request.incidentId}`;
      const { duplicate } = await outbox.deliver({
        channel: 'chat',
        key: request.key,
        incidentId: request.incidentId,
        drill: request.drill,
        payload: { action: 'archive', channel },
      });
      return { destination: `#${channel} (archived)`, duplicate };
    },
  };
}
