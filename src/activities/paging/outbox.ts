import type { Outbox } from '../outbox/store';
import type { PagerProvider } from '../providers';
import { pageDedupKey } from './dedup-key';

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
