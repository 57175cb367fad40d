import { parseActionItemDoneId, parseIncidentActionId, type IncidentAction } from '../../activities/chat/slack/actions';
import { declarationIdFor } from '../idempotency';
import { openModal, slackRequestId, type SlackContext } from './context';
import {
  DECLARE_CALLBACK,
  parseDeclareSubmission,
  parseStatusUpdateSubmission,
  readMetadata,
  STATUS_UPDATE_CALLBACK,
  statusUpdateModal,
} from './modals';
import type { BlockActions, Interaction, ViewSubmission } from './payloads';
import { actionItemDone, declared, diagnosed, done, refused, working } from './replies';
import type { ReplyTarget } from './respond';

const VERBS: Record<IncidentAction, string> = {
  ack: 'acknowledge',
  'take-command': 'take command of',
  'post-update': 'post an update to',
  diagnose: 'run diagnostics on',
  resolve: 'resolve',
};

/** Slack's answer to a modal submission: close it (null), or keep it open with an error under each bad field. */
export type SubmissionAnswer = { response_action: 'errors'; errors: Record<string, string> } | null;

export function interaction(ctx: SlackContext, payload: Interaction, retry: boolean): SubmissionAnswer {
  if (payload.type === 'block_actions') {
    buttons(ctx, payload, retry);
    return null;
  }
  return submission(ctx, payload);
}

/** Acknowledge, Take command, Post update, Run diagnostics, Resolve: the click is answered at once, its outcome follows. */
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
    const { incidentId } = parsed;
    if (parsed.action === 'post-update') {
      const metadata = { responseUrl: target.responseUrl, channelId: target.channelId };
      if (!retry && ctx.webClient) {
        ctx.later(() => openModal(ctx, payload.trigger_id, statusUpdateModal(incidentId, metadata), target));
      }
      continue;
    }
    ctx.later(async () => {
      const actor = await ctx.actors.resolve(userId);
      const by = actor.by;
      try {
        if (parsed.action === 'ack') {
          const result = await ctx.incidents.command('acknowledge', incidentId, { by }, { requestId });
          await ctx.responder.send(target, done('Acknowledged', result, actor));
        } else if (parsed.action === 'take-command') {
          const input = { role: 'commander' as const, user: by, by };
          const result = await ctx.incidents.command('assignRole', incidentId, input, { requestId });
          await ctx.responder.send(target, done('Took command of', result, actor));
        } else if (parsed.action === 'diagnose') {
          // The team's tools answer in seconds to a minute: say so, then what they found.
          await ctx.responder.send(target, working(`Running the diagnostics of ${incidentId}`));
          const result = await ctx.incidents.command('diagnose', incidentId, { by }, { requestId });
          await ctx.responder.send(target, diagnosed(result, actor));
        } else {
          // Verification runs the smoke checks first, which takes a while: say so, then the outcome.
          await ctx.responder.send(target, working(`Running the verification of ${incidentId}`));
          const result = await ctx.incidents.command('resolve', incidentId, { by }, { requestId });
          await ctx.responder.send(target, done('Resolved', result, actor));
        }
      } catch (error) {
        await ctx.responder.send(target, refused(VERBS[parsed.action], incidentId, error));
      }
    });
  }
}

/** Mark done, on an action-item list or reminder: the postmortem closes the item as whoever clicked. */
function markActionItemDone(
  ctx: SlackContext,
  { incidentId, itemId }: { incidentId: string; itemId: string },
  target: ReplyTarget,
  requestId: string,
): void {
  ctx.later(async () => {
    const actor = await ctx.actors.resolve(target.userId);
    try {
      const input = { itemId, outcome: 'done' as const, by: actor.by };
      const item = await ctx.incidents.postmortems().closeActionItem(incidentId, input, { requestId });
      await ctx.responder.send(target, actionItemDone(incidentId, item, actor));
    } catch (error) {
      await ctx.responder.send(target, refused(`mark action item ${itemId} done on`, incidentId, error));
    }
  });
}

/**
 * A modal's fields are checked here, with the domain's schemas, so a mistake is shown under its field while the
 * modal is still open; what the incident itself refuses (a closed incident) arrives afterwards with its reason.
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

  if (view.callback_id === STATUS_UPDATE_CALLBACK && metadata.incidentId !== undefined) {
    const incidentId = metadata.incidentId;
    const parsed = parseStatusUpdateSubmission(view);
    if (!parsed.ok) return { response_action: 'errors', errors: parsed.errors };
    ctx.later(async () => {
      const actor = await ctx.actors.resolve(userId);
      try {
        const input = { ...parsed.input, by: actor.by };
        const result = await ctx.incidents.command('postStatusUpdate', incidentId, input, { requestId });
        await ctx.responder.send(target, done('Posted a status update to', result, actor));
      } catch (error) {
        await ctx.responder.send(target, refused('post the status update to', incidentId, error));
      }
    });
  }
  return null;
}
