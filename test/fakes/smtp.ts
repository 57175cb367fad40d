import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerError, type SMTPServerSession } from 'smtp-server';

/**
 * A real SMTP server on loopback (the `smtp-server` package) that requires AUTH, keeps every accepted
 * message parsed enough to assert on, and answers scripted failures for the next N messages.
 */
export interface ReceivedMail {
  /** SMTP envelope, as the client sent it. */
  mailFrom: string;
  rcptTo: string[];
  /** The user that authenticated the session. */
  user: string;
  /** Header names lower-cased; encoded words (RFC 2047) decoded. */
  headers: Record<string, string>;
  subject: string;
  messageId: string;
  text: string;
  html: string;
  raw: string;
}

export interface SmtpFault {
  code: number;
  message: string;
  /** Which command the server refuses: the recipient, or the message after DATA (default). */
  at?: 'rcpt' | 'data';
}

export interface FakeSmtpServer {
  url: string;
  port: number;
  user: string;
  password: string;
  received: ReceivedMail[];
  /** AUTH attempts rejected for a wrong user or password. */
  authFailures: number;
  /** Answer the next `count` messages with the fault, then accept again. */
  failNext(count: number, fault: SmtpFault): void;
  close(): Promise<void>;
}

export async function startFakeSmtp(options: { user?: string; password?: string } = {}): Promise<FakeSmtpServer> {
  const user = options.user ?? 'mailer';
  const password = options.password ?? 'smtp-secret-p4ss';
  const received: ReceivedMail[] = [];
  const faults: SmtpFault[] = [];
  const state = { authFailures: 0 };

  const fault = (at: 'rcpt' | 'data'): SMTPServerError | null => {
    const next = faults[0];
    if (!next || (next.at ?? 'data') !== at) return null;
    faults.shift();
    return Object.assign(new Error(next.message), { responseCode: next.code });
  };

  const server = new SMTPServer({
    logger: false,
    // Loopback only: plain AUTH without TLS is what the test needs to prove credentials are sent.
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, callback) {
      if (auth.username === user && auth.password === password) return callback(null, { user });
      state.authFailures += 1;
      callback(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
    },
    onRcptTo(_address, _session, callback) {
      callback(fault('rcpt'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const failure = fault('data');
        if (failure) return callback(failure);
        received.push(parseMail(Buffer.concat(chunks).toString('utf8'), session));
        callback(null, 'OK: queued');
      });
    },
  });

  // A client that dies mid-session (a SIGKILLed worker) resets its connection; a real server logs that and carries
  // on, and so does this one. Without a listener, smtp-server's 'error' event would crash the test process.
  server.on('error', (error: Error & { code?: string }) => {
    if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') throw error;
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;

  return {
    url: `smtp://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}`,
    port,
    user,
    password,
    received,
    get authFailures() {
      return state.authFailures;
    },
    failNext(count, next) {
      for (let i = 0; i < count; i += 1) faults.push(next);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function parseMail(raw: string, session: SMTPServerSession): ReceivedMail {
  const { headers, body } = splitEntity(raw);
  const parts = leafParts(headers, body);
  const text = parts.find((part) => part.type === 'text/plain')?.content ?? '';
  const html = parts.find((part) => part.type === 'text/html')?.content ?? '';
  const envelope = session.envelope;
  return {
    mailFrom: envelope.mailFrom ? envelope.mailFrom.address : '',
    rcptTo: envelope.rcptTo.map((rcpt) => rcpt.address),
    user: typeof session.user === 'string' ? session.user : '',
    headers,
    subject: headers.subject ?? '',
    messageId: headers['message-id'] ?? '',
    text,
    html,
    raw,
  };
}

/** Splits one MIME entity into unfolded, decoded headers and its body. */
function splitEntity(raw: string): { headers: Record<string, string>; body: string } {
  const normalized = raw.replace(/\r\n/g, '\n');
  const end = normalized.indexOf('\n\n');
  const head = end === -1 ? normalized : normalized.slice(0, end);
  const body = end === -1 ? '' : normalized.slice(end + 2);
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers[line.slice(0, colon).trim().toLowerCase()] = decodeWords(line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function leafParts(headers: Record<string, string>, body: string): Array<{ type: string; content: string }> {
  const contentType = headers['content-type'] ?? 'text/plain';
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? 'text/plain';
  if (type.startsWith('multipart/')) {
    const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
    if (!boundary) return [];
    return body
      .split(`--${boundary}`)
      .slice(1)
      .filter((chunk) => !chunk.startsWith('--'))
      .flatMap((chunk) => {
        const part = splitEntity(chunk.replace(/^\n/, ''));
        return leafParts(part.headers, part.body);
      });
  }
  const encoding = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  return [{ type, content: decodeBody(body, encoding).replace(/\n$/, '') }];
}

function decodeBody(body: string, encoding: string): string {
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') {
    const soft = body.replace(/=\n/g, '');
    const bytes: number[] = [];
    for (let i = 0; i < soft.length; i += 1) {
      const hex = soft.slice(i + 1, i + 3);
      if (soft[i] === '=' && /^[0-9A-F]{2}$/i.test(hex)) {
        bytes.push(parseInt(hex, 16));
        i += 2;
      } else {
        bytes.push(...Buffer.from(soft[i] ?? '', 'utf8'));
      }
    }
    return Buffer.from(bytes).toString('utf8');
  }
  return body;
}

/** RFC 2047 encoded words, as nodemailer writes non-ASCII subjects. */
function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([BQ])\?([^?]*)\?=/gi, (_m, _charset: string, kind: string, data: string) => {
      if (kind.toUpperCase() === 'B') return Buffer.from(data, 'base64').toString('utf8');
      return decodeBody(data.replace(/_/g, ' '), 'quoted-printable');
    });
}
