import { createHash } from 'node:crypto';
import type { WebClient } from '@slack/web-api';
import type { FastifyBaseLogger } from 'fastify';
import type { IncidentService } from '../../client/service';
import type { Policy } from '../../domain/policy';
import type { SlackActors } from './actors';
import type { ReplyTarget, SlackReply, SlackResponder } from './respond';

/** What the command and interaction handlers share: the service, who is who, where answers go, background work. */
export interface SlackContext {
  incidents: IncidentService;
  /** The policy the workers run (INCIDENT_POLICY): severity definitions, the services' actions, page targets. */
  policy: Policy;
  actors: SlackActors;
  responder: SlackResponder;
  webClient: (() => WebClient) | undefined;
  log: FastifyBaseLogger;
  /** Runs after the three-second answer has gone; the app's close waits for it. */
  later(work: () => Promise<void>): void;
}

/**
 * A request id from Slack's own identifiers (a trigger id, a click's action_ts, a modal's view id): a request Slack
 * sends again carries the same ones, so Temporal applies the command once and answers the retry with the first
 * result. Hashed to stay within the update id's length and alphabet.
 */
export function slackRequestId(...parts: string[]): string {
  return `slack-${createHash('sha256').update(parts.join('\n'), 'utf8').digest('hex').slice(0, 40)}`;
}

/** Opens a modal; a trigger id lives three seconds, so this runs first thing after the answer. */
export async function openModal(
  ctx: SlackContext,
  triggerId: string,
  view: Record<string, unknown>,
  target: ReplyTarget,
): Promise<void> {
  if (!ctx.webClient) return;
  try {
    await ctx.webClient().views.open({ trigger_id: triggerId, view: view as never });
  } catch (error) {
    ctx.log.warn({ err: error }, 'slack: views.open failed');
    const code = (error as { data?: { error?: string } }).data?.error ?? 'no answer';
    await ctx.responder.send(target, { text: `:x: Could not open the form (Slack said: ${code}). Try again.` });
  }
}

export function send(ctx: SlackContext, target: ReplyTarget, reply: SlackReply): Promise<void> {
  return ctx.responder.send(target, reply);
}
