import type { PublicUpdate } from '../../domain/incident';
import { publicUpdateFacts } from '../../domain/message-facts';
import { userFacingUpdate } from '../../domain/templates';
import { lookups, notifications, rateLimitedNotifications } from './activity-profiles';
import type { Deliveries } from './deliveries';
import { hasPatch } from './release';

/** Status-page updates go to their own rate-limited task queue, one after another. */
export const STATUS_PAGE_QUEUE_PATCH = 'status-page-queue-v1';

/**
 * Incidents declared since this patch publish the user-facing template's rendering of each public update (a local
 * activity renders it once and it is kept on the update): the built-in page and the provider show the same text, the
 * team's template if it has one. Older incidents publish the workflow's own text.
 */
export const PUBLIC_TEMPLATE_PATCH = 'public-update-template-v1';

/** The incident's public updates: kept on the incident for the built-in page, published to the provider in order. */
export class StatusPageUpdates {
  /** The last status-page update: each waits for the one before, so they reach the page in order. */
  private lastStatusPage: Promise<unknown> = Promise.resolve();

  /** @param shown refreshes what the Web UI shows, which includes the last public update. */
  constructor(
    private readonly deliveries: Deliveries,
    private readonly shown: () => void,
  ) {}

  /** Public updates never reach a status page for security incidents or drills. */
  publish(phase: PublicUpdate['phase'], text?: string): void {
    const { state } = this.deliveries;
    if (!state.policy.rules.statusPage || state.security || state.drill) return;
    const message = userFacingUpdate(state, phase, text);
    const templated = hasPatch(PUBLIC_TEMPLATE_PATCH);
    const update: PublicUpdate = { at: Date.now(), phase, message, ...(templated ? { published: null } : {}) };
    state.publicUpdates.push(update);
    this.shown();
    // Rendered now, not in the provider's turn: the built-in page shows it even while the provider is slow or down.
    const rendering = templated
      ? lookups.renderPublicUpdate(publicUpdateFacts(state, phase, text)).then((published) => {
          update.published = published;
          return published;
        })
      : undefined;
    const ref = this.deliveries.ref('status-page');
    const request = {
      ...ref,
      security: state.security,
      title: state.title,
      severity: state.severity,
      service: state.service,
      phase,
      message,
    };
    if (!hasPatch(STATUS_PAGE_QUEUE_PATCH)) {
      void this.deliveries.track('status-page', () => notifications.publishStatusPage(request));
      return;
    }
    // On the rate-limited queue, one update at a time per incident: the provider reads the page before it writes,
    // and no two workers interleave that read and write for one incident.
    const previous = this.lastStatusPage;
    const publish = async (text: string) => {
      await previous;
      return rateLimitedNotifications().publishStatusPage({ ...request, message: text });
    };
    // Older incidents publish without waiting on anything more: not one await more, so replay schedules as they did.
    const delivery = this.deliveries.track('status-page', () =>
      rendering ? rendering.then(publish) : publish(message),
    );
    this.lastStatusPage = delivery;
  }
}
