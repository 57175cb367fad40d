import type { Outbox } from '../outbox/store';
import type { ChatProvider } from '../providers';
import type { ChatRequest, IncidentRef } from '../types';
import { channelNameFor } from './channel-name';

/** The embedded chat: each action is one outbox record in the channel the request names. */
export function outboxChat(outbox: Outbox): ChatProvider {
  /** Records one chat action in the outbox, in the channel the request names (or the incident's default). */
  async function record(request: IncidentRef & { channel?: string | null }, payload: Record<string, unknown>) {
    const channel = request.channel ?? `inc-${request.incidentId}`;
    const { duplicate } = await outbox.deliver({
      channel: 'chat',
      key: request.key,
      incidentId: request.incidentId,
      drill: request.drill,
      payload: { channel, ...payload },
    });
    return { channel, duplicate };
  }

  async function post(request: ChatRequest) {
    const { message, mention, pin, actionItem } = request;
    const { channel, duplicate } = await record(request, {
      action: 'post',
      kind: message.kind,
      text: message.text,
      mention: mention ?? [],
      pinned: pin ?? false,
      ...(actionItem ? { actionItem } : {}),
    });
    return { destination: `#${channel}`, duplicate };
  }

  return {
    async openChannel(request, first) {
      const name = channelNameFor(request.incidentId, request.title);
      const { channel, duplicate } = await record(
        { ...request, channel: name },
        { action: 'open-channel', private: request.security, topic: request.topic, invited: request.responders },
      );
      const declaration = first && (await post({ ...first.post, channel }));
      return { destination: `#${channel}`, duplicate, channel, ...(declaration ? { declaration } : {}) };
    },
    post,
    async updateSummary(request) {
      const { channel, duplicate } = await record(request, {
        action: 'update-summary',
        topic: request.topic,
        text: request.summary.text,
      });
      return { destination: `#${channel} (summary)`, duplicate };
    },
    async archive(request) {
      const { channel, duplicate } = await record(request, { action: 'archive' });
      return { destination: `#${channel} (archived)`, duplicate };
    },
  };
}
