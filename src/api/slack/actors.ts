import type { WebClient } from '@slack/web-api';
import type { Contact } from '../../domain/policy';

/** Who pressed the button or typed the command, as the incident records them and as Slack messages name them. */
export interface SlackActor {
  /** Written on the timeline (`by`): the policy contact's key, or `slack:<user id>` for someone the policy lacks. */
  by: string;
  /** For people reading Slack: the contact's name, else Slack's own name for the user, else a mention. */
  name: string;
  slackUserId: string;
  /** The policy contact the user maps to, when one does. */
  contact?: string;
}

/** users.info answers for this long: a profile's email rarely changes within an incident. */
const CACHE_MS = 10 * 60_000;
const CACHE_MAX = 1_000;

interface SlackProfile {
  email?: string;
  name?: string;
}

/**
 * Maps a Slack user to a person through the policy's contacts: by the contact's `slackUserId`, else by an email of
 * the contact matching the user's Slack email (users.info, scope users:read.email). The contact's key is what is
 * recorded, because it is what the rest of the system names people by: the channel invites, mentions and the
 * escalation ladder resolve it back to the same Slack user. The domain's actor rule refuses `:`, so someone the
 * policy does not know is recorded as `slack:<user id>`.
 */
export class SlackActors {
  private readonly profiles = new Map<string, { at: number; profile: SlackProfile }>();

  constructor(
    private readonly contacts: Record<string, Contact>,
    private readonly webClient: (() => WebClient) | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  async resolve(slackUserId: string): Promise<SlackActor> {
    const byId = Object.entries(this.contacts).find(([, contact]) => contact.slackUserId === slackUserId);
    if (byId) return this.mapped(slackUserId, byId[0], byId[1], undefined);
    const profile = await this.profile(slackUserId);
    const email = profile.email?.toLowerCase();
    const byEmail =
      email === undefined
        ? undefined
        : Object.entries(this.contacts).find(([, contact]) => contact.email.some((e) => e.toLowerCase() === email));
    if (byEmail) return this.mapped(slackUserId, byEmail[0], byEmail[1], profile.name);
    return { by: unmappedActor(slackUserId), name: profile.name ?? `<@${slackUserId}>`, slackUserId };
  }

  private mapped(slackUserId: string, key: string, contact: Contact, slackName: string | undefined): SlackActor {
    return { by: key, name: contact.name ?? slackName ?? key, slackUserId, contact: key };
  }

  /** Slack's profile, or nothing when there is no bot token or Slack does not answer: the user is then unmapped. */
  private async profile(slackUserId: string): Promise<SlackProfile> {
    const cached = this.profiles.get(slackUserId);
    if (cached && this.now() - cached.at < CACHE_MS) return cached.profile;
    if (!this.webClient) return {};
    try {
      const { user } = await this.webClient().users.info({ user: slackUserId });
      const name = user?.profile?.real_name || user?.real_name || user?.profile?.display_name || user?.name;
      const profile: SlackProfile = { email: user?.profile?.email, name: name || undefined };
      if (this.profiles.size >= CACHE_MAX) this.profiles.clear();
      this.profiles.set(slackUserId, { at: this.now(), profile });
      return profile;
    } catch {
      // A failed lookup is not cached: the next click asks again.
      return {};
    }
  }
}

export function unmappedActor(slackUserId: string): string {
  return `slack:${slackUserId}`;
}
