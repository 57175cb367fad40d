import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { lazySchema } from '../../domain/lazy-schema';
import { z } from 'zod';
import { actorSchema, singleLine, prose } from '../../domain/text';
import type { Severity } from '../../domain/severity';

/** One postmortem per incident, with its own id: a reopened and re-resolved incident finds the same one. */
export function postmortemWorkflowId(incidentId: string): string {
  return `postmortem-${incidentId}`;
}

export const ACTION_ITEM_KINDS = ['prevent', 'detect', 'mitigate', 'process', 'runbook-update'] as const;

/** What the incident hands its postmortem when it resolves; plain JSON, the document itself stays where it was written. */
export interface PostmortemInput {
  incidentId: string;
  title: string;
  severity: Severity;
  drill: boolean;
  /** The incident's commander, or whoever resolved it. */
  owner: string;
  /** Who hears about an overdue postmortem or action item whose owner has no manager: the severity's manager. */
  escalateTo: string;
  /** Each policy contact's manager, by contact name; absent in postmortems started before contacts had managers. */
  managers?: Record<string, string>;
  /** Where the draft was written (a file or an issue URL). */
  location: string;
  /** The incident channel, for the reminders. */
  channel: string | null;
  resolvedAt: number;
  dueAt: number;
  /**
   * The incident's post-incident summary carries the draft's location to each audience, as much as it may read (a
   * security incident's stakeholders get no title): the postmortem then tells only the channel, mailing no one.
   */
  inSummary?: boolean;
}

export interface ActionItem {
  id: string;
  title: string;
  owner: string;
  kind: (typeof ACTION_ITEM_KINDS)[number];
  createdAt: number;
  dueAt: number;
  status: 'open' | 'done' | 'deferred';
  /** Why it was deferred (required then), or a note on completion. */
  reason?: string;
  closedAt?: number;
  closedBy?: string;
  /** The ticket it was filed as (a GitHub issue), when a tracker is configured. */
  ticket?: { number: number; url: string };
}

export interface PostmortemEvent {
  at: number;
  type:
    | 'drafted'
    | 'reminder'
    | 'escalation'
    | 'reassigned'
    | 'review-scheduled'
    | 'reviewed'
    | 'action-added'
    | 'action-closed'
    | 'completed';
  message: string;
}

export interface PostmortemState extends PostmortemInput {
  status: 'open' | 'completed';
  reviewedAt: number | null;
  reviewedBy: string | null;
  actionItems: ActionItem[];
  /** The deadlines already fired, by key, so a replayed or carried postmortem never fires one twice. */
  fired: string[];
  events: PostmortemEvent[];
  completedAt: number | null;
  /** The post-incident review, once the owner has set its time; each reschedule sends an updated invitation. */
  review?: { at: number; durationMs: number; attendees: string[]; sequence: number };
  /** When the tickets were last checked (or the first was filed): the next check is due a poll interval later. */
  ticketsCheckedAt?: number;
  ticketPolls?: number;
}

const dueSchema = lazySchema(() =>
  z.iso
    .datetime({ offset: true, message: 'must be an ISO date-time, e.g. 2026-03-10T17:00:00Z' })
    .transform((text) => Date.parse(text)),
);

export const addActionItemSchema = lazySchema(() =>
  z.strictObject({
    title: singleLine(200),
    owner: actorSchema,
    due: dueSchema,
    kind: z.enum(ACTION_ITEM_KINDS),
    by: actorSchema,
  }),
);

export const closeActionItemSchema = lazySchema(() =>
  z
    .strictObject({
      itemId: z.string().regex(/^a\d{1,4}$/, 'is an action item id like a1'),
      outcome: z.enum(['done', 'deferred']),
      reason: prose(1000).optional(),
      by: actorSchema,
    })
    .refine((input) => input.outcome !== 'deferred' || input.reason !== undefined, {
      message: 'a deferred action item needs a reason',
      path: ['reason'],
    }),
);

export const scheduleReviewSchema = lazySchema(() =>
  z.strictObject({
    at: dueSchema,
    /** Minutes; an hour by default. */
    minutes: z.number().int().min(15, 'must be at least 15').max(480, 'must be at most 480').default(60),
    /** Policy contact names or email addresses. */
    attendees: z
      .array(z.union([z.email(), actorSchema]))
      .min(1, 'name at least one attendee')
      .max(50),
    by: actorSchema,
  }),
);

export const reassignPostmortemSchema = lazySchema(() => z.strictObject({ owner: actorSchema, by: actorSchema }));
export const markReviewedSchema = lazySchema(() => z.strictObject({ by: actorSchema }));

export type AddActionItemInput = z.input<typeof addActionItemSchema>;
export type CloseActionItemInput = z.input<typeof closeActionItemSchema>;
export type ReassignPostmortemInput = z.input<typeof reassignPostmortemSchema>;
export type ScheduleReviewInput = z.input<typeof scheduleReviewSchema>;
export type MarkReviewedInput = z.input<typeof markReviewedSchema>;

/** Updates answer only what changed; the whole postmortem is the query. */
export const addActionItemUpdate = defineUpdate<ActionItem, [AddActionItemInput]>('addActionItem');
export const closeActionItemUpdate = defineUpdate<ActionItem, [CloseActionItemInput]>('closeActionItem');
export const reassignPostmortemUpdate = defineUpdate<{ owner: string }, [ReassignPostmortemInput]>(
  'reassignPostmortem',
);
export const markReviewedUpdate = defineUpdate<{ reviewedAt: number }, [MarkReviewedInput]>('markPostmortemReviewed');
export const scheduleReviewUpdate = defineUpdate<{ at: number; sequence: number }, [ScheduleReviewInput]>(
  'schedulePostmortemReview',
);
export const postmortemQuery = defineQuery<PostmortemState>('postmortem');
