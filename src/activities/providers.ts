import type { Policy } from '../domain/policy';
import type { IncidentArchive } from './archive/record';
import type { ReviewInviter } from './postmortem/invitation';
import type { TicketProvider } from './postmortem/tickets';
import type { ActionRunner } from './remediation/actions';
import type {
  AnnotationReceipt,
  AnnotationRequest,
  ArchiveChannelRequest,
  ChannelReceipt,
  ChatRequest,
  ChatSummaryRequest,
  DeliveryReceipt,
  DiagnosticsReport,
  DiagnosticsRequest,
  EmailRequest,
  OpenChannelRequest,
  PageRequest,
  PostmortemReceipt,
  PostmortemRequest,
  RollbackRequest,
  RollbackResult,
  SmokeTestReport,
  SmokeTestRequest,
  StatusPageRequest,
} from './types';

// The contracts live here, apart from their implementations, so each integration folder depends on this file
// and never on a sibling integration.

/** A chat integration: one channel per incident, messages into it. The outbox and Slack implement it. */
export interface ChatProvider {
  /** With `first`, also posts that message in the new channel (its receipt is the answer's `declaration`). */
  openChannel(
    request: OpenChannelRequest,
    first?: { post: Omit<ChatRequest, 'channel'>; attempt: number },
  ): Promise<ChannelReceipt>;
  /**
   * `attempt` is the activity's attempt number (1 on the first): only a retry can find its own earlier post, so
   * only a retry pays for looking.
   */
  post(request: ChatRequest, attempt: number): Promise<DeliveryReceipt>;
  /** `attempt` as for `post`: a first summary's first attempt cannot have posted it. */
  updateSummary(request: ChatSummaryRequest, attempt: number): Promise<DeliveryReceipt>;
  archive(request: ArchiveChannelRequest): Promise<DeliveryReceipt>;
}

/**
 * What one attempt of a delivery leaves for the next, on whichever worker it runs: the activity's heartbeat details,
 * which Temporal keeps with the activity and hands to its retry.
 */
export interface DeliveryHandoff {
  /** The receipt an earlier attempt recorded once the server accepted the message, if one got that far. */
  earlier: DeliveryReceipt | undefined;
  /** Resolves once the record is with Temporal (or could not be: the delivery goes on, the retry may resend). */
  accepted(receipt: DeliveryReceipt): Promise<void>;
}

export interface EmailProvider {
  send(request: EmailRequest, handoff?: DeliveryHandoff): Promise<DeliveryReceipt>;
}

export interface StatusPageProvider {
  publish(request: StatusPageRequest): Promise<DeliveryReceipt>;
  /**
   * Updates per second the provider's API allows for all workers together; the worker makes it the status-page task
   * queue's dispatch rate (the server enforces it across workers). Unset: no limit.
   */
  readonly updatesPerSecond?: number;
}

export interface PagerProvider {
  /** The handoff reaches a page's email where the pager sends one (no paging provider: chat mention and email). */
  send(request: PageRequest, handoff?: DeliveryHandoff): Promise<DeliveryReceipt>;
}

export interface SmokeTester {
  run(request: SmokeTestRequest, heartbeat: () => void): Promise<SmokeTestReport>;
}

export interface RollbackRunner {
  run(request: RollbackRequest): Promise<RollbackResult>;
}

/** Collects the runbook's diagnostics snapshot into an artifact; only its reference comes back. */
export interface DiagnosticsCollector {
  collect(request: DiagnosticsRequest, heartbeat: () => void): Promise<DiagnosticsReport>;
  /** Marks the service's dashboard; `attempt` above 1 looks for its own earlier mark first. */
  annotate(request: AnnotationRequest, attempt: number): Promise<AnnotationReceipt>;
}

/** Writes the postmortem document (a Markdown file, or a GitHub issue). Idempotent per incident. */
export interface PostmortemWriter {
  create(request: PostmortemRequest): Promise<PostmortemReceipt>;
}

/** Every integration the incident workflow reaches, chosen by configuration when the worker starts. */
export interface IntegrationProviders {
  policy: Policy;
  chat: ChatProvider;
  email: EmailProvider;
  statusPage: StatusPageProvider;
  pager: PagerProvider;
  smokeTests: SmokeTester;
  rollback: RollbackRunner;
  /** The services' named mitigation actions (webhooks, commands), run as the mitigation saga's steps. */
  actions: ActionRunner;
  diagnostics: DiagnosticsCollector;
  postmortem: PostmortemWriter;
  archive: IncidentArchive;
  invitations: ReviewInviter;
  tickets: TicketProvider;
}
