import nodemailer from 'nodemailer';
import type { LocalDirs } from '../config';
import type { IntegrationConfig } from '../config/integrations';
import { rollbackEnvironment, type RollbackEnvironment } from '../config/rollback';
import type { Policy } from '../domain/policy';
import { loadRecordsConfig } from '../config/records';
import { directoryArchive } from './archive/directory';
import { openArchive } from './archive/open';
import { outboxChat } from './chat/outbox';
import { createSlackClient } from './chat/slack/client';
import { slackChat } from './chat/slack/provider';
import { snapshotDiagnostics } from './diagnostics/snapshot';
import { createSmtpTransport, nodemailerEmail, smtpEmail } from './email/nodemailer';
import { Outbox } from './outbox/store';
import { contactPager } from './paging/contacts';
import { pagerDutyPager } from './paging/pagerduty';
import { nodemailerReviewInviter } from './postmortem/invitation';
import { githubTickets, noTickets } from './postmortem/tickets';
import { githubIssuePostmortem, markdownPostmortem } from './postmortem/writers';
import type { IntegrationProviders } from './providers';
import { configuredActions } from './remediation/actions';
import { configuredRollback } from './remediation/rollback';
import { atlassianStatusPage } from './status-page/atlassian-statuspage';
import { outboxStatusPage } from './status-page/outbox';
import { httpSmokeTester } from './verification/smoke-tests';

/**
 * The no-credentials setup: chat, email, status page and pager write to the local outbox. Prometheus is optional.
 * The rollback environment defaults to what src/config reads.
 */
export function embeddedProviders(
  policy: Policy,
  dirs: LocalDirs,
  prometheusUrl?: string,
  rollbackEnv: RollbackEnvironment = rollbackEnvironment(),
): IntegrationProviders {
  const outbox = new Outbox(dirs.outboxDir);
  const chat = outboxChat(outbox);
  const email = nodemailerEmail({
    transport: nodemailer.createTransport({ jsonTransport: true }),
    from: 'incident-response@localhost',
    contacts: policy.contacts,
    outbox,
  });
  return {
    policy,
    chat,
    email,
    statusPage: outboxStatusPage(outbox),
    pager: contactPager(outbox, chat, email),
    smokeTests: httpSmokeTester(policy.services, { prometheusUrl, secrets: rollbackEnv }),
    rollback: configuredRollback(policy.services, rollbackEnv),
    actions: configuredActions(policy.services, rollbackEnv),
    diagnostics: snapshotDiagnostics({
      services: policy.services,
      artifactDir: dirs.diagnosticsDir,
      prometheusUrl,
      tools: policy.diagnostics,
      env: rollbackEnv,
    }),
    postmortem: markdownPostmortem({ dir: dirs.postmortemDir }),
    archive: directoryArchive(dirs.archiveDir),
    invitations: nodemailerReviewInviter({
      transport: nodemailer.createTransport({ jsonTransport: true }),
      from: 'incident-response@localhost',
      contacts: policy.contacts,
      outbox,
      remote: false,
    }),
    tickets: noTickets,
  };
}

/** Each real provider replaces its embedded default once its settings are present. */
export function configuredProviders(
  policy: Policy,
  dirs: LocalDirs,
  config: IntegrationConfig,
  rollbackEnv: RollbackEnvironment = rollbackEnvironment(),
): IntegrationProviders {
  const providers = embeddedProviders(policy, dirs, config.PROMETHEUS_URL, rollbackEnv);
  providers.archive = openArchive(loadRecordsConfig().archive);
  if (config.SLACK_BOT_TOKEN) {
    providers.chat = slackChat({
      client: createSlackClient(config.SLACK_BOT_TOKEN, config.SLACK_API_URL),
      contacts: policy.contacts,
      archiveOnClose: policy.chat.archiveOnClose,
    });
  }
  if (config.SMTP_URL) {
    providers.email = smtpEmail({
      transport: createSmtpTransport(config.SMTP_URL),
      from: config.EMAIL_FROM,
      contacts: policy.contacts,
      // Only this provider writes the email log, so its own Outbox instance over the same directory is safe.
      outbox: new Outbox(dirs.outboxDir),
    });
    providers.invitations = nodemailerReviewInviter({
      transport: createSmtpTransport(config.SMTP_URL),
      from: config.EMAIL_FROM,
      contacts: policy.contacts,
      remote: true,
    });
  }
  if (config.STATUSPAGE_API_KEY && config.STATUSPAGE_PAGE_ID) {
    providers.statusPage = atlassianStatusPage({
      apiKey: config.STATUSPAGE_API_KEY,
      pageId: config.STATUSPAGE_PAGE_ID,
      componentIds: config.STATUSPAGE_COMPONENT_IDS,
      minIntervalMs: 1000 / config.STATUSPAGE_REQUESTS_PER_SECOND,
      ...(config.STATUSPAGE_API_URL ? { apiUrl: config.STATUSPAGE_API_URL } : {}),
    });
  }
  // No pager: a page reaches its target by whichever chat and email are configured, never nobody.
  providers.pager = contactPager(new Outbox(dirs.outboxDir), providers.chat, providers.email);
  if (config.PAGERDUTY_ROUTING_KEY || Object.keys(config.PAGERDUTY_ROUTING_KEYS).length > 0) {
    providers.pager = pagerDutyPager({
      routingKeys: config.PAGERDUTY_ROUTING_KEYS,
      ...(config.PAGERDUTY_ROUTING_KEY ? { defaultRoutingKey: config.PAGERDUTY_ROUTING_KEY } : {}),
      ...(config.PAGERDUTY_EVENTS_URL ? { eventsUrl: config.PAGERDUTY_EVENTS_URL } : {}),
    });
  }
  if (config.GITHUB_TOKEN && config.GITHUB_REPO) {
    providers.postmortem = githubIssuePostmortem({
      token: config.GITHUB_TOKEN,
      repo: config.GITHUB_REPO,
      ...(config.GITHUB_API_URL ? { apiUrl: config.GITHUB_API_URL } : {}),
    });
    providers.tickets = githubTickets({
      token: config.GITHUB_TOKEN,
      repo: config.GITHUB_REPO,
      ...(config.GITHUB_API_URL ? { apiUrl: config.GITHUB_API_URL } : {}),
    });
  }
  return providers;
}
