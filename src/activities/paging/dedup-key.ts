import type { PageRequest } from '../types';

/** A page's dedup key is stable per incident, reason and level, so re-triggering the same page is a no-op. */
export function pageDedupKey(request: Pick<PageRequest, 'incidentId' | 'reason' | 'level'>): string {
  return `incident-${request.incidentId}-${request.reason}-${request.level}`;
}
