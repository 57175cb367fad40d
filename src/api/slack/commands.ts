import { escapeMrkdwn } from '../../activities/chat/slack/blocks';
import { declareSchema, incidentIdSchema } from '../../domain/inputs';
import { escapeUnsafe } from '../../domain/text';
import { declarationIdFor } from '../idempotency';
import { openModal, slackRequestId, type SlackContext } from './context';
import { declareModal, statusUpdateModal } from './modals';
import type { SlashCommand } from './payloads';
import { actionItemsList, declared, done, HELP_TEXT, refused, status, usage, working } from './replies';
import type { ReplyTarget, SlackReply } from './respond';

const NO_FORMS = 'Forms need the bot token (SLACK_BOT_TOKEN) on the API server.';

/** `sev1`, `SEV-1`, `Sev-1` → `SEV-1`. */
function severityOf(word: string): string {
  const match = /^sev-?([1-9])$/i.exec(word);
  return match ? `SEV-${match[1]}` : word;
}

/**
 * `/incident <subcommand> …`. Answers at once (what goes back in the HTTP response, or null for an empty 200) and
 * leaves the work, and its outcome to the response_url, to `ctx.later`. A retried request (X-Slack-Retry-Num)
 * applies once through its request id; it opens no second form.
 */
export function slashCommand(ctx: SlackContext, command: SlashCommand, retry: boolean): SlackReply | null {
  const match = /^\s*(\S*)\s*([\s\S]*?)\s*$/.exec(command.text);
  const sub = (match?.[1] ?? '').toLowerCase();
  const rest = match?.[2] ?? '';
  const target: ReplyTarget = {
    responseUrl: command.response_url,
    channelId: command.channel_id,
    userId: command.user_id,
  };
  const requestId = slackRequestId('command', command.team_id, command.trigger_id);
  const metadata = { responseUrl: command.response_url, channelId: command.channel_id };

  switch (sub) {
    case '':
    case 'help':
      return { text: HELP_TEXT };
    case 'declare': {
      if (rest === '') {
        if (!ctx.webClient) return usage(`${NO_FORMS} Type \`/incident declare SEV-2 <title>\` instead.`);
        if (!retry)
          ctx.later(() => openModal(ctx, command.trigger_id, declareModal(metadata, ctx.policy.severities), target));
        return null;
      }
      const [, word = '', title = ''] = /^(\S+)\s*([\s\S]*)$/.exec(rest) ?? [];
      const fields = { severity: severityOf(word), title };
      const checked = declareSchema.pick({ severity: true, title: true }).safeParse(fields);
      if (!checked.success) {
        const problems = checked.error.issues.map((i) => `${String(i.path[0])}: ${escapeUnsafe(i.message)}`);
        return usage(`Cannot declare: ${problems.join('; ')}.`);
      }
      ctx.later(async () => {
        const actor = await ctx.actors.resolve(command.user_id);
        try {
          // The id is derived from the trigger id too, so a retry answers the incident the first attempt declared.
          const id = await declarationIdFor(ctx.incidents, `slack:${command.team_id}`, command.trigger_id);
          const input = { id, ...checked.data, source: 'slack' as const, declaredBy: actor.by };
          await ctx.responder.send(target, declared(await ctx.incidents.declare(input, { requestId }), actor));
        } catch (error) {
          await ctx.responder.send(target, refused('declare', undefined, error));
        }
      });
      return working(`Declaring ${checked.data.severity}: ${escapeMrkdwn(checked.data.title)}`);
    }
    case 'ack':
    case 'acknowledge':
    case 'update':
    case 'status':
    case 'actions': {
      const id = incidentIdSchema.safeParse(rest);
      if (!id.success)
        return usage(`\`/incident ${sub}\` takes an incident id, such as \`/incident ${sub} 20250314-k3f9\`.`);
      const incidentId = id.data;
      if (sub === 'update') {
        if (!ctx.webClient) return usage(NO_FORMS);
        if (!retry)
          ctx.later(() => openModal(ctx, command.trigger_id, statusUpdateModal(incidentId, metadata), target));
        return null;
      }
      if (sub === 'actions') {
        ctx.later(async () => {
          try {
            const items = await ctx.incidents.postmortems().actionItems(incidentId);
            await ctx.responder.send(target, actionItemsList(incidentId, items));
          } catch (error) {
            await ctx.responder.send(target, refused('list the action items of', incidentId, error));
          }
        });
        return null;
      }
      if (sub === 'status') {
        ctx.later(async () => {
          try {
            await ctx.responder.send(target, status(await ctx.incidents.show(incidentId)));
          } catch (error) {
            await ctx.responder.send(target, refused('show', incidentId, error));
          }
        });
        return null;
      }
      ctx.later(async () => {
        const actor = await ctx.actors.resolve(command.user_id);
        try {
          const result = await ctx.incidents.command('acknowledge', incidentId, { by: actor.by }, { requestId });
          await ctx.responder.send(target, done('Acknowledged', result, actor));
        } catch (error) {
          await ctx.responder.send(target, refused('acknowledge', incidentId, error));
        }
      });
      return working(`Acknowledging ${incidentId}`);
    }
    default:
      return usage(`Unknown command \`${escapeMrkdwn(escapeUnsafe(sub).slice(0, 40)).replace(/`/g, "'")}\`.`);
  }
}
