import { z } from 'zod';
import type { OpenChannelRequest } from '../../types';
import { channelNameFor } from '../channel-name';
import { channelText } from './blocks';
import { slackErrorCode, unexpectedResponse, type SlackCaller } from './errors';
import type { SlackPeople } from './people';

const channelSchema = z.object({
  id: z.string(),
  name: z.string(),
  creator: z.string().optional(),
  is_archived: z.boolean().optional(),
  topic: z.object({ value: z.string() }).optional(),
  purpose: z.object({ value: z.string() }).optional(),
});
type SlackChannel = z.output<typeof channelSchema>;

const listSchema = z.object({
  channels: z.array(channelSchema).default([]),
  response_metadata: z.object({ next_cursor: z.string().optional() }).optional(),
});

export interface OpenedChannel {
  id: string;
  name: string;
  /** The channel existed already: a retry after a crash, or a worker restart. */
  reused: boolean;
  /** Responders who could not be invited, for the timeline. */
  notInvited: string[];
}

const MAX_NAME_SUFFIX = 10;
const MAX_LIST_PAGES = 20;

/** The purpose carries this marker, so a retry recognises the channel it created before a crash. */
export const incidentMarker = (incidentId: string) => `[incident ${incidentId}]`;

/** Channel lifecycle: create (or find again) the incident's channel, keep topic and purpose, invite responders. */
export class SlackChannels {
  private botUser: Promise<string | undefined> | undefined;

  constructor(
    private readonly call: SlackCaller,
    private readonly people: SlackPeople,
  ) {}

  /**
   * `alongside` (the first post) runs as soon as the channel exists, next to the purpose: a crash between the two
   * leaves a blank channel the bot created, which a retry takes back as its own (`ours`) and whose post it finds.
   */
  async open<T>(
    request: OpenChannelRequest,
    alongside?: (channel: string) => Promise<T>,
  ): Promise<OpenedChannel & { alongside?: T }> {
    const { channel, reused } = await this.createOrReuse(request);
    const purpose = channelText(`${incidentMarker(request.incidentId)} ${request.title}`, request.drill);
    const topic = channelText(request.topic, request.drill);
    // The purpose holds the marker, so the topic waits for it: a topic without a marker would make the channel
    // neither blank nor marked, and a retry could not find it. Responders read the declaration one Slack round trip
    // after the channel exists, with the purpose, topic and invitations still on their way.
    const markedAndInvited = (async () => {
      if (channel.purpose?.value !== purpose) {
        await this.call('conversations.setPurpose', (c) =>
          c.conversations.setPurpose({ channel: channel.id, purpose }),
        );
      }
      const [, notInvited] = await Promise.all([
        channel.topic?.value === topic ? undefined : this.setTopic(channel.id, topic),
        this.invite(channel.id, request.responders),
      ]);
      return notInvited;
    })();
    // Both settle before either failure fails the attempt: a retry must not look for a post still on its way.
    const [invited, posted] = await Promise.allSettled([markedAndInvited, alongside?.(channel.id)]);
    if (invited.status === 'rejected') throw invited.reason;
    if (posted.status === 'rejected') throw posted.reason;
    const opened = { id: channel.id, name: channel.name, reused, notInvited: invited.value };
    return alongside ? { ...opened, alongside: posted.value } : opened;
  }

  setTopic(channel: string, topic: string): Promise<unknown> {
    return this.call('conversations.setTopic', (c) => c.conversations.setTopic({ channel, topic }), channel);
  }

  /** The incident's channel by its marker, for calls that arrive without a channel id. */
  async find(incidentId: string): Promise<string | null> {
    const marker = incidentMarker(incidentId);
    const channels = await this.list();
    return channels.find((c) => hasMarker(c, marker))?.id ?? null;
  }

  private async createOrReuse(request: OpenChannelRequest): Promise<{ channel: SlackChannel; reused: boolean }> {
    const base = channelNameFor(request.incidentId, request.title);
    let listing: SlackChannel[] | undefined;
    for (let n = 1; n <= MAX_NAME_SUFFIX; n++) {
      const name = withSuffix(base, n);
      if (listing?.some((c) => c.name === name)) continue;
      try {
        const created = await this.call('conversations.create', (c) =>
          c.conversations.create({ name, is_private: request.security }),
        );
        const channel = channelSchema.safeParse(created.channel);
        if (!channel.success) throw unexpectedResponse('conversations.create', 'a channel');
        return { channel: channel.data, reused: false };
      } catch (error) {
        if (slackErrorCode(error) !== 'name_taken') throw error;
      }
      listing ??= await this.list();
      const ours = await this.ours(listing, request.incidentId, base);
      if (ours) return { channel: ours, reused: true };
    }
    throw unexpectedResponse('conversations.create', `a free channel name (tried ${base} to -${MAX_NAME_SUFFIX})`);
  }

