import type { MessageFacts } from '../domain/message-facts';
import type { TemplateName } from '../domain/policy/audiences';
import type { MessageOnTheWire } from '../domain/packed-message';
import type { RenderedMessage } from '../domain/templates';
import type { Severity } from '../domain/severity';
import type { IncidentState, PageReason, PublicUpdate } from '../domain/incident';

export type { PageReason };

/**
 * The integration interfaces the workflow talks to. Every request carries an idempotency key derived from
 * the workflow id and step, so a retried or replayed activity never posts, pages or mails twice.
 */
export interface IncidentRef {
  incidentId: string;
  key: string;
  drill: boolean;
}

export interface OpenChannelRequest extends IncidentRef {
  title: string;
  severity: Severity;
  /** Security incidents get a private channel. */
  security: boolean;
  /** Channel topic/purpose: severity, status, commander. */
  topic: string;
  /** Policy contact names (and raw chat user ids or emails) to invite. */
  responders: string[];
  /**
   * The declaration, posted and pinned as the channel's first message by the same activity, so responders read it
   * one workflow task sooner. Its own key keeps a retried attempt from posting it twice.
   */
  declaration?: { key: string; message: MessageOnTheWire; links?: string };
  /**
   * The channel's first summary, pinned beside the declaration by the same activity (incidents since the
   * channel-opening patch). The channel topic is the request's own.
   */
  summary?: { key: string; summary: MessageOnTheWire; links?: string };
  /** What the incident said before its channel existed (the declaration's prompts and checklists), posted in order. */
  posts?: OpeningPost[];
}

/** A post an incident made while its channel was being opened, delivered by the opening activity. */
export interface OpeningPost {
  key: string;
  message: MessageOnTheWire;
  mention?: string[];
}

export interface ChannelReceipt extends DeliveryReceipt {
  /** The provider's handle for the channel (a Slack channel id), used by every later chat call. */
  channel: string;
  /** The declaration's post, when the request carried one. */
  declaration?: DeliveryReceipt;
  /** The first summary's, when the request carried one. */
  summary?: OpeningDelivery;
  /** One per post the request carried, in its order. */
  posts?: OpeningDelivery[];
}

/** A delivery of the opening: its receipt, or why the provider refused it for good (the channel is open regardless). */
export type OpeningDelivery = DeliveryReceipt | { failed: string };

/**
 * What the workflow asks to send: a message it rendered itself, or a template and the facts to render it from (the
 * activity renders, so a team's own template files need no workflow change). `links` names the service whose runbook
 * and dashboard links the message carries.
 */
export type MessageContent =
  | { message: MessageOnTheWire; template?: undefined; links?: string }
  | { template: TemplateName; facts: MessageFacts; message?: undefined; links?: string };

export interface ChatRequest extends IncidentRef {
  channel: string | null;
  message: RenderedMessage;
  /** People to mention, by policy contact name (e.g. `engineering-manager`). */
  mention?: string[];
  /** Pin the message (the declaration). */
  pin?: boolean;
  /** The open postmortem action item the message is about (a reminder): Slack adds its Mark done button. */
  actionItem?: string;
}

/** The one pinned summary message per incident, edited in place, and the channel topic beside it. */
export interface ChatSummaryRequest extends IncidentRef {
  channel: string | null;
  summary: RenderedMessage;
  topic: string;
  /** The service whose runbook and dashboard links the summary shows (absent in older incidents' requests). */
  links?: string;
  /**
   * The first summary in a channel the incident has just opened: its first attempt has nothing to look for and posts
   * straight away (absent in older incidents' requests and on every later refresh).
   */
  first?: boolean;
}

/** The summary as the workflow sends it, packed (domain/packed-message.ts). */
export type ChatSummaryActivityRequest = Omit<ChatSummaryRequest, 'summary'> & { summary: MessageOnTheWire };

export interface ArchiveChannelRequest extends IncidentRef {
  channel: string | null;
}

export interface EmailRequest extends IncidentRef {
  /** Policy contact names or email addresses; the provider resolves names to addresses. */
  audience: string[];
  message: RenderedMessage;
}

