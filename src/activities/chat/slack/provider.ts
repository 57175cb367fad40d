import type { WebClient } from '@slack/web-api';
import { ApplicationFailure } from '@temporalio/common';
import type { Contact } from '../../../domain/policy';
import type { RenderedMessage } from '../../../domain/templates';
import type { ChatProvider } from '../../providers';
import type { IncidentRef } from '../../types';
import { actionItemActionsBlock, incidentActionsBlock } from './actions';
import { channelText, renderSlackMessage } from './blocks';
import { SlackChannels } from './channels';
import { createSlackClient, SLACK_POST_TIMEOUT_MS } from './client';
import { SlackFailureType, slackCaller, slackErrorCode, type SlackCaller, type SlackRetryOptions } from './errors';
import { SlackMessages, type MessageMatcher, type SlackMessageRecord } from './messages';
import { SlackPeople } from './people';

export interface SlackChatDeps {
  client: WebClient;
  contacts: Record<string, Contact>;
  archiveOnClose: boolean;
  retry?: SlackRetryOptions;
  /** How many recent messages to search for an already-posted step (default 400). */
  lookback?: number;
  /**
   * The client for chat.postMessage, which must not retry by itself (a post whose answer was lost may have
   * landed; the provider looks in history before posting again). Defaults to a no-retry sibling of `client`.
   */
  postClient?: WebClient;
}

/** Message metadata: how a retry, a crash or a restarted worker recognises what it already posted. */
const STEP_EVENT = 'incident_step';
const SUMMARY_EVENT = 'incident_summary';
const summaryBlockId = (incidentId: string) => `incident-summary-${incidentId}`;

interface SummaryRef {
  ts: string;
  key: string | undefined;
  pinned: boolean;
}

export function slackChat(deps: SlackChatDeps): ChatProvider {
  return new SlackChat(deps);
}

