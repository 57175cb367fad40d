import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { z } from 'zod';
import type { IncidentActivities } from '../../activities';
import { describeIssues } from '../../domain/inputs';
import { IncidentErrorType } from '../../domain/errors';
import type { RenderedMessage } from '../../domain/templates';
import { isComplete, postmortemDeadlines, type PostmortemDeadline } from './deadlines';
import {
  addActionItemSchema,
  addActionItemUpdate,
  closeActionItemSchema,
  closeActionItemUpdate,
  markReviewedSchema,
  markReviewedUpdate,
  postmortemQuery,
  reassignPostmortemSchema,
  reassignPostmortemUpdate,
  scheduleReviewSchema,
  scheduleReviewUpdate,
  type ActionItem,
  type PostmortemEvent,
  type PostmortemInput,
  type PostmortemState,
} from './definitions';

/** Reminders are worth a few tries and never worth failing the postmortem for. */
const { postToChat, sendEmail, sendReviewInvitation, fileActionItem, closedTickets } =
  proxyActivities<IncidentActivities>({
    startToCloseTimeout: '30s',
    retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 6 },
  });

/**
 * The postmortem of one resolved incident (runbooks 001 §6, 002 §5, 004 §7), from the draft to the last action
 * item: it tells the channel and stakeholders where the draft is, reminds the owner before it is due and escalates to
 * the owner's manager (or the severity's) when it is overdue, tracks each action item's due date the same way, and completes once the document
 * is reviewed and every item is done or deferred with a reason. It outlives the incident and any reopening of it.
 */
export async function postmortemWorkflow(input: PostmortemInput): Promise<PostmortemState> {
  const state: PostmortemState = {
    ...input,
    status: 'open',
    reviewedAt: null,
    reviewedBy: null,
    actionItems: [],
    fired: [],
    events: [],
    completedAt: null,
  };
  let revision = 0;
  const pm: Postmortem = {
    state,
    pending: [],
    record: (type, text) => {
      state.events.push({ at: Date.now(), type, message: text });
      revision += 1;
    },
  };
  const { record } = pm;
  registerHandlers(pm);

  record('drafted', `draft at ${input.location}, owned by ${input.owner}, due ${iso(input.dueAt)}`);
  const drafted = message(state, `postmortem draft: ${input.location}`, [
    ['Owner', input.owner],
    ['Due', iso(input.dueAt)],
  ]);
  notify(pm, 'drafted', { chat: true, ...(input.inSummary ? {} : { email: ['stakeholders'] }) }, drafted);

  while (!isComplete(state)) {
    const next = postmortemDeadlines(state)[0];
    const seen = revision;
    const changed = () => revision !== seen;
    if (next === undefined) {
      await condition(changed);
      continue;
    }
    const wait = next.at - Date.now();
    if (wait > 0 && (await condition(changed, wait))) continue;
    if (next.kind === 'ticket-poll') await pollTickets(pm, next.key);
    else fire(pm, next);
  }
  state.status = 'completed';
  state.completedAt = Date.now();
  record('completed', `completed: reviewed by ${state.reviewedBy}, ${summarizeItems(state.actionItems)}`);
  notify(
    pm,
    'completed',
    { chat: true },
    message(state, 'postmortem complete', [['Action items', summarizeItems(state.actionItems)]]),
  );
  await condition(allHandlersFinished);
  await Promise.all(pm.pending);
  return state;
}

/** The postmortem's state and what its handlers share: the event log and the deliveries still in flight. */
interface Postmortem {
  state: PostmortemState;
  pending: Promise<unknown>[];
  record: (type: PostmortemEvent['type'], message: string) => void;
}

