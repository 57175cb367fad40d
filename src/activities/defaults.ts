import nodemailer from 'nodemailer';
import type { Policy } from '../domain/policy';
import { outboxChat } from './chat';
import { nodemailerEmail } from './email';
import type { IntegrationProviders } from './index';
import { Outbox } from './outbox';
import { outboxPager } from './paging';
import { configuredRollback } from './rollback';
import { httpSmokeTester } from './smoke-tests';
import { outboxStatusPage } from './status-page';

/** The no-credentials setup: every channel writes to the local outbox, smoke tests and rollback use the policy. */
export function embeddedProviders(policy: Policy, outboxDir: string): IntegrationProviders {
  const outbox = new Outbox(outboxDir);
  return {
    policy,
    chat: outboxChat(outbox),
    email: nodemailerEmail({
      transport: nodemailer.createTransport({ jsonTransport: true }),
      from: 'incident-response@localhost',
      contacts: policy.contacts,
      outbox,
    }),
    statusPage: outboxStatusPage(outbox),
    pager: outboxPager(outbox),
    smokeTests: httpSmokeTester(policy.services),
    rollback: configuredRollback(policy.services),
  };
}