  /**
   * Ours: the purpose carries this incident's marker, or the bot created a channel of this name family and crashed
   * before it could set the purpose (no topic, no purpose yet).
   */
  private async ours(listing: SlackChannel[], incidentId: string, base: string): Promise<SlackChannel | undefined> {
    const marker = incidentMarker(incidentId);
    const marked = listing.find((c) => hasMarker(c, marker));
    if (marked) return marked;
    const family = new Set(Array.from({ length: MAX_NAME_SUFFIX }, (_, i) => withSuffix(base, i + 1)));
    const blank = listing.filter((c) => family.has(c.name) && !c.purpose?.value && !c.topic?.value);
    if (blank.length === 0) return undefined;
    const bot = await this.botUserId();
    return blank.find((c) => bot !== undefined && c.creator === bot);
  }

  private async list(): Promise<SlackChannel[]> {
    const channels: SlackChannel[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      const result = await this.call('conversations.list', (c) =>
        c.conversations.list({ types: 'public_channel,private_channel', exclude_archived: true, limit: 200, cursor }),
      );
      const parsed = listSchema.safeParse(result);
      if (!parsed.success) throw unexpectedResponse('conversations.list', 'a channel list');
      channels.push(...parsed.data.channels);
      cursor = parsed.data.response_metadata?.next_cursor || undefined;
      if (!cursor) break;
    }
    return channels;
  }

  private botUserId(): Promise<string | undefined> {
    this.botUser ??= this.call('auth.test', (c) => c.auth.test()).then(
      (result) => result.user_id,
      (error: unknown) => {
        this.botUser = undefined;
        throw error;
      },
    );
    return this.botUser;
  }

  /**
   * Invites everyone it can resolve. One bad invitee must not cost the channel its id (the workflow needs it), so
   * per-user refusals are reported, not thrown; outages still throw and the retry reuses the channel.
   */
  private async invite(channel: string, responders: string[]): Promise<string[]> {
    const notInvited: string[] = [];
    const ids = new Set<string>();
    for (const responder of responders) {
      const id = await this.people.userIdFor(responder);
      if (id) ids.add(id);
      else notInvited.push(responder);
    }
    if (ids.size === 0) return notInvited;
    try {
      const users = [...ids].join(',');
      await this.call('conversations.invite', (c) => c.conversations.invite({ channel, users }), channel);
      return notInvited;
    } catch (error) {
      if (!isPerUserRefusal(slackErrorCode(error))) throw error;
    }
    // The batch was refused because of one user (already in, cannot be invited): invite them one by one.
    for (const users of ids) {
      try {
        await this.call('conversations.invite', (c) => c.conversations.invite({ channel, users }), channel);
      } catch (error) {
        const code = slackErrorCode(error);
        if (code === 'already_in_channel' || code === 'cant_invite_self') continue;
        if (!isPerUserRefusal(code)) throw error;
        notInvited.push(`${users} (${code})`);
      }
    }
    return notInvited;
  }
}

const PER_USER_REFUSALS = new Set([
  'already_in_channel',
  'cant_invite',
  'cant_invite_self',
  'user_not_found',
  'user_is_restricted',
  'user_is_ultra_restricted',
  'ura_max_channels',
  'no_user',
]);

function isPerUserRefusal(code: string | undefined): boolean {
  return code !== undefined && PER_USER_REFUSALS.has(code);
}

function hasMarker(channel: SlackChannel, marker: string): boolean {
  return Boolean(channel.purpose?.value.includes(marker) || channel.topic?.value.includes(marker));
}

/** `inc-…`, then `inc-…-2`, `inc-…-3`, kept within Slack's 80 characters. */
function withSuffix(base: string, n: number): string {
  if (n === 1) return base;
  const suffix = `-${n}`;
  return `${base.slice(0, 80 - suffix.length).replace(/-+$/, '')}${suffix}`;
}
