import { parseActionItemDoneId, parseIncidentActionId, type IncidentAction } from '../../activities/chat/slack/actions';
import { pageTargets } from '../../activities/paging/targets';
import { actionNames } from '../../activities/remediation/actions';
import { declarationIdFor } from '../idempotency';
import type { SlackActor } from './actors';
import { openModal, slackRequestId, type SlackContext } from './context';
import {
  DECLARE_CALLBACK,
  parseDeclareSubmission,
  parseStatusUpdateSubmission,
  readMetadata,
  STATUS_UPDATE_CALLBACK,
  statusUpdateModal,
  type ModalMetadata,
  type Parsed,
} from './modals';
import type { BlockActions, Interaction, ViewSubmission } from './payloads';
import { actionItemDone, declared, diagnosed, done, noActions, ran, refused, working } from './replies';
import {
  PAGE_CALLBACK,
  pageModal,
  parsePageSubmission,
  parseResolveSubmission,
  parseRunActionSubmission,
  resolveModal,
  RESOLVE_CALLBACK,
  RUN_ACTION_CALLBACK,
  runActionModal,
} from './response-modals';
import type { ReplyTarget, SlackReply } from './respond';

/** Slack's answer to a modal submission: close it (null), or keep it open with an error under each bad field. */
export type SubmissionAnswer = { response_action: 'errors'; errors: Record<string, string> } | null;

/** One command on an incident, as whoever clicked or submitted: what it says meanwhile, and what it answers. */
interface Job {
  /** For a refusal: "Could not <verb> `id`". */
  verb: string;
  /** Said first, for commands that take a while (verification, the team's tools, an action that runs). */
  working?: string;
  run(actor: SlackActor, requestId: string): Promise<SlackReply>;
}

/** Buttons that open a form; the others run their command at once. */
const FORMS = new Set<IncidentAction>(['post-update', 'run-action', 'page', 'resolve']);

export function interaction(ctx: SlackContext, payload: Interaction, retry: boolean): SubmissionAnswer {
  if (payload.type === 'block_actions') {
    buttons(ctx, payload, retry);
    return null;
  }
  return submission(ctx, payload);
}

/** The incident's buttons and Mark done: the click is answered at once, its outcome (or a form) follows. */
function buttons(ctx: SlackContext, payload: BlockActions, retry: boolean): void {
  const userId = payload.user.id;
  const target: ReplyTarget = {
    responseUrl: payload.response_url,
    channelId: payload.channel?.id ?? payload.container?.channel_id,
    userId,
  };
  for (const action of payload.actions) {
    const requestId = slackRequestId(
      'action',
      payload.team?.id ?? '',
      userId,
      action.action_id,
      action.action_ts ?? payload.trigger_id,
    );
    const item = parseActionItemDoneId(action.action_id);
    if (item) {
      markActionItemDone(ctx, item, target, requestId);
      continue;
    }
    const parsed = parseIncidentActionId(action.action_id);
    if (!parsed) continue;
    if (FORMS.has(parsed.action)) {
      // A retried click opens no second form (its trigger id is spent).
      if (!retry && ctx.webClient) ctx.later(() => openForm(ctx, parsed.action, parsed.incidentId, payload, target));
      continue;
    }
    perform(ctx, buttonJob(ctx, parsed.action, parsed.incidentId), parsed.incidentId, target, requestId);
  }
}

function buttonJob(ctx: SlackContext, action: IncidentAction, incidentId: string): Job {
  const { incidents } = ctx;
  switch (action) {
    case 'ack':
      return {
        verb: 'acknowledge',
        run: async (actor, requestId) =>
          done(
            'Acknowledged',
            await incidents.command('acknowledge', incidentId, { by: actor.by }, { requestId }),
            actor,
          ),
      };
    case 'take-command':
      return {
        verb: 'take command of',
        run: async (actor, requestId) => {
          const input = { role: 'commander' as const, user: actor.by, by: actor.by };
          return done(
            'Took command of',
            await incidents.command('assignRole', incidentId, input, { requestId }),
            actor,
          );
        },
      };
    case 'diagnose':
      // The team's tools answer in seconds to a minute: say so, then what they found.
      return {
        verb: 'run diagnostics on',
        working: `Running the diagnostics of ${incidentId}`,
        run: async (actor, requestId) =>
          diagnosed(await incidents.command('diagnose', incidentId, { by: actor.by }, { requestId }), actor),
      };
    default:
      // Rollback: the service's rollback runs, then its smoke checks (a confirm dialog came first).
      return {
        verb: 'roll back',
        working: `Running the rollback of ${incidentId}`,
        run: async (actor, requestId) =>
          ran('Rolled back', await incidents.command('rollback', incidentId, { by: actor.by }, { requestId }), actor),
      };
  }
}

/** Opens a button's form; Run action first reads the incident's service, whose policy names its actions. */
async function openForm(
  ctx: SlackContext,
  action: IncidentAction,
  incidentId: string,
  payload: BlockActions,
  target: ReplyTarget,
): Promise<void> {
  const metadata: ModalMetadata = { responseUrl: target.responseUrl, channelId: target.channelId };
  const open = (view: Record<string, unknown>) => openModal(ctx, payload.trigger_id, view, target);
  if (action === 'run-action') {
    let service: string;
    try {
      service = (await ctx.incidents.show(incidentId)).service;
    } catch (error) {
      return ctx.responder.send(target, refused('run an action on', incidentId, error));
    }
    const actions = actionNames(ctx.policy.services[service]);
    if (actions.length === 0) return ctx.responder.send(target, noActions(incidentId, service));
    return open(runActionModal(incidentId, service, actions, metadata));
  }
  if (action === 'page') return open(pageModal(incidentId, pageTargets(ctx.policy), metadata));
  if (action === 'resolve') return open(resolveModal(incidentId, metadata));
  return open(statusUpdateModal(incidentId, metadata));
}

