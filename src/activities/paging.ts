import type { Outbox } from './outbox';
import type { DeliveryReceipt, PageRequest } from './types';

export interface PagerProvider {
  send(request: PageRequest): Promise<DeliveryReceipt>;
}

/** A page's dedup key is stable per incident, reason and level, so re-triggering the same page is a no-op. */
export function pageDedupKey(request: Pick<PageRequest, 'incidentId' | 'reason' | 'level'>): string {
  return `incident-${request.incidentId}-${request.reason}-${request.level}`;
}

export function outboxPager(outbox: Outbox): PagerProvider {
  return {
    async send(request) {
      const dedupKey = pageDedupKey(request);
      const { duplicate } = await outbox.deliver({
        channel: 'pager',
        key: request.key,
        incidentId: request.incidentId,
        drill: request.drill,
        payload: {
          action: request.action,
          target: request.target,
          reason: request.reason,
          level: request.level,
          dedupKey,
          summary: request.summary,
        },
      });
      return { destination: `${request.target} (${request.action}, ${dedupKey})`, duplicate };
    },
  };
}
