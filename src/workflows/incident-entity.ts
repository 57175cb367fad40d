import { ApplicationFailure, upsertSearchAttributes } from '@temporalio/workflow';
import type { z } from 'zod';
import { IncidentErrorType } from '../domain/errors';
import type { IncidentState, PageReason } from '../domain/incident';
import { describeIssues } from '../domain/inputs';
import { rejectionReason, type Command } from '../domain/lifecycle';
import { incidentSeverityKey, incidentServiceKey, incidentStatusKey } from '../domain/search-attributes';
import type { IncidentStatus } from '../domain/severity';
import { planDeadlines } from '../domain/deadlines';
import type { IncidentView } from './definitions';
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

  constructor(readonly state: IncidentState) {
    this.recorder = new Recorder(state);
    this.notify = new Notifier(state, this.recorder);
  }

  get isClosed(): boolean {
    return this.state.status === 'closed';
  }

  view(): IncidentView {
    return { ...this.state, deadlines: planDeadlines(this.state), verifying: this.verifying };
  }

  /** Parses the input and checks the transition; thrown from a validator, this keeps the update out of history. */
  check<S extends z.ZodType>(command: Command, schema: S, input: unknown): z.output<S> {
    const parsed = parseOrReject(schema, input);
    const reason = rejectionReason(this.state, command);
    if (reason !== null) this.reject(IncidentErrorType.IllegalTransition, reason);
    return parsed;
  }

  reject(type: IncidentErrorType, message: string): never {
    throw ApplicationFailure.create({ type, message, nonRetryable: true });
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

export function parseOrReject<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const message = describeIssues(parsed.error);
    throw ApplicationFailure.create({ type: IncidentErrorType.InvalidInput, message, nonRetryable: true });
  }
  return parsed.data;
}
