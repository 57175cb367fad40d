import type { AlertsState } from './alerts';
import { declaredSeverity, type Declaration } from './inputs';
import type { IncidentPolicy } from './policy';
import type { IncidentStatus, Role, Severity } from './severity';

/** Everything here crosses payloads and run boundaries, so it is plain JSON: times are epoch milliseconds. */

export const TIMELINE_TYPES = [
  'detected',
  'declared',
  'alert-refired',
  'alert-joined',
  'alert-resolved',
  'alerts-all-resolved',
  'acknowledged',
  'role-assigned',
  'severity-changed',
  'status-update',
  'status-reminder',
  'escalation',
  'page-deferred',
  'commander-reminder',
  'role-prompt',
  'mitigation-started',
  'mitigation-finished',
  'rollback',
  'action-run',
  'smoke-tests',
  'notification-sent',
  'notification-failed',
  'resolved',
  'reopened',
  'verification-failed',
  'note',
  'diagnostics',
  'postmortem',
  'checklist',
  'integrity-confirmed',
  'breach-confirmed',
  'closed',
] as const;
export type TimelineType = (typeof TIMELINE_TYPES)[number];

export type EscalationReason = 'ack-timeout' | 'no-status-update' | 'unresolved' | 'no-commander';
export type PageReason = 'declared' | 'manual' | EscalationReason;

export interface TimelineEntry {
  at: number;
  type: TimelineType;
  /** Who or what caused it: a person, `alert:<source>`, or `system`. */
  actor: string;
  message: string;
  data?: Record<string, string | number | boolean>;
}

export type MitigationKind = 'rollback' | 'feature-flag' | 'scale' | 'restart' | 'failover' | 'other';

export interface Mitigation {
  id: string;
  action: string;
  kind: MitigationKind;
  startedBy: string;
  startedAt: number;
  finishedAt?: number;
  outcome?: 'succeeded' | 'failed';
}

/** One item of a special path's checklist (policy-checklists.ts), ticked off with `incident check`. */
export interface ChecklistItem {
  id: string;
  list: 'data-loss' | 'security';
  text: string;
  doneBy?: string;
  doneAt?: number;
}

/** Declared with data loss or corruption: the incident closes only once a named person confirms integrity. */
export interface DataLossFacts {
  owners: string[];
  confirmedBy: string | null;
  confirmedAt: number | null;
}

export interface StatusUpdate {
  at: number;
  by: string;
  impact: string;
  hypothesis: string;
  actions?: string;
  nextUpdateAt: number | null;
}

/** What the public status page may show: user-facing text only, never internal notes. */
export interface PublicUpdate {
  at: number;
  phase: 'investigating' | 'identified' | 'monitoring' | 'resolved';
  /** The text written for the public (`--public`), or the workflow's own line for the phase. */
  message: string;
  /**
   * What the status page shows and the provider received: the user-facing template's rendering of this update,
   * rendered once by the worker. Null until it is rendered (or when rendering failed: then it is never shown);
   * absent on updates published before the template was used, which show `message`.
   */
  published?: string | null;
}

/**
 * The updates as the public saw them: the user-facing template's rendering kept on each (one rendering however many
 * read the page). One still being rendered, or whose rendering failed, was never published and is left out; updates
 * from before the template carry the workflow's own text.
 */
export function publishedUpdates(updates: PublicUpdate[]): PublicUpdate[] {
  return updates.flatMap(({ at, phase, message, published }) =>
    published === null ? [] : [{ at, phase, message: published ?? message }],
  );
}

export interface EscalationFacts {
  /** Ladder steps fired for lack of acknowledgement. */
  ackLevel: number;
  /** When the ladder last moved (declaration, or the last ack escalation). */
  ackClockFrom: number;
  unresolvedFired: boolean;
  statusEscalations: number;
  /** Pages triggered and not yet resolved, so acknowledgement and resolution can close them. */
  openPages: Array<{ target: string; reason: PageReason; level: number }>;
}

export interface StatusClock {
  /** The cadence counts from here: declaration, the last update, or the last escalation for lack of one. */
  since: number;
  /** An update's "next update" promise, which may only shorten the cadence. */
  promisedBy: number | null;
  /** Set once the reminder for the current due time went out. */
  reminded: boolean;
}

export interface IncidentState {
  id: string;
  title: string;
  service: string;
  summary: string;
  severity: Severity;
  status: IncidentStatus;
  drill: boolean;
  security: boolean;
  source: string;
  detectedAt: number;
  declaredAt: number;
  acknowledgedAt: number | null;
  resolvedAt: number | null;
  closedAt: number | null;
  roles: Partial<Record<Role, string>>;
  policy: IncidentPolicy;
  escalation: EscalationFacts;
  statusClock: StatusClock;
  /** The public cadence's clock once something moved it (a reminder, an escalation); see publicDueAt. */
  publicClock?: { since: number; remindedFor: number | null };
  /** Reminders to take command so far and when the last went out (policy `roles`); absent until the first. */
  commanderClock?: { since: number; reminders: number };
  /** A page held back until business hours (SEV-3 by default). */
  deferredPageAt: number | null;
  mitigations: Mitigation[];
  statusUpdates: StatusUpdate[];
  publicUpdates: PublicUpdate[];
  timeline: TimelineEntry[];
  chatChannel: string | null;
  resolutionSummary: string | null;
  /** Monotonic counter used to derive idempotency keys that stay unique across runs. */
  step: number;
  /** The alerts of the group that declared it (alert intake); absent for incidents no alert ever reached. */
  alerts?: AlertsState;
  /** Present when declared with data loss or corruption. */
  dataLoss?: DataLossFacts;
  /** The special paths' checklists posted so far (data loss, security); absent until one is. */
  checklist?: ChecklistItem[];
  /** When a security breach was confirmed (runbook 003: at least SEV-1 from then on). */
  breachConfirmedAt?: number;
}

/** A newly declared incident: nothing acknowledged, every clock counting from the declaration. */
export function openIncidentState(declaration: Declaration, policy: IncidentPolicy, declaredAt: number): IncidentState {
  return {
    id: declaration.id,
    title: declaration.title,
    service: declaration.service,
    summary: declaration.summary,
    severity: declaredSeverity(declaration),
    status: 'declared',
    drill: declaration.drill,
    security: declaration.security,
    source: declaration.source,
    detectedAt: declaration.detectedAt ? Date.parse(declaration.detectedAt) : declaredAt,
    declaredAt,
    acknowledgedAt: null,
    resolvedAt: null,
    closedAt: null,
    roles: declaration.commander ? { commander: declaration.commander } : {},
    policy,
    escalation: { ackLevel: 0, ackClockFrom: declaredAt, unresolvedFired: false, statusEscalations: 0, openPages: [] },
    statusClock: { since: declaredAt, promisedBy: null, reminded: false },
    deferredPageAt: null,
    mitigations: [],
    statusUpdates: [],
    publicUpdates: [],
    timeline: [],
    chatChannel: null,
    resolutionSummary: null,
    step: 0,
    ...(declaration.dataLoss
      ? { dataLoss: { owners: policy.dataLoss?.owners ?? [], confirmedBy: null, confirmedAt: null } }
      : {}),
  };
}
