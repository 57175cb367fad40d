import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback server speaking Slack's Web API shape: POST /api/<method> with a form-encoded or JSON body and a
 * Bearer token; `{ ok: true, ... }` or `{ ok: false, error }` with HTTP 200, 429 with Retry-After when rate
 * limited, 5xx during an outage. It keeps channels, messages (with metadata), pins and topics, and records every
 * request so tests assert what Slack received. Shapes follow the public method docs at docs.slack.dev.
 */
export interface FakeUser {
  id: string;
  name: string;
  email: string;
  /** The profile's full name (users.info `real_name`); defaults to `name`. */
  realName?: string;
}

/** A modal opened with views.open: the trigger it used and the view as sent. */
export interface FakeView {
  id: string;
  triggerId: string;
  view: Record<string, unknown>;
}

export interface FakeEphemeral {
  channel: string;
  user: string;
  text: string;
  blocks?: unknown[];
}

export interface FakeMessage {
  ts: string;
  user: string;
  text: string;
  subtype?: string;
  blocks?: unknown[];
  metadata?: { event_type: string; event_payload?: Record<string, unknown> };
  edited?: { user: string; ts: string };
  pinned: boolean;
}

export interface FakeChannel {
  id: string;
  name: string;
  is_private: boolean;
  is_archived: boolean;
  creator: string;
  created: number;
  topic: { value: string; creator: string; last_set: number };
  purpose: { value: string; creator: string; last_set: number };
  members: Set<string>;
  /** Oldest first. */
  messages: FakeMessage[];
}

export interface RecordedCall {
  method: string;
  params: Record<string, unknown>;
  /** Epoch ms when the request arrived. */
  at: number;
  auth: 'valid' | 'invalid' | 'missing';
  status: number;
  /** The Slack error code answered, if any. */
  error?: string;
}

export interface Fault {
  /** HTTP status to answer (429 carries Retry-After); without it, HTTP 200 with `{ ok: false, error }`. */
  status?: 429 | 500 | 502 | 503;
  error?: string;
  /** More fields of the error body, e.g. `{ needed: 'chat:write' }` for missing_scope. */
  extra?: Record<string, unknown>;
  /** Seconds, for 429. */
  retryAfter?: number;
  /** Destroy the socket without answering: a network error. */
  drop?: boolean;
  /** Carry the request out, then destroy the socket: the answer is lost although Slack acted on it. */
  lose?: boolean;
  /** How many calls this fault answers (default 1). */
  times?: number;
}

export interface Outage {
  status: 429 | 500 | 502 | 503;
  retryAfter?: number;
  /** Answer this many calls with the outage, or... */
  calls?: number;
  /** ...every call for this long. */
  forMs?: number;
}

export interface FakeSlackOptions {
  token?: string;
  botUserId?: string;
  users?: FakeUser[];
}

const CHANNEL_NAME = /^[a-z0-9][a-z0-9_-]{0,79}$/;

class SlackError extends Error {
  constructor(
    readonly code: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(code);
  }
}

export class FakeSlackApi {
  readonly calls: RecordedCall[] = [];
  readonly channels = new Map<string, FakeChannel>();
  readonly users: FakeUser[];
  /** Modals opened, oldest first. */
  readonly views: FakeView[] = [];
  /** Messages only one user sees (chat.postEphemeral), oldest first. */
  readonly ephemerals: FakeEphemeral[] = [];
  readonly token: string;
  readonly botUserId: string;
  private readonly faults = new Map<string, Fault[]>();
  private outageState: { status: number; retryAfter: number; callsLeft: number; until: number } | undefined;
  private nextChannel = 1;
  private tsSequence = 0;
  private readonly usedTriggers = new Set<string>();

  private constructor(
    private readonly server: Server,
    options: FakeSlackOptions,
  ) {
    this.token = options.token ?? 'xoxb-fake-token';
    this.botUserId = options.botUserId ?? 'UBOT0001';
    this.users = [...(options.users ?? [])];
  }

