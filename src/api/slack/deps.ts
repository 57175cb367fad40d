import type { WebClient } from '@slack/web-api';

/** What /slack/commands and /slack/interactions need besides the incident service and the policy's contacts. */
export interface SlackDeps {
  /** SLACK_SIGNING_SECRET: every request's signature is checked with it. */
  signingSecret: string | undefined;
  /** The bot's Web API client (SLACK_BOT_TOKEN): views.open, chat.postEphemeral, users.info. None: no modals. */
  webClient?: () => WebClient;
  /** Posts outcomes to a request's response_url; `fetch` unless a test gives its own. */
  fetch?: typeof fetch;
  /** response_url prefixes accepted (default Slack's `https://hooks.slack.com/`); tests add a loopback server. */
  responseUrlPrefixes?: readonly string[];
  /** Epoch ms, for the signature's five-minute window. */
  now?: () => number;
}
