import type { DeliveryReceipt, IncidentRef } from '../../activities/types';
import type { IncidentState } from '../../domain/incident';
import { nextStepRef, type Recorder } from './recorder';

/**
 * Deliveries in the background: none waits on another, none can stop the incident. Each is recorded on the timeline
 * as sent or failed, and settled() lets the workflow wait for stragglers before it closes or continues as new.
 */
export class Deliveries {
  /** The deliveries still in flight. */
  protected readonly pending = new Set<Promise<void>>();

  constructor(
    readonly state: IncidentState,
    readonly recorder: Recorder,
  ) {}

  /** The next step's idempotency key: what keeps a retried or replayed delivery from being made twice. */
  ref(step: string): IncidentRef {
    return nextStepRef(this.state, step);
  }

  /** Runs a delivery and records its outcome; the returned promise settles when it is recorded and never rejects. */
  track(
    channel: string,
    deliver: () => Promise<DeliveryReceipt>,
    onFailure?: () => void,
    audience?: string,
  ): Promise<void> {
    // Who an audience delivery was for stands on the timeline beside where it went.
    const to: Record<string, string> = audience === undefined ? {} : { audience };
    const delivery = deliver().then(
      (receipt) => this.recordSent(channel, receipt, to),
      (error: unknown) => {
        this.recordFailed(channel, rootMessage(error), to);
        onFailure?.();
      },
    );
    return this.watch(delivery);
  }

  recordSent(channel: string, receipt: DeliveryReceipt, to: Record<string, string> = {}): void {
    this.recorder.record('notification-sent', 'system', `${channel}: ${receipt.destination}`, {
      channel,
      duplicate: receipt.duplicate,
      ...to,
    });
  }

  recordFailed(channel: string, reason: string, to: Record<string, string> = {}): void {
    this.recorder.record('notification-failed', 'system', `${channel}: ${reason}`, { channel, ...to });
  }

  /** Counts work as in flight until it settles. */
  watch(work: Promise<void>): Promise<void> {
    const tracked = work.finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
    return tracked;
  }

  /** Runs a non-notification step (diagnostics, postmortem) in the background with the same bookkeeping. */
  background(step: string, work: (ref: IncidentRef) => Promise<void>): void {
    const ref = this.ref(step);
    void this.watch(
      work(ref).catch((error: unknown) => {
        this.recordFailed(step, rootMessage(error));
      }),
    );
  }

  async settled(): Promise<void> {
    while (this.busy()) await Promise.all([...this.pending]);
  }

  /** Whether a delivery is still in flight. */
  busy(): boolean {
    return this.pending.size > 0;
  }
}

interface Failure {
  message?: string;
  cause?: Failure;
}

/** The activity failure wraps the provider's error; the person reading the timeline wants the innermost reason. */
export function rootMessage(error: unknown): string {
  let current = error as Failure | undefined;
  while (current?.cause) current = current.cause;
  return current?.message ?? String(error);
}