  static async start(options: FakeSlackOptions = {}): Promise<FakeSlackApi> {
    const server = createServer();
    const fake = new FakeSlackApi(server, options);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      fake.handle(req, res).catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  /** The WebClient's `slackApiUrl`. */
  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/api/`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server.close((error) => (error ? reject(error) : resolve())));
  }

  failNext(method: string, fault: Fault): void {
    const queue = this.faults.get(method) ?? [];
    queue.push({ ...fault, times: fault.times ?? 1 });
    this.faults.set(method, queue);
  }

  outage(outage: Outage): void {
    this.outageState = {
      status: outage.status,
      retryAfter: outage.retryAfter ?? 1,
      callsLeft: outage.calls ?? Number.POSITIVE_INFINITY,
      until: outage.forMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + outage.forMs,
    };
  }

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  channelNamed(name: string): FakeChannel | undefined {
    return [...this.channels.values()].find((channel) => channel.name === name);
  }

  /** Seeds a channel someone else made (or the bot made earlier); the bot is a member unless told otherwise. */
  addChannel(
    seed: Partial<Omit<FakeChannel, 'topic' | 'purpose'>> & { name: string; topic?: string; purpose?: string },
  ) {
    const { topic, purpose, ...rest } = seed;
    const id = this.newChannelId(rest.is_private ?? false);
    const now = Math.floor(Date.now() / 1000);
    const channel: FakeChannel = {
      id,
      is_private: false,
      is_archived: false,
      creator: 'UOTHER001',
      created: now,
      members: new Set([this.botUserId]),
      messages: [],
      ...rest,
      topic: { value: topic ?? '', creator: rest.creator ?? 'UOTHER001', last_set: now },
      purpose: { value: purpose ?? '', creator: rest.creator ?? 'UOTHER001', last_set: now },
    };
    this.channels.set(id, channel);
    return channel;
  }

  /** Messages a person would see (system messages such as "set the channel topic" left out). */
  postedMessages(channelId: string): FakeMessage[] {
    return (this.channels.get(channelId)?.messages ?? []).filter((message) => message.subtype === undefined);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = /^\/api\/([\w.]+)$/.exec(req.url ?? '')?.[1];
    const params = parseBody(req.headers['content-type'] ?? '', await readBody(req));
    const call: RecordedCall = {
      method: method ?? req.url ?? '',
      params,
      at: Date.now(),
      auth: 'missing',
      status: 200,
    };
    this.calls.push(call);
    if (req.method !== 'POST' || method === undefined) {
      call.status = 404;
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
      return;
    }
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    call.auth = bearer === undefined ? 'missing' : bearer === this.token ? 'valid' : 'invalid';

    const fault = this.takeFault(method);
    if (fault?.drop) {
      call.status = 0;
      req.socket.destroy();
      return;
    }
    if (fault?.status !== undefined) {
      call.status = fault.status;
      if (fault.status === 429) {
        call.error = 'ratelimited';
        const headers = { 'content-type': 'application/json', 'retry-after': String(fault.retryAfter ?? 1) };
        res.writeHead(429, headers).end(JSON.stringify({ ok: false, error: 'ratelimited' }));
      } else {
        res
          .writeHead(fault.status, { 'content-type': 'text/html' })
          .end('<html><body>Service Unavailable</body></html>');
      }
      return;
    }

    let body: Record<string, unknown>;
    try {
      if (fault?.error) throw new SlackError(fault.error, fault.extra);
      if (call.auth === 'missing') throw new SlackError('not_authed');
      if (call.auth === 'invalid') throw new SlackError('invalid_auth');
      body = { ok: true, ...this.dispatch(method, params) };
    } catch (error) {
      if (!(error instanceof SlackError)) throw error;
      call.error = error.code;
      body = { ok: false, error: error.code, ...error.extra };
    }
    if (fault?.lose) {
      call.status = 0;
      req.socket.destroy();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
  }

  private takeFault(method: string): Fault | undefined {
    const outage = this.outageState;
    if (outage) {
      if (outage.callsLeft > 0 && Date.now() < outage.until) {
        outage.callsLeft -= 1;
        return { status: outage.status as Fault['status'], retryAfter: outage.retryAfter };
      }
      this.outageState = undefined;
    }
    for (const key of [method, '*']) {
      const queue = this.faults.get(key);
      const fault = queue?.[0];
      if (!queue || !fault) continue;
      fault.times = (fault.times ?? 1) - 1;
      if (fault.times <= 0) queue.shift();
      return fault;
    }
    return undefined;
  }

  private dispatch(method: string, p: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case 'auth.test':
        return {
          url: 'https://fake.slack.test/',
          team: 'Fake',
          user: 'incident-bot',
          team_id: 'T0FAKE',
          user_id: this.botUserId,
          bot_id: 'B0FAKE',
        };
      case 'conversations.create':
        return { channel: this.view(this.create(str(p.name), bool(p.is_private))) };
      case 'conversations.list':
        return this.list(p);
      case 'conversations.history':
        return this.history(p);
      case 'conversations.setTopic':
      case 'conversations.setPurpose':
        return this.setTopicOrPurpose(method === 'conversations.setTopic' ? 'topic' : 'purpose', p);
      case 'conversations.invite':
        return this.invite(p);
      case 'conversations.archive': {
        const channel = this.member(p.channel, { allowArchived: true });
        if (channel.is_archived) throw new SlackError('already_archived');
        channel.is_archived = true;
        return {};
      }
      case 'chat.postMessage':
        return this.postMessage(p);
      case 'chat.update':
        return this.update(p);
      case 'pins.add': {
        const channel = this.member(p.channel);
        const message = channel.messages.find((m) => m.ts === str(p.timestamp));
        if (!message) throw new SlackError('message_not_found');
        if (message.pinned) throw new SlackError('already_pinned');
        message.pinned = true;
        return {};
      }
      case 'pins.list': {
        const channel = this.member(p.channel);
        // Pinned items carry the message without its metadata, as Slack documents the item shape.
        const items = channel.messages
          .filter((m) => m.pinned)
          .map((m) => ({
            type: 'message',
            channel: channel.id,
            created: Number(m.ts.split('.')[0]),
            created_by: this.botUserId,
            message: this.messageView(channel, m, false),
          }));
        return { items };
      }
      case 'users.info': {
        const user = this.users.find((u) => u.id === str(p.user));
        if (!user) throw new SlackError('user_not_found');
        const realName = user.realName ?? user.name;
        return {
          user: {
            id: user.id,
            name: user.name,
            real_name: realName,
            profile: { email: user.email, real_name: realName, display_name: user.name },
          },
        };
      }
      case 'views.open':
        return this.openView(p);
      case 'chat.postEphemeral': {
        const channel = this.member(p.channel);
        const user = str(p.user);
        if (!channel.members.has(user)) throw new SlackError('user_not_in_channel');
        const blocks = json(p.blocks) as unknown[] | undefined;
        if (str(p.text) === '' && !blocks) throw new SlackError('no_text');
        this.ephemerals.push({ channel: channel.id, user, text: str(p.text), ...(blocks ? { blocks } : {}) });
        return { message_ts: this.nextTs() };
      }
      case 'users.lookupByEmail': {
        const email = str(p.email).toLowerCase();
        const user = this.users.find((u) => u.email.toLowerCase() === email);
        if (!user) throw new SlackError('users_not_found');
        return { user: { id: user.id, name: user.name, profile: { email: user.email } } };
      }
      default:
        throw new SlackError('unknown_method');
    }
  }

  /** A trigger id is good for one view (Slack answers `exchanged_trigger_id` to a second). */
  private openView(p: Record<string, unknown>) {
    const triggerId = str(p.trigger_id);
    if (triggerId === '') throw new SlackError('invalid_arguments');
    if (this.usedTriggers.has(triggerId)) throw new SlackError('exchanged_trigger_id');
    const view = json(p.view) as Record<string, unknown> | undefined;
    if (!view || view.type !== 'modal' || !Array.isArray(view.blocks)) throw new SlackError('invalid_arguments');
    this.usedTriggers.add(triggerId);
    const opened: FakeView = { id: `VFAKE${String(this.views.length + 1).padStart(4, '0')}`, triggerId, view };
    this.views.push(opened);
    return { view: { ...view, id: opened.id, hash: `${opened.id}-hash`, state: { values: {} } } };
  }

  private create(name: string, isPrivate: boolean): FakeChannel {
    if (!CHANNEL_NAME.test(name)) throw new SlackError('invalid_name_specials');
    if (this.channelNamed(name)) throw new SlackError('name_taken');
    return this.addChannel({ name, is_private: isPrivate, creator: this.botUserId, topic: '', purpose: '' });
  }

  private list(p: Record<string, unknown>) {
    const types = str(p.types || 'public_channel').split(',');
    const visible = [...this.channels.values()].filter(
      (c) =>
        (c.is_private
          ? types.includes('private_channel') && c.members.has(this.botUserId)
          : types.includes('public_channel')) && !(bool(p.exclude_archived) && c.is_archived),
    );
    const { page, next } = paginate(visible, p, 100);
    return { channels: page.map((c) => this.view(c)), response_metadata: { next_cursor: next } };
  }

  private history(p: Record<string, unknown>) {
    const channel = this.member(p.channel, { allowArchived: true });
    const newestFirst = [...channel.messages].reverse();
    const { page, next } = paginate(newestFirst, p, 100);
    const withMetadata = bool(p.include_all_metadata);
    return {
      messages: page.map((m) => this.messageView(channel, m, withMetadata)),
      has_more: next !== '',
      response_metadata: { next_cursor: next },
    };
  }

  private setTopicOrPurpose(field: 'topic' | 'purpose', p: Record<string, unknown>) {
    const channel = this.member(p.channel);
    const value = str(p[field]);
    if (value.length > 250) throw new SlackError('too_long');
    channel[field] = { value, creator: this.botUserId, last_set: Math.floor(Date.now() / 1000) };
    const subtype = field === 'topic' ? 'channel_topic' : 'channel_purpose';
    channel.messages.push({
      ts: this.nextTs(),
      user: this.botUserId,
      subtype,
      text: `set the channel ${field}: ${value}`,
      pinned: false,
    });
    return { channel: this.view(channel) };
  }

  private invite(p: Record<string, unknown>) {
    const channel = this.member(p.channel);
    const ids = str(p.users).split(',').filter(Boolean);
    if (ids.length === 0) throw new SlackError('no_user');
    for (const id of ids) {
      if (id === this.botUserId) throw new SlackError('cant_invite_self');
      if (!this.users.some((u) => u.id === id)) throw new SlackError('user_not_found');
      if (channel.members.has(id)) throw new SlackError('already_in_channel');
    }
    for (const id of ids) channel.members.add(id);
    return { channel: this.view(channel) };
  }

  private postMessage(p: Record<string, unknown>) {
    const channel = this.member(p.channel);
    const text = str(p.text);
    const blocks = json(p.blocks) as unknown[] | undefined;
    if (text === '' && !blocks) throw new SlackError('no_text');
    const message: FakeMessage = { ts: this.nextTs(), user: this.botUserId, text, pinned: false };
    if (blocks) message.blocks = blocks;
    const metadata = json(p.metadata) as FakeMessage['metadata'];
    if (metadata) {
      if (typeof metadata.event_type !== 'string') throw new SlackError('invalid_metadata_format');
      message.metadata = metadata;
    }
    channel.messages.push(message);
    return { channel: channel.id, ts: message.ts, message: this.messageView(channel, message, true) };
  }

  private update(p: Record<string, unknown>) {
    const channel = this.member(p.channel);
    const message = channel.messages.find((m) => m.ts === str(p.ts));
    if (!message) throw new SlackError('message_not_found');
    if (message.user !== this.botUserId) throw new SlackError('cant_update_message');
    if (p.text !== undefined) message.text = str(p.text);
    const blocks = json(p.blocks) as unknown[] | undefined;
    if (blocks) message.blocks = blocks;
    const metadata = json(p.metadata) as FakeMessage['metadata'];
    if (metadata) message.metadata = metadata;
    message.edited = { user: this.botUserId, ts: this.nextTs() };
    return {
      channel: channel.id,
      ts: message.ts,
      text: message.text,
      message: this.messageView(channel, message, true),
    };
  }

  /** The channel, as the bot may use it: private channels it is not in do not exist for it. */
  private member(id: unknown, options: { allowArchived?: boolean } = {}): FakeChannel {
    const channel = this.channels.get(str(id));
    if (!channel || (channel.is_private && !channel.members.has(this.botUserId)))
      throw new SlackError('channel_not_found');
    if (!channel.members.has(this.botUserId)) throw new SlackError('not_in_channel');
    if (channel.is_archived && !options.allowArchived) throw new SlackError('is_archived');
    return channel;
  }

  private view(channel: FakeChannel) {
    return {
      id: channel.id,
      name: channel.name,
      is_channel: !channel.is_private,
      is_group: false,
      is_private: channel.is_private,
      is_archived: channel.is_archived,
      is_member: channel.members.has(this.botUserId),
      creator: channel.creator,
      created: channel.created,
      topic: channel.topic,
      purpose: channel.purpose,
      num_members: channel.members.size,
    };
  }

  private messageView(channel: FakeChannel, message: FakeMessage, withMetadata: boolean) {
    const { pinned, metadata, ...rest } = message;
    return {
      type: 'message',
      ...rest,
      ...(message.user === this.botUserId ? { bot_id: 'B0FAKE' } : {}),
      ...(withMetadata && metadata ? { metadata } : {}),
      ...(pinned ? { pinned_to: [channel.id] } : {}),
    };
  }

  private newChannelId(isPrivate: boolean): string {
    return `${isPrivate ? 'G' : 'C'}FAKE${String(this.nextChannel++).padStart(4, '0')}`;
  }

  /** Slack timestamps: seconds with a six-digit sequence, unique and increasing within a channel. */
  private nextTs(): string {
    this.tsSequence += 1;
    return `${Math.floor(Date.now() / 1000)}.${String(this.tsSequence).padStart(6, '0')}`;
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(contentType: string, raw: string): Record<string, unknown> {
  if (raw === '') return {};
  if (contentType.includes('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  return Object.fromEntries(new URLSearchParams(raw));
}

/** Form bodies carry objects as JSON strings (the WebClient serialises blocks and metadata that way). */
function json(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    throw new SlackError('invalid_arguments');
  }
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value);
}

function bool(value: unknown): boolean {
  return value === true || value === 'true' || value === '1' || value === 1;
}

function paginate<T>(items: T[], p: Record<string, unknown>, defaultLimit: number): { page: T[]; next: string } {
  const limit = Math.min(Number(p.limit ?? defaultLimit) || defaultLimit, 1000);
  const start = p.cursor ? Number(Buffer.from(str(p.cursor), 'base64').toString('utf8').replace('offset:', '')) : 0;
  const page = items.slice(start, start + limit);
  const next = start + limit < items.length ? Buffer.from(`offset:${start + limit}`).toString('base64') : '';
  return { page, next };
}
