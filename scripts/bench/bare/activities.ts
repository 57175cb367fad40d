import type { WebClient } from '@slack/web-api';

export interface BarePost {
  channel: string;
  text: string;
}

/** One Slack call through the same client library the incident worker uses; Temporal owns the retries. */
export function createBareActivities(slack: WebClient) {
  return {
    async post(request: BarePost): Promise<void> {
      await slack.chat.postMessage({ channel: request.channel, text: request.text });
    },
  };
}

export type BareActivities = ReturnType<typeof createBareActivities>;