/** A chat post or an email as the workflow sends it: the request with its content still to render. */
export type ChatPostActivityRequest = Omit<ChatRequest, 'message'> & MessageContent;
export type EmailActivityRequest = Omit<EmailRequest, 'message'> & MessageContent;

export interface StatusPageRequest extends IncidentRef {
  /** Security incidents never reach a public page; the provider refuses them as a second guard. */
  security: boolean;
  title: string;
  severity: Severity;
  service: string;
  phase: PublicUpdate['phase'];
  message: string;
}

export interface PageRequest extends IncidentRef {
  action: 'trigger' | 'acknowledge' | 'resolve';
  target: string;
  reason: PageReason;
  /** Ladder level for ack-timeout pages (0 = on-call at declaration), else the count of such escalations. */
  level: number;
  summary: string;
  severity: Severity;
  /** The incident channel, where a pager without a provider mentions the target (absent in older requests). */
  channel?: string | null;
}

export interface DeliveryReceipt {
  /** Where it went, for the timeline: a channel, message id, recipients, page dedup key. */
  destination: string;
  /** True when the provider already had this key: the step was done before (a retry or a replay). */
  duplicate: boolean;
}

export interface SmokeTestRequest extends IncidentRef {
  service: string;
}

export interface SmokeCheckResult {
  name: string;
  passed: boolean;
  latencyMs: number;
  reason: string;
}

export interface SmokeTestReport {
  passed: boolean;
  checks: SmokeCheckResult[];
}

export interface RollbackRequest extends IncidentRef {
  service: string;
  mitigationId: string;
  action: string;
}

export interface RollbackResult {
  succeeded: boolean;
  detail: string;
}

export interface DiagnosticsRequest extends IncidentRef {
  service: string;
  severity: Severity;
  /** An earlier run of this incident's diagnostics already said which tools are not configured: not said again. */
  notConfiguredSaid?: boolean;
}

export interface DiagnosticsLink {
  label: string;
  url: string;
}

/** Only a reference and a short summary travel through Temporal; the snapshot itself stays in the artifact. */
export interface DiagnosticsReport {
  artifact: string;
  summary: string;
  /** The service's dashboard, its logs in Grafana Explore, new or spiking Sentry issues (absent in older reports). */
  links?: DiagnosticsLink[];
}

/** A mark on the service's Grafana dashboard: the incident declared, a mitigation, its resolution. */
export interface AnnotationRequest extends IncidentRef {
  service: string;
  /** Epoch ms of what is marked. */
  at: number;
  event: 'declared' | 'mitigation' | 'resolved';
  text: string;
}

export interface AnnotationReceipt {
  /** False when no dashboard is configured for the service: skipped (the diagnostics summary says so). */
  annotated: boolean;
  detail: string;
}

export interface PostmortemRequest extends IncidentRef {
  /** The incident as it stands at resolution, timeline included. */
  incident: IncidentState;
  dueAt: number;
}

/** What the workflow sends: a reference; the activity reads the incident itself (older incidents sent a copy). */
export interface DraftPostmortemRequest extends IncidentRef {
  incident?: IncidentState;
  dueAt: number;
}

export interface PostmortemReceipt extends DeliveryReceipt {
  /** A file path or an issue URL. */
  location: string;
}

/** Which named action of a service would run, and what reverses it (runbook 000 §5, the saga's plan). */
export interface ActionPlanRequest {
  service: string;
  action: string;
}

export type ActionPlan =
  | { found: true; action: string; via: 'webhook' | 'command'; undo: string | null; idempotent: boolean }
  | { found: false; configured: string[] };

export interface ActionRequest extends IncidentRef {
  service: string;
  action: string;
  mitigationId: string;
}

export interface ActionResult {
  succeeded: boolean;
  detail: string;
  /** The target was handed the step's key (a webhook's Idempotency-Key): a retry after a crash is deduplicated. */
  idempotent: boolean;
  /** The activity attempt that answered: above 1 means an earlier attempt was cut off (a crash, a timeout). */
  attempt: number;
}
