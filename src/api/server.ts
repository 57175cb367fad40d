import type { WebClient } from '@slack/web-api';
import { createSlackClient } from '../activities/chat/slack/client';
import { lazyClient } from '../client/connection';
import { IncidentService } from '../client/service';
import { loadConfig, loadPolicy } from '../config';
import { loadApiConfig } from '../config/api';
import { loadIntegrationConfig } from '../config/integrations';
import { loadRecordsConfig } from '../config/records';
import { openArchive } from '../activities/archive/open';
import { buildApp } from './app';
import { TokenRegistry } from './plugins/auth';

/** `npm run api` (and `npm start`, next to the worker): the HTTP front door until SIGTERM, then a graceful close. */
async function main(): Promise<void> {
  const config = loadConfig();
  const api = loadApiConfig();
  const policy = loadPolicy(config.policyPath);
  const client = lazyClient();
  const { SLACK_BOT_TOKEN: slackToken, SLACK_API_URL: slackApiUrl } = loadIntegrationConfig();
  let slackClient: WebClient | undefined;
  const app = await buildApp({
    incidents: new IncidentService(client, {
      taskQueue: config.taskQueue,
      archive: openArchive(loadRecordsConfig().archive),
    }),
    policy,
    tokens: new TokenRegistry(api.tokens),
    rateLimitPerMinute: api.rateLimitPerMinute,
    slack: {
      signingSecret: api.slackSigningSecret,
      ...(slackToken ? { webClient: () => (slackClient ??= createSlackClient(slackToken, slackApiUrl)) } : {}),
    },
    logger: { level: config.logLevel === 'TRACE' ? 'trace' : config.logLevel.toLowerCase() },
  });
  let closing = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      if (closing) return;
      closing = true;
      // Stop accepting, let requests in flight answer, then drop the Temporal connection.
      void app
        .close()
        .then(() => client.connection.close())
        .then(() => process.exit(0));
    });
  }
  const address = await app.listen({ port: api.port, host: api.host });
  console.log(`api: listening on ${address} (docs ${address}/api/docs)`);
  if (api.slackSigningSecret === undefined) {
    console.log('api: no SLACK_SIGNING_SECRET configured: /slack/commands and /slack/interactions answer 503');
  }
  if (api.tokens.size === 0) {
    console.log('api: no INCIDENT_API_TOKENS configured: every /api/v1 route answers 401 until one is');
  }
}

main().catch((error: unknown) => {
  console.error(`api: ${(error as Error).message}`);
  process.exit(1);
});
