import { ApplicationFailure, upsertSearchAttributes } from '@temporalio/workflow';
import type { z } from 'zod';
import { commandTime, type CommandMeta } from '../../domain/command-meta';
import { IncidentErrorType } from '../../domain/errors';
import type { IncidentState, PageReason } from '../../domain/incident';
import { describeIssues } from '../../domain/inputs';
import { rejectionReason, type Command } from '../../domain/lifecycle';
import { permissionRefusal } from '../../domain/policy/roles';
import { incidentSeverityKey, incidentServiceKey, incidentStatusKey } from '../../domain/search-attributes';
import type { IncidentStatus } from '../../domain/severity';
import { planDeadlines } from '../../domain/deadlines';
import type { CommandResult, IncidentOutcome, IncidentView } from '../definitions';
import { Notifier } from './notifier';
import { Recorder } from './recorder';

/**
 * The incident's state and the mechanics shared by its handlers: validation, status changes with their
 * search attributes, and the notifier. The story itself lives in incident.ts and the handler modules.
 */
export class Incident {
  readonly recorder: Recorder;
  readonly notify: Notifier;
  /** True while resolve or a failed mitigation is verifying; a second verification is refused meanwhile. */
  verifying = false;
  /** How many timeline entries the declaration wrote (0 for a carried incident): the declaration's answer. */
  declarationEntries = 0;

  /**
   * @param planned whether this run plans its deadlines the current way (see workflow.ts): only a change to the
   * earliest deadline re-plans its timer, and commands count from when they were issued.
   */
  constructor(
    readonly state: IncidentState,
    readonly planned = true,
  ) {
    this.recorder = new Recorder(state);
    this.notify = new Notifier(state, this.recorder, planned);
  }

  get isClosed(): boolean {
    return this.state.status === 'closed';
  }

  view(): IncidentView {
    return { ...this.state, deadlines: planDeadlines(this.state), verifying: this.verifying };
  }

  /** An update's answer: what the command wrote since `mark` (a timeline length) and what comes next. */
  result(mark: number): CommandResult {
    const { id, status, severity, drill, security, timeline } = this.state;
    // Diagnostics taken in the background (at declaration, after a mitigation) land on their own, like deliveries.
    const added = timeline
      .slice(mark)
      .filter((e) => e.type !== 'notification-sent' && e.type !== 'notification-failed')
      .filter((e) => e.type !== 'diagnostics' || e.actor !== 'system');
    return { incidentId: id, status, severity, drill, security, added, next: planDeadlines(this.state)[0] ?? null };
  }

  outcome(): IncidentOutcome {
    const { id, severity, status, declaredAt, acknowledgedAt, resolvedAt, closedAt } = this.state;
    return { incidentId: id, severity, status, declaredAt, acknowledgedAt, resolvedAt, closedAt };
  }

  /** The entries the declaration wrote (none for an incident carried over from an earlier run). */
  declarationTimeline(): CommandResult['added'] {
    return this.state.timeline.slice(0, this.declarationEntries);
  }

  /** When a command happened: as its client stamped it, bounded by the workflow's clock. */
  commandTime(meta: CommandMeta): number {
    return this.planned ? commandTime(meta, Date.now(), this.state.declaredAt) : Date.now();
  }

  /** Parses the input and checks the transition; thrown from a validator, this keeps the update out of history. */
  check<S extends z.ZodType>(command: Command, schema: S, input: unknown): z.output<S> {
    const parsed = parseOrReject(schema, input);
    const reason = rejectionReason(this.state, command);
    if (reason !== null) this.reject(IncidentErrorType.IllegalTransition, reason);
    // Who may do what (policy roles): every command names its person as `by`.
    const by = (parsed as { by?: unknown }).by;
    const refusal =
      typeof by === 'string' ? permissionRefusal(this.state.policy.roles, this.state.roles, command, by) : null;
    if (refusal !== null) this.reject(IncidentErrorType.NotPermitted, refusal);
    return parsed;
  }

  reject(type: IncidentErrorType, message: string): never {
    return refuse(type, message);
  }

  /** Plain JSON for the next run. Deliveries that went through are in this run's history; only failures carry on. */
  carriedState(): IncidentState {
    return { ...this.state, timeline: this.state.timeline.filter((e) => e.type !== 'notification-sent') };
  }

  setStatus(status: IncidentStatus): void {
    if (this.state.status === status) return;
    this.state.status = status;
    this.recorder.changed();
    this.publishSearchAttributes();
    this.notify.summary();
  }

  publishSearchAttributes(): void {
    upsertSearchAttributes([
      { key: incidentSeverityKey, value: this.state.severity },
      { key: incidentStatusKey, value: this.state.status },
      { key: incidentServiceKey, value: this.state.service },
    ]);
  }

  /** Closes every page that is still open (on acknowledgement or resolution). */
  closePages(action: 'acknowledge' | 'resolve'): void {
    for (const page of this.state.escalation.openPages) {
      this.notify.page(action, page.target, page.reason, page.level);
    }
    if (action === 'resolve') this.state.escalation.openPages = [];
  }

  trigger(target: string, reason: PageReason, level: number): void {
    this.notify.page('trigger', target, reason, level);
    if (!this.state.drill) this.state.escalation.openPages.push({ target, reason, level });
  }
}

/** Refuses a command: thrown from a validator, this keeps the update out of history. */
export function refuse(type: IncidentErrorType, message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}

export function parseOrReject<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const message = describeIssues(parsed.error);
    refuse(IncidentErrorType.InvalidInput, message);
  }
  return parsed.data;
}
