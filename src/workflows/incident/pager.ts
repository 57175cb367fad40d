import type { PageReason } from '../../activities/types';
import type { RenderedMessage } from '../../domain/templates';
import { escalationMessage } from '../../domain/templates';
import { paging } from './activity-profiles';
import type { Deliveries } from './deliveries';
import { pageSummary } from './details';

export type PageAction = 'trigger' | 'acknowledge' | 'resolve';

/** Page actions through the pager: drills page nobody, and the actions to one target reach the pager in order. */
export class Pager {
  /** The last page action per target: a retried trigger must land before the ack or resolve that follows it. */
  private readonly pages = new Map<string, Promise<unknown>>();

  /**
   * @param ordered whether page actions to one target run in order (incidents since the planned-deadlines patch).
   * @param atOnce whether a page with nothing before it to its target is sent in the same turn, not one later: it then
   *   leaves in the order the workflow asked for it (incidents since the channel-opening patch).
   * @param whenTriggerFails tells the target another way when a trigger fails for good.
   */
  constructor(
    private readonly deliveries: Deliveries,
    private readonly ordered: boolean,
    private readonly atOnce: boolean,
    private readonly whenTriggerFails: (fallback: RenderedMessage, target: string) => void,
  ) {}

  page(action: PageAction, target: string, reason: PageReason, level: number): void {
    const { state, recorder } = this.deliveries;
    if (state.drill) {
      recorder.record('notification-sent', 'system', `drill: ${action} page to ${target} suppressed`, {
        channel: 'pager',
        target,
      });
      return;
    }
    const ref = this.deliveries.ref('pager');
    const summary = `[${state.severity}] ${state.title}`;
    const onFailure =
      action === 'trigger'
        ? () => {
            const fallback = escalationMessage(state, `paging failed (${reason})`, target, level);
            this.whenTriggerFails(fallback, target);
          }
        : undefined;
    const request = {
      ...ref,
      action,
      target,
      reason,
      level,
      summary,
      severity: state.severity,
      channel: state.chatChannel,
    };
    const purpose = pageSummary(state, action, target, reason, level);
    const send = () => paging.page.executeWithOptions({ summary: purpose }, [request]);
    if (!this.ordered) return void this.deliveries.track('pager', send, onFailure);
    // Without the order, a trigger retried after a worker crash can re-open a page already acknowledged or resolved.
    const previous = this.pages.get(target);
    const after =
      previous === undefined && this.atOnce
        ? send
        : async () => {
            await previous;
            return send();
          };
    const delivery = this.deliveries.track('pager', after, onFailure);
    this.pages.set(target, delivery);
  }
}