function perform(ctx: SlackContext, job: Job, incidentId: string, target: ReplyTarget, requestId: string): void {
  ctx.later(async () => {
    const actor = await ctx.actors.resolve(target.userId);
    try {
      if (job.working !== undefined) await ctx.responder.send(target, working(job.working));
      await ctx.responder.send(target, await job.run(actor, requestId));
    } catch (error) {
      await ctx.responder.send(target, refused(job.verb, incidentId, error));
    }
  });
}

/** Mark done, on an action-item list or reminder: the postmortem closes the item as whoever clicked. */
function markActionItemDone(
  ctx: SlackContext,
  { incidentId, itemId }: { incidentId: string; itemId: string },
  target: ReplyTarget,
  requestId: string,
): void {
  perform(
    ctx,
    {
      verb: `mark action item ${itemId} done on`,
      run: async (actor, id) => {
        const input = { itemId, outcome: 'done' as const, by: actor.by };
        const item = await ctx.incidents.postmortems().closeActionItem(incidentId, input, { requestId: id });
        return actionItemDone(incidentId, item, actor);
      },
    },
    incidentId,
    target,
    requestId,
  );
}

/**
 * A modal's fields are checked here, with the domain's schemas, so a mistake is shown under its field while the
 * modal is still open; what the incident itself refuses (a closed incident, the roles rule) arrives afterwards
 * with its reason.
 */
function submission(ctx: SlackContext, payload: ViewSubmission): SubmissionAnswer {
  const { view } = payload;
  const metadata = readMetadata(view.private_metadata);
  const userId = payload.user.id;
  const target: ReplyTarget = { responseUrl: metadata.responseUrl, channelId: metadata.channelId, userId };
  // One modal submits once: its view id names the request.
  const requestId = slackRequestId('view', payload.team?.id ?? '', view.id);

  if (view.callback_id === DECLARE_CALLBACK) {
    const parsed = parseDeclareSubmission(view);
    if (!parsed.ok) return { response_action: 'errors', errors: parsed.errors };
    ctx.later(async () => {
      const actor = await ctx.actors.resolve(userId);
      try {
        const id = await declarationIdFor(ctx.incidents, `slack:${payload.team?.id ?? ''}`, view.id);
        const input = { ...parsed.input, id, source: 'slack' as const, declaredBy: actor.by };
        await ctx.responder.send(target, declared(await ctx.incidents.declare(input, { requestId }), actor));
      } catch (error) {
        await ctx.responder.send(target, refused('declare', undefined, error));
      }
    });
    return null;
  }

  if (metadata.incidentId === undefined) return null;
  const planned = formJob(ctx, view, metadata.incidentId);
  if (planned === undefined) return null;
  if (!planned.ok) return { response_action: 'errors', errors: planned.errors };
  perform(ctx, planned.input, metadata.incidentId, target, requestId);
  return null;
}

/** The command a submitted form asks for, or the errors to show under its fields. */
function formJob(ctx: SlackContext, view: ViewSubmission['view'], incidentId: string): Parsed<Job> | undefined {
  const { incidents } = ctx;
  const job = <T>(parsed: Parsed<T>, make: (input: T) => Job): Parsed<Job> =>
    parsed.ok ? { ok: true, input: make(parsed.input) } : parsed;
  switch (view.callback_id) {
    case STATUS_UPDATE_CALLBACK:
      return job(parseStatusUpdateSubmission(view), (input) => ({
        verb: 'post the status update to',
        run: async (actor, requestId) => {
          const result = await incidents.command(
            'postStatusUpdate',
            incidentId,
            { ...input, by: actor.by },
            { requestId },
          );
          return done('Posted a status update to', result, actor);
        },
      }));
    case RUN_ACTION_CALLBACK:
      // Record, run, verify, undo on failure: the saga answers once it is over.
      return job(parseRunActionSubmission(view), (input) => ({
        verb: `run ${input.run} on`,
        working: `Running ${input.run} on ${incidentId}`,
        run: async (actor, requestId) => {
          const result = await incidents.command(
            'startMitigation',
            incidentId,
            { ...input, by: actor.by },
            { requestId },
          );
          return ran(`Ran ${input.run} on`, result, actor);
        },
      }));
    case PAGE_CALLBACK:
      return job(parsePageSubmission(view), (input) => ({
        verb: `page ${input.target} for`,
        run: async (actor, requestId) => {
          const result = await incidents.command('page', incidentId, { ...input, by: actor.by }, { requestId });
          return done(`Paged ${input.target} for`, result, actor);
        },
      }));
    case RESOLVE_CALLBACK:
      // Verification runs the smoke checks first, which takes a while: say so, then the outcome.
      return job(parseResolveSubmission(view), (input) => ({
        verb: input.unverified === undefined ? 'resolve' : 'resolve unverified',
        working: `Running the verification of ${incidentId}`,
        run: async (actor, requestId) => {
          const result = await incidents.command('resolve', incidentId, { ...input, by: actor.by }, { requestId });
          return done(input.unverified === undefined ? 'Resolved' : 'Resolved (unverified)', result, actor);
        },
      }));
    default:
      return undefined;
  }
}
