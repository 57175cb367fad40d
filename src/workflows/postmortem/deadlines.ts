import type { PostmortemState } from './definitions';

const HOUR = 3_600_000;

/** Reminders to the owner before the document is due; one to the action item's owner a day before its due date. */
export const DOCUMENT_REMINDERS_BEFORE = [24 * HOUR, 2 * HOUR] as const;
export const ACTION_ITEM_REMINDER_BEFORE = 24 * HOUR;
export const REVIEW_REMINDER_BEFORE = HOUR;
/** How often filed tickets are checked: an item closes when its ticket does. */
export const TICKET_POLL_EVERY = 6 * HOUR;

export interface PostmortemDeadline {
  /** Unique per postmortem: recorded once fired. */
  key: string;
  at: number;
  kind: 'reminder' | 'escalation' | 'ticket-poll';
  /** The action item it is about; none for the document. */
  itemId?: string;
  /** A reminder of the review meeting, to its attendees. */
  review?: boolean;
}

/** Every deadline still ahead or due and not yet fired, earliest first. Pure: the workflow plans its one timer from it. */
export function postmortemDeadlines(state: PostmortemState): PostmortemDeadline[] {
  const deadlines: PostmortemDeadline[] = [];
  if (state.reviewedAt === null) {
    for (const before of DOCUMENT_REMINDERS_BEFORE) {
      const at = state.dueAt - before;
      // A reminder whose time passed before the postmortem existed (a short due window) is skipped, not fired late.
      if (at > state.resolvedAt) deadlines.push({ key: `document-reminder-${before / HOUR}h`, at, kind: 'reminder' });
    }
    deadlines.push({ key: 'document-overdue', at: state.dueAt, kind: 'escalation' });
    const review = state.review;
    if (review !== undefined) {
      deadlines.push({
        key: `review-reminder-${review.sequence}`,
        at: review.at - REVIEW_REMINDER_BEFORE,
        kind: 'reminder',
        review: true,
      });
    }
  }
  for (const item of state.actionItems) {
    if (item.status !== 'open') continue;
    if (item.dueAt - ACTION_ITEM_REMINDER_BEFORE > item.createdAt)
      deadlines.push({
        key: `${item.id}-reminder`,
        at: item.dueAt - ACTION_ITEM_REMINDER_BEFORE,
        kind: 'reminder',
        itemId: item.id,
      });
    deadlines.push({ key: `${item.id}-overdue`, at: item.dueAt, kind: 'escalation', itemId: item.id });
  }
  if (state.ticketsCheckedAt !== undefined && state.actionItems.some((i) => i.status === 'open' && i.ticket)) {
    const at = state.ticketsCheckedAt + TICKET_POLL_EVERY;
    deadlines.push({ key: `ticket-poll-${state.ticketPolls ?? 0}`, at, kind: 'ticket-poll' });
  }
  const fired = new Set(state.fired);
  return deadlines.filter((d) => !fired.has(d.key)).sort((a, b) => a.at - b.at);
}

/** Complete once the document is reviewed and no action item is still open (each done, or deferred with a reason). */
export function isComplete(state: PostmortemState): boolean {
  return state.reviewedAt !== null && state.actionItems.every((item) => item.status !== 'open');
}
