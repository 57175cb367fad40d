import type { Contact } from '../../../domain/policy';
import { slackErrorCode, type SlackCaller } from './errors';

const USER_ID = /^[UW][A-Z0-9]{2,}$/;
const MENTION = /^<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>$/;
const EMAIL = /^[^\s@]+@[^\s@]+$/;

/**
 * Resolves who to invite or mention: a policy contact name (its Slack user id, or its emails looked up with `users.lookupByEmail`), a raw user id, or a raw email. Unknown people resolve to null.
 */
export class SlackPeople {
  /** Only hits are cached: someone missing today may join the workspace during the incident. */
  private readonly byEmail = new Map<string, string>();

  constructor(
    private readonly call: SlackCaller,
    private readonly contacts: Record<string, Contact>,
  ) {}

  async userIdFor(ref: string): Promise<string | null> {
    const direct = asUserId(ref);
    if (direct) return direct;
    const contact = Object.hasOwn(this.contacts, ref) ? this.contacts[ref] : undefined;
    if (contact) {
      const known = asUserId(contact.slackUserId ?? '');
      if (known) return known;
      for (const email of contact.email) {
        const found = await this.lookup(email);
        if (found) return found;
      }
      return null;
    }
    return EMAIL.test(ref) ? this.lookup(ref) : null;
  }

  /** `<@U…>` for people Slack knows, `@name` for the rest, so the message still says who was meant. */
  async mentionFor(ref: string): Promise<string> {
    const id = await this.userIdFor(ref);
    return id ? `<@${id}>` : `@${ref.replace(/[<>&]/g, '')}`;
  }

  private async lookup(email: string): Promise<string | null> {
    const key = email.toLowerCase();
    const cached = this.byEmail.get(key);
    if (cached) return cached;
    try {
      const result = await this.call('users.lookupByEmail', (client) => client.users.lookupByEmail({ email }));
      const id = result.user?.id;
      if (id) this.byEmail.set(key, id);
      return id ?? null;
    } catch (error) {
      if (slackErrorCode(error) === 'users_not_found') return null;
      throw error;
    }
  }
}

function asUserId(text: string): string | null {
  const trimmed = text.trim();
  if (USER_ID.test(trimmed)) return trimmed;
  return MENTION.exec(trimmed)?.[1] ?? null;
}