class SlackChat implements ChatProvider {
  private readonly call: SlackCaller;
  private readonly people: SlackPeople;
  private readonly channels: SlackChannels;
  private readonly messages: SlackMessages;
  /** Per process only: everything here can be found again in Slack after a restart. */
  private readonly channelOf = new Map<string, string>();
  private readonly summaryOf = new Map<string, SummaryRef>();
  private readonly topicOf = new Map<string, string>();
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: SlackChatDeps) {
    this.call = slackCaller(deps.client, deps.retry);
    const postClient =
      deps.postClient ??
      createSlackClient(deps.client.token ?? '', deps.client.slackApiUrl, {
        retryConfig: { retries: 0 },
        timeoutMs: SLACK_POST_TIMEOUT_MS,
      });
    this.people = new SlackPeople(this.call, deps.contacts);
    this.channels = new SlackChannels(this.call, this.people);
    this.messages = new SlackMessages(this.call, slackCaller(postClient, deps.retry), deps.lookback ?? 400);
  }

  openChannel: ChatProvider['openChannel'] = (request, first) =>
    this.serialize(`open:${request.incidentId}`, async () => {
      const postFirst = first && ((channel: string) => this.post({ ...first.post, channel }, first.attempt));
      const opened = await this.channels.open(request, postFirst);
      this.channelOf.set(request.incidentId, opened.id);
      this.topicOf.set(opened.id, channelText(request.topic, request.drill));
      const missing = opened.notInvited.length > 0 ? `; not invited: ${opened.notInvited.join(', ')}` : '';
      const receipt = { destination: `#${opened.name} (${opened.id})${missing}`, duplicate: opened.reused };
      return { ...receipt, channel: opened.id, ...(opened.alongside ? { declaration: opened.alongside } : {}) };
    });

  post: ChatProvider['post'] = async (request, attempt) => {
    const channel = await this.channelFor(request);
    const isThisStep = (m: SlackMessageRecord) =>
      m.metadata?.event_type === STEP_EVENT && m.metadata.event_payload?.key === request.key;
    // A first attempt cannot have posted this step, so it skips the history read (a tier-3 call per post); a
    // retry may follow a post that landed before a crash or a lost answer, so it looks first.
    const existing = attempt > 1 ? await this.messages.find(channel, isThisStep) : undefined;
    let ts = existing?.ts;
    if (ts === undefined) {
      const mentions = await Promise.all((request.mention ?? []).map((ref) => this.people.mentionFor(ref)));
      const message = renderSlackMessage(request.message, {
        incidentId: request.incidentId,
        drill: request.drill,
        mentions,
        // The declaration carries the buttons people reach for first (the HTTP API's /slack/interactions).
        ...(request.message.kind === 'declaration' ? { actions: incidentActionsBlock(request.incidentId) } : {}),
        ...(request.actionItem ? { actions: actionItemActionsBlock(request.incidentId, request.actionItem) } : {}),
      });
      const metadata = { event_type: STEP_EVENT, event_payload: payload(request) };
      ts = await this.messages.postOnce(channel, message, metadata, isThisStep);
    }
    // A crash between post and pin leaves it unpinned; the retry pins it (already_pinned is fine).
    if (request.pin && !existing?.pinned_to?.includes(channel)) await this.messages.pin(channel, ts);
    return { destination: `#${channel} (message ${ts})`, duplicate: existing !== undefined };
  };

  updateSummary: ChatProvider['updateSummary'] = (request, attempt) =>
    // Serialised per incident, so two updates in one worker never both post a first summary message.
    this.serialize(`summary:${request.incidentId}`, async () => {
      const channel = await this.channelFor(request);
      const blockId = summaryBlockId(request.incidentId);
      const { incidentId, drill } = request;
      const actions = summaryHasActions(request.summary) ? incidentActionsBlock(incidentId) : undefined;
      const message = renderSlackMessage(request.summary, { incidentId, drill, mentions: [], blockId, actions });
      const metadata = { event_type: SUMMARY_EVENT, event_payload: payload(request) };
      const isSummary = (m: SlackMessageRecord) =>
        (m.metadata?.event_type === SUMMARY_EVENT && m.metadata.event_payload?.incident_id === request.incidentId) ||
        (m.blocks ?? []).some((block) => block.block_id === blockId);

      // The first summary of a channel the incident just opened, on its first attempt, has nothing to find: it skips
      // the two reads (pins and history, tier-3 calls); a retry may follow a post that landed, so it looks.
      const nothingToFind = request.first === true && attempt === 1;
      let summary =
        this.summaryOf.get(channel) ?? (nothingToFind ? undefined : await this.findSummary(channel, isSummary));
      const duplicate = summary?.key === request.key;
      if (summary && !duplicate) {
        const { ts } = summary;
        try {
          await this.call('chat.update', (c) => c.chat.update({ channel, ts, ...message, metadata }), channel);
          summary = { ...summary, key: request.key };
        } catch (error) {
          if (slackErrorCode(error) !== 'message_not_found') throw error;
          summary = undefined;
        }
      }
      summary ??= {
        ts: await this.messages.postOnce(channel, message, metadata, isSummary),
        key: request.key,
        pinned: false,
      };
      if (!summary.pinned) await this.messages.pin(channel, summary.ts);
      this.summaryOf.set(channel, { ...summary, pinned: true });

      const topic = channelText(request.topic, request.drill);
      if (this.topicOf.get(channel) !== topic) {
        await this.channels.setTopic(channel, topic);
        this.topicOf.set(channel, topic);
      }
      return { destination: `#${channel} (summary ${summary.ts})`, duplicate };
    });

  archive: ChatProvider['archive'] = async (request) => {
    if (!this.deps.archiveOnClose) {
      return {
        destination: `#${request.channel ?? request.incidentId} (kept open: archiving is off)`,
        duplicate: false,
      };
    }
    const channel = await this.channelFor(request);
    try {
      await this.call('conversations.archive', (c) => c.conversations.archive({ channel }), channel);
      return { destination: `#${channel} (archived)`, duplicate: false };
    } catch (error) {
      const code = slackErrorCode(error);
      if (code === 'already_archived' || code === 'is_archived') {
        return { destination: `#${channel} (archived)`, duplicate: true };
      }
      throw error;
    }
  };

  private async channelFor(request: IncidentRef & { channel: string | null }): Promise<string> {
    const known = request.channel ?? this.channelOf.get(request.incidentId);
    if (known) return known;
    const found = await this.channels.find(request.incidentId);
    if (!found) {
      throw ApplicationFailure.nonRetryable(
        `No Slack channel is open for incident ${request.incidentId} (opening it failed earlier)`,
        SlackFailureType.Permanent,
      );
    }
    this.channelOf.set(request.incidentId, found);
    return found;
  }

  /** The pinned summary (pins first: it may be far back in history), else by its metadata in recent history. */
  private async findSummary(channel: string, isSummary: MessageMatcher): Promise<SummaryRef | undefined> {
    const pinned = await this.messages.pinned(channel, isSummary);
    const found = pinned ?? (await this.messages.find(channel, isSummary));
    if (!found) return undefined;
    const key = found.metadata?.event_payload?.key;
    return {
      ts: found.ts,
      key: typeof key === 'string' ? key : undefined,
      pinned: pinned !== undefined || (found.pinned_to ?? []).includes(channel),
    };
  }

  private async serialize<T>(lock: string, run: () => Promise<T>): Promise<T> {
    const next = (this.locks.get(lock) ?? Promise.resolve()).catch(() => undefined).then(run);
    const tail = next.catch(() => undefined);
    this.locks.set(lock, tail);
    try {
      return await next;
    } finally {
      if (this.locks.get(lock) === tail) this.locks.delete(lock);
    }
  }
}

/** A resolved or closed incident's summary offers no buttons: every one of them would only be refused. */
function summaryHasActions(summary: RenderedMessage): boolean {
  const status = summary.fields.find((field) => field.label === 'Status')?.value;
  return status !== 'resolved' && status !== 'closed';
}

function payload(request: IncidentRef): Record<string, string> {
  return { incident_id: request.incidentId, key: request.key };
}
