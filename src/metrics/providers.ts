import type { IntegrationConfig } from '../config/integrations';
import type { ArchiveConfig } from '../config/records';

/**
 * The provider behind each channel the incident workflow reports failures for, by the same settings that make
 * configuredProviders (src/activities/defaults.ts) choose it: a failure counted under `chat` says slack or outbox.
 */
export function providerNames(config: IntegrationConfig, archive: ArchiveConfig): Record<string, string> {
  return {
    chat: config.SLACK_BOT_TOKEN ? 'slack' : 'outbox',
    email: config.SMTP_URL ? 'smtp' : 'outbox',
    'status-page': config.STATUSPAGE_API_KEY && config.STATUSPAGE_PAGE_ID ? 'statuspage' : 'outbox',
    pager:
      config.PAGERDUTY_ROUTING_KEY || Object.keys(config.PAGERDUTY_ROUTING_KEYS).length > 0 ? 'pagerduty' : 'outbox',
    postmortem: config.GITHUB_TOKEN && config.GITHUB_REPO ? 'github' : 'directory',
    diagnostics: 'snapshot',
    archive: archive.kind,
  };
}