function registerHandlers(pm: Postmortem): void {
  const { state, record } = pm;
  setHandler(postmortemQuery, () => state);
  const open = () => {
    if (state.status === 'completed') refuse(IncidentErrorType.IllegalTransition, 'the postmortem is complete');
  };

  setHandler(
    addActionItemUpdate,
    (raw) => {
      const input = parse(addActionItemSchema, raw);
      const item: ActionItem = {
        id: `a${state.actionItems.length + 1}`,
        title: input.title,
        owner: input.owner,
        kind: input.kind,
        createdAt: Date.now(),
        dueAt: input.due,
        status: 'open',
      };
      state.actionItems.push(item);
      fileTicket(pm, item);
      record(
        'action-added',
        `${item.id} "${item.title}" (${item.kind}) for ${item.owner}, due ${iso(item.dueAt)}, by ${input.by}`,
      );
      return item;
    },
    { validator: (raw) => void (open(), parse(addActionItemSchema, raw)) },
  );

  setHandler(
    closeActionItemUpdate,
    (raw) => {
      const input = parse(closeActionItemSchema, raw);
      const item = state.actionItems.find((candidate) => candidate.id === input.itemId)!;
      item.status = input.outcome;
      item.closedAt = Date.now();
      item.closedBy = input.by;
      if (input.reason !== undefined) item.reason = input.reason;
      record('action-closed', `${item.id} ${input.outcome} by ${input.by}${input.reason ? `: ${input.reason}` : ''}`);
      return item;
    },
    {
      validator: (raw) => {
        open();
        const input = parse(closeActionItemSchema, raw);
        const item = state.actionItems.find((candidate) => candidate.id === input.itemId);
        if (!item) refuse(IncidentErrorType.InvalidInput, `itemId: no action item ${input.itemId}`);
        if (item.status !== 'open') refuse(IncidentErrorType.IllegalTransition, `${item.id} is already ${item.status}`);
      },
    },
  );

  setHandler(
    reassignPostmortemUpdate,
    (raw) => {
      const { owner, by } = parse(reassignPostmortemSchema, raw);
      record('reassigned', `owner ${state.owner} → ${owner}, by ${by}`);
      state.owner = owner;
      return { owner };
    },
    { validator: (raw) => void (open(), parse(reassignPostmortemSchema, raw)) },
  );

  setHandler(
    scheduleReviewUpdate,
    (raw) => {
      const input = parse(scheduleReviewSchema, raw);
      const sequence = (state.review?.sequence ?? -1) + 1;
      state.review = { at: input.at, durationMs: input.minutes * 60_000, attendees: input.attendees, sequence };
      record('review-scheduled', `review ${iso(input.at)} with ${input.attendees.join(', ')}, by ${input.by}`);
      pm.pending.push(
        sendReviewInvitation({
          incidentId: state.incidentId,
          key: `${workflowInfo().workflowId}/review-${sequence}-invitation`,
          drill: state.drill,
          title: state.title,
          startsAt: input.at,
          durationMs: input.minutes * 60_000,
          attendees: input.attendees,
          organizer: state.owner,
          document: state.location,
          uid: `${workflowInfo().workflowId}-review@incident-response`,
          sequence,
        }).catch(() => record('reminder', 'the review invitation could not be sent')),
      );
      return { at: input.at, sequence };
    },
    {
      validator: (raw) => {
        open();
        const input = parse(scheduleReviewSchema, raw);
        if (input.at <= Date.now()) refuse(IncidentErrorType.InvalidInput, 'at: must be in the future');
        if (state.reviewedAt !== null) refuse(IncidentErrorType.IllegalTransition, 'already reviewed');
      },
    },
  );

  setHandler(
    markReviewedUpdate,
    (raw) => {
      const { by } = parse(markReviewedSchema, raw);
      state.reviewedAt = Date.now();
      state.reviewedBy = by;
      record('reviewed', `document reviewed, marked by ${by}`);
      return { reviewedAt: state.reviewedAt };
    },
    {
      validator: (raw) => {
        open();
        parse(markReviewedSchema, raw);
        if (state.reviewedAt !== null) refuse(IncidentErrorType.IllegalTransition, 'already reviewed');
      },
    },
  );
}

/** Files the item in the tracker, when one is configured; the item works the same without a ticket. */
function fileTicket(pm: Postmortem, item: ActionItem): void {
  const { state } = pm;
  const filing = fileActionItem({
    incidentId: state.incidentId,
    key: `${workflowInfo().workflowId}/${item.id}-ticket`,
    drill: state.drill,
    itemId: item.id,
    title: item.title,
    owner: item.owner,
    kind: item.kind,
    dueAt: item.dueAt,
    document: state.location,
  }).then(
    (ticket) => {
      if (ticket === null) return;
      item.ticket = ticket;
      state.ticketsCheckedAt ??= Date.now();
      pm.record('action-added', `${item.id} filed as ${ticket.url}`);
    },
    () => pm.record('action-added', `${item.id} could not be filed as a ticket`),
  );
  pm.pending.push(filing);
}

