import { isDeepStrictEqual } from 'node:util';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { IncidentErrorType } from '../domain/errors';
import { declaredSeverity, declareSchema, describeIssues, type Declaration } from '../domain/inputs';
import type { IncidentState } from '../domain/incident';
import { incidentWorkflowId, stateQuery } from '../workflows/definitions';
import { incidentPolicyFor, type IncidentPolicy } from '../domain/policy';
import type { Severity } from '../domain/severity';
import { archiveActivities } from './archive/activities';
import { drillActivities } from './drill/activities';
import { drillSafeProviders } from './drill/safe-providers';
import { invitationActivities } from './postmortem/invitation';
import { postmortemActivities } from './postmortem/start';
import { ticketActivities } from './postmortem/tickets';
import { pageTargets } from './paging/targets';
import { checksFor } from './verification/smoke-tests';
import { openChannelWithPosts } from './chat/opening';
import { heartbeatHandoff } from './handoff';
import type { IntegrationProviders } from './providers';
import type { MessageFacts } from '../domain/message-facts';
import { unpackMessage } from '../domain/packed-message';
import { messageRenderer, publicText, serviceLinks, withFields } from './templates/content';
import type { ActionPlan, ActionPlanRequest, ActionRequest, ActionResult } from './types';
import type {
  AnnotationReceipt,
  AnnotationRequest,
  ArchiveChannelRequest,
  ChannelReceipt,
  ChatPostActivityRequest,
  ChatSummaryActivityRequest,
  DeliveryReceipt,
  DiagnosticsReport,
  DiagnosticsRequest,
  EmailActivityRequest,
  OpenChannelRequest,
  PageRequest,
  PostmortemReceipt,
  DraftPostmortemRequest,
  RollbackRequest,
  RollbackResult,
  SmokeTestReport,
  SmokeTestRequest,
  StatusPageRequest,
} from './types';

export type { IntegrationProviders };

/** A declaration the worker checked, with its severity's policy. */
export interface AcceptedDeclaration {
  policy: IncidentPolicy;
  /** Only when checking changed what was sent. */
  declaration?: Declaration;
}

