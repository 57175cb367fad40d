import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback proxy in front of the Slack fake that can carry one request out and withhold Slack's answer:
 * Slack has acted (the message is in the channel) but the worker never learns it. Killing the worker then
 * leaves its activity between the provider call and its completion, which is what the crash test needs.
 */
export interface HeldRequest {
  method: string;
  params: Record<string, string>;
  /** What Slack answered, and the worker never received. */
  answer: string;
  /** Epoch ms when Slack's answer reached the proxy. */
  at: number;
  /** Resolves with the epoch ms at which the worker's end of the connection closed. */
  clientGone: Promise<number>;
}

type Matcher = (method: string, params: Record<string, string>) => boolean;

export class HoldingProxy {
  private hold: { match: Matcher; resolve: (held: HeldRequest) => void } | undefined;
  private readonly held: ServerResponse[] = [];

  private constructor(
    private readonly server: ReturnType<typeof createServer>,
    private readonly target: URL,
  ) {}

  /** `target` is the fake's API URL, e.g. `http://127.0.0.1:1234/api/`. */
  static async start(target: string): Promise<HoldingProxy> {
    const server = createServer();
    const proxy = new HoldingProxy(server, new URL(target));
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      proxy.forward(req, res).catch((error: unknown) => {
        res.writeHead(502, { 'content-type': 'text/plain' }).end(String(error));
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return proxy;
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}${this.target.pathname}`;
  }

  /** The next request `match` accepts goes to Slack; its answer is held until the client goes away. */
  holdNext(match: Matcher): Promise<HeldRequest> {
    return new Promise((resolve) => (this.hold = { match, resolve }));
  }

  async close(): Promise<void> {
    for (const res of this.held.splice(0)) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const headers: Record<string, string> = {};
    for (const name of ['authorization', 'content-type']) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const upstream = await fetch(new URL(req.url ?? '/', this.target.origin), {
      method: req.method ?? 'POST',
      headers,
      ...(req.method === 'GET' || req.method === 'HEAD' ? {} : { body }),
    });
    const answer = await upstream.text();

    const method = /\/api\/([\w.]+)$/.exec(req.url ?? '')?.[1] ?? '';
    const hold = this.hold;
    const params = parseParams(headers['content-type'] ?? '', body);
    if (hold && hold.match(method, params)) {
      this.hold = undefined;
      this.held.push(res);
      const clientGone = new Promise<number>((resolve) => res.once('close', () => resolve(Date.now())));
      hold.resolve({ method, params, answer, at: Date.now(), clientGone });
      return;
    }
    const passed: Record<string, string> = { 'content-type': upstream.headers.get('content-type') ?? 'text/plain' };
    const retryAfter = upstream.headers.get('retry-after');
    if (retryAfter !== null) passed['retry-after'] = retryAfter;
    res.writeHead(upstream.status, passed).end(answer);
  }
}

function parseParams(contentType: string, body: string): Record<string, string> {
  if (body === '') return {};
  if (contentType.includes('application/json')) {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    return Object.fromEntries(
      Object.entries(parsed).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]),
    );
  }
  return Object.fromEntries(new URLSearchParams(body));
}