/** Closes the items whose tickets were closed; a tracker that does not answer is asked again next time. */
async function pollTickets(pm: Postmortem, key: string): Promise<void> {
  const { state } = pm;
  state.fired.push(key);
  state.ticketPolls = (state.ticketPolls ?? 0) + 1;
  state.ticketsCheckedAt = Date.now();
  const open = state.actionItems.filter((item) => item.status === 'open' && item.ticket);
  let closed: number[] = [];
  try {
    closed = await closedTickets({ incidentId: state.incidentId, numbers: open.map((item) => item.ticket!.number) });
  } catch {
    return;
  }
  for (const item of open) {
    if (item.status !== 'open' || !closed.includes(item.ticket!.number)) continue;
    item.status = 'done';
    item.closedAt = Date.now();
    item.closedBy = 'tracker';
    item.reason = `ticket ${item.ticket!.url} closed`;
    pm.record('action-closed', `${item.id} done: ticket ${item.ticket!.url} closed`);
  }
}

/** A reminder goes to whoever owns the thing; an escalation to the manager too, mentioned in the channel and mailed. */
function fire(pm: Postmortem, deadline: PostmortemDeadline): void {
  const { state, record } = pm;
  state.fired.push(deadline.key);
  if (deadline.review && state.review) {
    const lead = `reminder: the post-incident review starts ${iso(state.review.at)}`;
    record('reminder', lead);
    const who = state.review.attendees;
    return notify(pm, deadline.key, { chat: true, email: who }, message(state, lead, [['Document', state.location]]));
  }
  const item = deadline.itemId === undefined ? undefined : state.actionItems.find((i) => i.id === deadline.itemId);
  const owner = item?.owner ?? state.owner;
  const what = item ? `action item ${item.id} "${item.title}"` : 'the postmortem document';
  const due = item?.dueAt ?? state.dueAt;
  const manager = escalationTarget(state, owner);
  const lead =
    deadline.kind === 'reminder'
      ? `reminder: ${what} is due ${iso(due)} (owner ${owner})`
      : `overdue: ${what} was due ${iso(due)} (owner ${owner}); escalated to ${manager.name} (${manager.rule})`;
  record(deadline.kind === 'reminder' ? 'reminder' : 'escalation', lead);
  const audience = deadline.kind === 'reminder' ? [owner] : [owner, manager.name];
  notify(
    pm,
    deadline.key,
    { chat: true, mention: audience, email: audience, actionItem: item?.id },
    message(state, lead, [['Owner', owner]]),
  );
}

/** The owner's manager when the policy names one (runbook 004 §7), else the severity's manager; says which rule chose. */
function escalationTarget(state: PostmortemState, owner: string): { name: string; rule: string } {
  const manager = state.managers && Object.hasOwn(state.managers, owner) ? state.managers[owner] : undefined;
  if (manager !== undefined) return { name: manager, rule: `${owner}'s manager` };
  return { name: state.escalateTo, rule: `the ${state.severity} manager; ${owner} has no manager in the policy` };
}

function notify(
  { state, pending }: Postmortem,
  step: string,
  how: { chat: boolean; mention?: string[]; email?: string[]; actionItem?: string },
  rendered: RenderedMessage,
): void {
  // Keys from the workflow id and the step: a retried activity delivers once.
  const ref = (channel: string) => ({
    incidentId: state.incidentId,
    key: `${workflowInfo().workflowId}/${step}-${channel}`,
    drill: state.drill,
  });
  if (how.chat) {
    pending.push(
      postToChat({
        ...ref('chat'),
        channel: state.channel,
        message: rendered,
        mention: how.mention,
        ...(how.actionItem ? { actionItem: how.actionItem } : {}),
      }).catch(() => undefined),
    );
  }
  // A drill's postmortem never mails real stakeholders.
  const email = state.drill ? how.email?.filter((who) => who !== 'stakeholders') : how.email;
  if (email && email.length > 0) {
    pending.push(sendEmail({ ...ref('email'), audience: email, message: rendered }).catch(() => undefined));
  }
}

function message(state: PostmortemState, lead: string, fields: Array<[string, string]>): RenderedMessage {
  const subject = `${state.drill ? '[DRILL] ' : ''}[${state.severity}] ${state.title}: ${lead}`;
  return {
    kind: 'note',
    subject,
    text: [lead, ...fields.map(([label, value]) => `${label}: ${value}`)].join('\n'),
    fields: fields.map(([label, value]) => ({ label, value })),
  };
}

function summarizeItems(items: ActionItem[]): string {
  const count = (status: ActionItem['status']) => items.filter((item) => item.status === status).length;
  return `${items.length} action items (${count('done')} done, ${count('deferred')} deferred)`;
}

const iso = (at: number) => new Date(at).toISOString();

function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) refuse(IncidentErrorType.InvalidInput, describeIssues(parsed.error));
  return parsed.data;
}

function refuse(type: IncidentErrorType, message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}
