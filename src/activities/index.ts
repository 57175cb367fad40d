import { Context } from '@temporalio/activity';
import { incidentPolicyFor, type IncidentPolicy, type Policy } from '../domain/policy';
import type { Severity } from '../domain/severity';
import type { ChatProvider } from './chat';
import type { EmailProvider } from './email';
import type { PagerProvider } from './paging';
import type { RollbackRunner } from './rollback';
import type { SmokeTester } from './smoke-tests';
import type { StatusPageProvider } from './status-page';
import type {
  ChatRequest,
  DeliveryReceipt,
  EmailRequest,
  OpenChannelRequest,
  PageRequest,
  RollbackRequest,
  RollbackResult,
  SmokeTestReport,
  SmokeTestRequest,
  StatusPageRequest,
} from './types';

export interface IntegrationProviders {
  policy: Policy;
  chat: ChatProvider;
  email: EmailProvider;
  statusPage: StatusPageProvider;
  pager: PagerProvider;
  smokeTests: SmokeTester;
  rollback: RollbackRunner;
}

/** The activities the incident workflow calls, built from whichever providers the worker was configured with. */
export function createActivities(providers: IntegrationProviders) {
  return {
    /** The policy is read by the worker and recorded in history, so each incident keeps the one it started with. */
    async resolveIncidentPolicy(severity: Severity): Promise<IncidentPolicy> {
      return Promise.resolve(incidentPolicyFor(providers.policy, severity));
    },
    async openIncidentChannel(request: OpenChannelRequest): Promise<DeliveryReceipt> {
      return providers.chat.openChannel(request);
    },
    async postToChat(request: ChatRequest): Promise<DeliveryReceipt> {
      return providers.chat.post(request);
    },
    async sendEmail(request: EmailRequest): Promise<DeliveryReceipt> {
      return providers.email.send(request);
    },
    async publishStatusPage(request: StatusPageRequest): Promise<DeliveryReceipt> {
      return providers.statusPage.publish(request);
    },
    async page(request: PageRequest): Promise<DeliveryReceipt> {
      return providers.pager.send(request);
    },
    async runSmokeTests(request: SmokeTestRequest): Promise<SmokeTestReport> {
      return providers.smokeTests.run(request, () => Context.current().heartbeat());
    },
    async runRollback(request: RollbackRequest): Promise<RollbackResult> {
      return providers.rollback.run(request);
    },
  };
}

export type IncidentActivities = ReturnType<typeof createActivities>;