/** The activities the incident workflow calls, built from whichever providers the worker was configured with. */
export function createActivities(configured: IntegrationProviders) {
  // Drills reach their participants only, whatever the configured providers would reach (drill/safe-providers.ts).
  const providers = drillSafeProviders(configured);
  const render = messageRenderer(providers.policy);
  const policyOf = (severity: Severity, service?: string): IncidentPolicy => {
    const policy = incidentPolicyFor(providers.policy, severity);
    if (service === undefined) return policy;
    const config = providers.policy.services[service];
    const dashboard = providers.policy.diagnostics.grafana !== undefined && config?.diagnostics?.grafana !== undefined;
    return { ...policy, smokeChecks: checksFor(config).length, dashboard };
  };
  return {
    /** The policy is read by the worker and recorded in history, so each incident keeps the one it started with. */
    async resolveIncidentPolicy(severity: Severity, service?: string): Promise<IncidentPolicy> {
      return Promise.resolve(policyOf(severity, service));
    },
    /**
     * Checks a declaration and reads its severity's policy in one step, here rather than in the workflow's sandbox,
     * where zod would be loaded again for every incident (workflows/sandbox-zod.ts). The answer is recorded in
     * history, so it carries the declaration only when checking changed it (defaults a client left out).
     */
    async acceptDeclaration(declaration: unknown): Promise<AcceptedDeclaration> {
      const parsed = declareSchema.safeParse(declaration);
      if (!parsed.success) {
        const message = describeIssues(parsed.error);
        throw ApplicationFailure.create({ type: IncidentErrorType.InvalidInput, message, nonRetryable: true });
      }
      const policy = policyOf(declaredSeverity(parsed.data), parsed.data.service);
      return Promise.resolve(
        isDeepStrictEqual(parsed.data, declaration) ? { policy } : { policy, declaration: parsed.data },
      );
    },
    async openIncidentChannel(request: OpenChannelRequest): Promise<ChannelReceipt> {
      return openChannelWithPosts(providers.chat, providers.policy, request, Context.current().info.attempt);
    },
    /** Renders here, not in the workflow: a team's own template files take effect without a workflow change. */
    async postToChat(request: ChatPostActivityRequest): Promise<DeliveryReceipt> {
      const { incidentId, key, drill, channel, mention, pin, actionItem } = request;
      const post = { incidentId, key, drill, channel, mention, pin, actionItem, message: render(request) };
      return providers.chat.post(post, Context.current().info.attempt);
    },
    async updateChatSummary(request: ChatSummaryActivityRequest): Promise<DeliveryReceipt> {
      const summary = withFields(unpackMessage(request.summary), serviceLinks(providers.policy, request.links));
      return providers.chat.updateSummary({ ...request, summary }, Context.current().info.attempt);
    },
    async archiveChannel(request: ArchiveChannelRequest): Promise<DeliveryReceipt> {
      return providers.chat.archive(request);
    },
    async sendEmail(request: EmailActivityRequest): Promise<DeliveryReceipt> {
      const { incidentId, key, drill, audience } = request;
      return providers.email.send({ incidentId, key, drill, audience, message: render(request) }, heartbeatHandoff());
    },
    /**
     * The user-facing template's text for one status page update, rendered once here and kept on the update: the
     * built-in page shows it and the provider receives it, so a team's template changes both and no reader renders.
     */
    async renderPublicUpdate(facts: MessageFacts): Promise<string> {
      return Promise.resolve(publicText(render({ template: 'user-facing-update', facts })));
    },
    async publishStatusPage(request: StatusPageRequest): Promise<DeliveryReceipt> {
      return providers.statusPage.publish(request);
    },
    async page(request: PageRequest): Promise<DeliveryReceipt> {
      return providers.pager.send(request, heartbeatHandoff());
    },
    async runSmokeTests(request: SmokeTestRequest): Promise<SmokeTestReport> {
      return providers.smokeTests.run(request, () => Context.current().heartbeat());
    },
    async runRollback(request: RollbackRequest): Promise<RollbackResult> {
      return providers.rollback.run(request);
    },
    async listPageTargets(): Promise<string[]> {
      return Promise.resolve(pageTargets(providers.policy));
    },
    async planAction(request: ActionPlanRequest): Promise<ActionPlan> {
      return Promise.resolve(providers.actions.plan(request));
    },
    async runAction(request: ActionRequest): Promise<ActionResult> {
      return providers.actions.run(request, Context.current().info.attempt);
    },
    async collectDiagnostics(request: DiagnosticsRequest): Promise<DiagnosticsReport> {
      return providers.diagnostics.collect(request, () => Context.current().heartbeat());
    },
    async annotateDashboard(request: AnnotationRequest): Promise<AnnotationReceipt> {
      return providers.diagnostics.annotate(request, Context.current().info.attempt);
    },
    async createPostmortem(request: DraftPostmortemRequest): Promise<PostmortemReceipt> {
      const incident = request.incident ?? (await currentIncident(request.incidentId));
      return providers.postmortem.create({ ...request, incident });
    },
    ...archiveActivities(providers.archive),
    ...postmortemActivities(providers.postmortem, providers.policy),
    ...invitationActivities(providers.invitations),
    ...ticketActivities(providers.tickets),
    ...drillActivities(providers),
  };
}

export type IncidentActivities = ReturnType<typeof createActivities>;

/** The incident as its workflow holds it now (its view: the state plus the deadlines), read by query. */
async function currentIncident(incidentId: string): Promise<IncidentState> {
  return Context.current().client.workflow.getHandle(incidentWorkflowId(incidentId)).query(stateQuery);
}
