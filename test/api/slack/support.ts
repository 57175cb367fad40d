import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { createSlackClient } from '../../../src/activities/chat/slack/client';
import { buildApp } from '../../../src/api/app';
import { TokenRegistry } from '../../../src/api/plugins/auth';
import { slackSignature } from '../../../src/api/slack/signature';
import { IncidentService } from '../../../src/client/service';
import { buildPolicy } from '../../../src/domain/policy';
import { FakeSlackApi, type FakeUser } from '../../fakes/slack-api';

/** A loopback stand-in for Slack's response_url: every POST is kept, by path, for the test to wait on. */
export class ResponseUrls {
  private readonly received = new Map<string, unknown[]>();
  private readonly waiters: Array<() => void> = [];
  private counter = 0;

  private constructor(private readonly server: Server) {}

  static async start(): Promise<ResponseUrls> {
    const server = createServer();
    const urls = new ResponseUrls(server);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const list = urls.received.get(req.url ?? '') ?? [];
        list.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        urls.received.set(req.url ?? '', list);
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
        for (const wake of urls.waiters.splice(0)) wake();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return urls;
  }

  get prefix(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  /** A fresh response_url, as Slack mints one per request. */
  next(): string {
    return `${this.prefix}hooks/${++this.counter}`;
  }

  posts(url: string): Array<{ text: string; response_type: string; blocks?: unknown[] }> {
    return (this.received.get(new URL(url).pathname) ?? []) as Array<{
      text: string;
      response_type: string;
      blocks?: unknown[];
    }>;
  }

  /** Waits until `count` messages have arrived at `url` (default one). */
  async waitFor(url: string, count = 1, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    while (this.posts(url).length < count) {
      if (Date.now() > deadline) throw new Error(`nothing (or too little) arrived at ${url} in ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
    return this.posts(url);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** What the app answers: a slash command's message, a modal's errors, or a problem document. */
export interface SlackAnswer {
  text?: string;
  response_type?: string;
  response_action?: string;
  errors?: Record<string, string>;
  type?: string;
  detail?: string;
}

export interface SignOptions {
  secret: string;
  /** Seconds since the epoch; now by default. */
  timestamp?: number;
  /** Sent as X-Slack-Retry-Num. */
  retry?: number;
  /** Sign this body but send `tamperedBody`. */
  tamperedBody?: string;
  contentType?: string;
  omitSignature?: boolean;
}

/** POSTs a form body to the app as Slack would: signed over the raw bytes with the signing secret. */
export async function slackPost(baseUrl: string, path: string, body: string, options: SignOptions) {
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const headers: Record<string, string> = {
    'content-type': options.contentType ?? 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': timestamp,
  };
  if (!options.omitSignature) headers['x-slack-signature'] = slackSignature(options.secret, timestamp, body);
  if (options.retry !== undefined) headers['x-slack-retry-num'] = String(options.retry);
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers,
    body: options.tamperedBody ?? body,
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: response.status, text, body: json as SlackAnswer | undefined };
}

let triggers = 0;
export const newTrigger = () => `${Date.now()}.${++triggers}.a1b2c3d4e5f6`;

export function slashCommandForm(fields: { text: string; user: string; responseUrl: string; trigger?: string }) {
  return new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: 'T0TEAM001',
    team_domain: 'example',
    channel_id: 'C0GENERAL',
    channel_name: 'general',
    user_id: fields.user,
    user_name: fields.user.toLowerCase(),
    command: '/incident',
    text: fields.text,
    api_app_id: 'A0APP0001',
    response_url: fields.responseUrl,
    trigger_id: fields.trigger ?? newTrigger(),
  }).toString();
}

export function interactionForm(payload: Record<string, unknown>): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** A button click on a message in a channel, as block_actions carries it. */
export function buttonClick(fields: { actionId: string; user: string; responseUrl: string; channel?: string }) {
  return interactionForm({
    type: 'block_actions',
    user: { id: fields.user, username: fields.user.toLowerCase(), team_id: 'T0TEAM001' },
    api_app_id: 'A0APP0001',
    team: { id: 'T0TEAM001', domain: 'example' },
    container: { type: 'message', message_ts: '1700000000.000100', channel_id: fields.channel ?? 'C0INCIDENT' },
    channel: { id: fields.channel ?? 'C0INCIDENT', name: 'inc-test' },
    trigger_id: newTrigger(),
    response_url: fields.responseUrl,
    actions: [
      {
        type: 'button',
        action_id: fields.actionId,
        block_id: 'incident-actions',
        value: 'x',
        action_ts: `${Date.now() / 1000}`,
      },
    ],
  });
}

/** A modal's input as Slack sends it: text (null when empty), a select's choice, or the checkboxes ticked. */
export type SubmittedValue = string | { selected: string } | { checked: string[] } | null;

function submitted(value: SubmittedValue) {
  if (value === null || typeof value === 'string') return { type: 'plain_text_input', value };
  if ('selected' in value) {
    return { type: 'static_select', selected_option: { value: value.selected, text: { type: 'plain_text' } } };
  }
  return {
    type: 'checkboxes',
    selected_options: value.checked.map((v) => ({ value: v, text: { type: 'plain_text' } })),
  };
}

/** A modal submitted: its callback id, private metadata and input values as `values[block][value]`. */
export function viewSubmission(fields: {
  user: string;
  view: { id: string; callback_id: string; private_metadata: string };
  values: Record<string, SubmittedValue>;
}) {
  const values = Object.fromEntries(
    Object.entries(fields.values).map(([block, value]) => [block, { value: submitted(value) }]),
  );
  return interactionForm({
    type: 'view_submission',
    team: { id: 'T0TEAM001', domain: 'example' },
    user: { id: fields.user, team_id: 'T0TEAM001' },
    trigger_id: newTrigger(),
    view: { ...fields.view, type: 'modal', team_id: 'T0TEAM001', hash: 'h1', state: { values } },
  });
}

/** The API with its Slack routes, a loopback Slack Web API and response_url, over a test server's incidents. */
export interface SlackApp {
  app: FastifyInstance;
  base: string;
  slack: FakeSlackApi;
  responses: ResponseUrls;
  incidents: IncidentService;
  close(): Promise<void>;
}

export const SLACK_TOKEN = 'xoxb-test-bot-token';

export async function startSlackApp(options: {
  env: TestWorkflowEnvironment;
  taskQueue: string;
  /** The policy the API reads (the workers' own, in a deployment). */
  policy: unknown;
  users: FakeUser[];
  signingSecret: string;
  /** Further response_url prefixes accepted besides the loopback's. */
  extraPrefixes?: string[];
}): Promise<SlackApp> {
  const slack = await FakeSlackApi.start({ token: SLACK_TOKEN, users: options.users });
  const responses = await ResponseUrls.start();
  const incidents = new IncidentService(options.env.client, { taskQueue: options.taskQueue });
  const webClient = createSlackClient(SLACK_TOKEN, slack.url);
  const app = await buildApp({
    incidents,
    policy: buildPolicy(options.policy),
    tokens: new TokenRegistry(new Map()),
    rateLimitPerMinute: 100_000,
    slack: {
      signingSecret: options.signingSecret,
      webClient: () => webClient,
      responseUrlPrefixes: [responses.prefix, ...(options.extraPrefixes ?? [])],
    },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    app,
    base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    slack,
    responses,
    incidents,
    async close() {
      await app.close();
      await responses.close();
      await slack.close();
    },
  };
}

export async function waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
