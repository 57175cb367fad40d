import type { DeliveryReceipt, IncidentRef, PageReason } from '../activities/types';
import type { IncidentState, PublicUpdate } from '../domain/incident';
import type { RenderedMessage } from '../domain/templates';
import { userFacingUpdate } from '../domain/templates';
import { notifications } from './activity-profiles';
import { nextStepRef, type Recorder } from './recorder';

/**
 * Sends notifications in the background: none waits on another, none can stop the incident.
 * Each delivery is recorded on the timeline as sent or failed, and settled() lets the workflow
 * wait for stragglers before it closes or continues as new.
 */
export class Notifier {
  private readonly pending = new Set<Promise<void>>();
  private channelReady: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly state: IncidentState,
    private readonly recorder: Recorder,
  ) {}

  /** Opens the incident channel and posts the declaration into it; later chat messages wait for the channel. */
  openChannel(declaration: RenderedMessage): void {
    const ref = this.ref('channel');
    const opened = notifications
      .openIncidentChannel({
        ...ref,
        title: this.state.title,
        severity: this.state.severity,
        security: this.state.security,
        commander: this.state.roles.commander ?? null,
        status: this.state.status,
      })
      .then((receipt) => {
        this.state.chatChannel = receipt.destination;
        return receipt;
      });
    this.channelReady = opened.catch(() => undefined);
    this.track('chat', () => opened);
    this.chat(declaration);
  }

  chat(message: RenderedMessage, mention?: string[]): void {
    const ref = this.ref('chat');
    const ready = this.channelReady;
    this.track('chat', async () => {
      await ready;
      return notifications.postToChat({ ...ref, channel: this.state.chatChannel, message, mention });
    });
  }

  email(audience: string[], message: RenderedMessage): void {
    const ref = this.ref('email');
    this.track('email', () => notifications.sendEmail({ ...ref, audience, message }));
  }

  /** Public updates never reach a status page for security incidents or drills. */
  statusPage(phase: PublicUpdate['phase'], text?: string): void {
    if (!this.state.policy.rules.statusPage || this.state.security || this.state.drill) return;
    const message = userFacingUpdate(this.state, phase, text);
    this.state.publicUpdates.push({ at: Date.now(), phase, message });
    const ref = this.ref('status-page');
    this.track('status-page', () =>
      notifications.publishStatusPage({
        ...ref,
        title: this.state.title,
        severity: this.state.severity,
        service: this.state.service,
        phase,
        message,
      }),
    );
  }

  page(action: 'trigger' | 'acknowledge' | 'resolve', target: string, reason: PageReason, level: number): void {
    if (this.state.drill) {
      this.recorder.record('notification-sent', 'system', `drill: ${action} page to ${target} suppressed`, {
        channel: 'pager',
        target,
      });
      return;
    }
    const ref = this.ref('pager');
    const summary = `[${this.state.severity}] ${this.state.title}`;
    this.track('pager', () =>
      notifications.page({ ...ref, action, target, reason, level, summary, severity: this.state.severity }),
    );
  }

  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private ref(channel: string): IncidentRef {
    return nextStepRef(this.state, channel);
  }

  private track(channel: string, deliver: () => Promise<DeliveryReceipt>): void {
    const delivery = deliver().then(
      (receipt) => {
        this.recorder.record('notification-sent', 'system', `${channel}: ${receipt.destination}`, {
          channel,
          duplicate: receipt.duplicate,
        });
      },
      (error: unknown) => {
        const reason = rootMessage(error);
        this.recorder.record('notification-failed', 'system', `${channel}: ${reason}`, { channel });
      },
    );
    const tracked = delivery.finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }
}

/** The activity failure wraps the provider's error; the person reading the timeline wants the innermost reason. */
interface Failure {
  message?: string;
  cause?: Failure;
}

function rootMessage(error: unknown): string {
  let current = error as Failure | undefined;
  while (current?.cause) current = current.cause;
  return current?.message ?? String(error);
}
