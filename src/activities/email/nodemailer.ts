import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import nodemailer, { type NodemailerError, type Transporter } from 'nodemailer';
import type { Contact } from '../../domain/policy';
import type { RenderedMessage } from '../../domain/templates';
import { redact } from '../http/errors';
import type { Outbox } from '../outbox/store';
import type { DeliveryHandoff, EmailProvider } from '../providers';
import type { DeliveryReceipt, EmailRequest } from '../types';

export interface EmailDeps {
  transport: Transporter;
  from: string;
  contacts: Record<string, Contact>;
  /**
   * Every sent email is recorded here by key. With nodemailer's JSON transport this is the delivery itself; with
   * SMTP it is this worker's sent log. Across workers, the activity's heartbeat (DeliveryHandoff) stops a retry
   * from mailing again.
   */
  outbox?: Outbox;
}

/** Failure types an email delivery can end with; the workflow records the message on the timeline. */
export const EmailFailureType = {
  NoRecipients: 'NoRecipients',
  Rejected: 'EmailRejected',
} as const;

/** Contact names become their addresses; an address (an audience may list one) is itself. */
export function resolveRecipients(audience: string[], contacts: Record<string, Contact>): string[] {
  return [...new Set(audience.flatMap((name) => (name.includes('@') ? [name] : (contacts[name]?.email ?? []))))];
}

/** Values that must never leave the process in an error, kept per transport built by createSmtpTransport. */
const transportSecrets = new WeakMap<Transporter, string[]>();

/**
 * An SMTP transport from `smtp://user:pass@host:port` (or `smtps://` for implicit TLS). Timeouts stay well
 * inside the notification activity's 30 s start-to-close, and nodemailer never logs (its debug log would
 * carry the AUTH exchange).
 */
export function createSmtpTransport(smtpUrl: string): Transporter {
  const transport = nodemailer.createTransport({
    url: smtpUrl,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
    logger: false,
    debug: false,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  transportSecrets.set(transport, secretsOfUrl(smtpUrl));
  return transport;
}

/**
 * The SMTP provider: the same delivery as the embedded default, over a transport from createSmtpTransport. Once the
 * server accepted a message it is out of our hands, so that acceptance is handed to any retry.
 */
export function smtpEmail(deps: EmailDeps): EmailProvider {
  return mailer(deps, true);
}

/** The embedded default: with nodemailer's JSON transport the outbox record is the delivery, nothing to hand off. */
export function nodemailerEmail(deps: EmailDeps): EmailProvider {
  return mailer(deps, false);
}

const MAX_REMEMBERED_KEYS = 10_000;

function mailer(deps: EmailDeps, remote: boolean): EmailProvider {
  // A key sent (or being sent) by this process is not sent again; a failed send is forgotten so a retry can go.
  const sent = new Map<string, Promise<DeliveryReceipt>>();

  async function deliver(request: EmailRequest, handoff?: DeliveryHandoff): Promise<DeliveryReceipt> {
    // An earlier attempt, on any worker, that the SMTP server accepted: sending again would mail people twice.
    if (handoff?.earlier) return { ...handoff.earlier, duplicate: true };
    if (await deps.outbox?.has('email', request.key)) return { destination: 'sent before', duplicate: true };
    const to = resolveRecipients(request.audience, deps.contacts);
    if (to.length === 0) {
      throw ApplicationFailure.nonRetryable(
        `no email address configured for ${request.audience.join(', ')} (set contacts.<name>.email in the policy file)`,
        EmailFailureType.NoRecipients,
      );
    }
    const subject = emailSubject(request);
    const messageId = emailMessageId(request.key);
    const thread = `<incident.${headerSafe(request.incidentId)}@incident-response>`;
    let info: { messageId?: string; rejected?: unknown[] };
    try {
      info = await deps.transport.sendMail({
        from: deps.from,
        to,
        subject,
        text: request.message.text,
        html: renderEmailHtml(request.message, request.drill),
        messageId,
        // Every email of one incident threads under the same root in the recipient's mail client.
        references: thread,
        headers: { 'X-Incident-Id': request.incidentId },
      });
    } catch (error) {
      throw classifySmtpError(error, transportSecrets.get(deps.transport) ?? []);
    }
    const rejected = (info.rejected ?? []).map(String);
    const accepted = to.filter((address) => !rejected.includes(address));
    const note = rejected.length > 0 ? `; rejected: ${rejected.join(', ')}` : '';
    const receipt = { destination: `${accepted.join(', ')} (${info.messageId ?? messageId}${note})`, duplicate: false };
    // Recorded with Temporal before anything else can fail: from here on, a retry on any worker must not send.
    await handoff?.accepted(receipt);
    await deps.outbox?.deliver({
      channel: 'email',
      key: request.key,
      incidentId: request.incidentId,
      drill: request.drill,
      payload: { to, subject, text: request.message.text, messageId },
    });
    return receipt;
  }

  return {
    async send(request, handoff) {
      const earlier = sent.get(request.key);
      if (earlier) return { ...(await earlier), duplicate: true };
      const delivery = deliver(request, remote ? handoff : undefined);
      sent.set(request.key, delivery);
      if (sent.size > MAX_REMEMBERED_KEYS) sent.delete(sent.keys().next().value as string);
      try {
        return await delivery;
      } catch (error) {
        sent.delete(request.key);
        throw error;
      }
    },
  };
}

export function emailSubject(request: Pick<EmailRequest, 'drill' | 'message'>): string {
  const { subject } = request.message;
  return request.drill && !subject.includes('[DRILL]') ? `[DRILL] ${subject}` : subject;
}

/**
 * The Message-ID carries the idempotency key, so a receiving system can recognise a resend; the hash keeps
 * two keys that sanitise alike apart.
 */
export function emailMessageId(key: string): string {
  const digest = createHash('sha256').update(key).digest('hex').slice(0, 16);
  return `<${headerSafe(key).slice(0, 120)}.${digest}@incident-response>`;
}

function headerSafe(value: string): string {
  return value.replace(/[^a-zA-Z0-9.-]/g, '.');
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

/** The HTML alternative: the subject as a heading, the fields as a small table, the plain text as the lead. */
export function renderEmailHtml(message: RenderedMessage, drill: boolean): string {
  const fieldLines = new Set(message.fields.map((field) => `${field.label}: ${field.value}`));
  // The text repeats the fields as "Label: value" lines; the table shows them, so only the lead stays.
  const lead = message.text.split('\n').filter((line) => line.trim() !== '' && !fieldLines.has(line));
  const cell = 'style="padding:4px 12px 4px 0;vertical-align:top;text-align:left"';
  const rows = message.fields
    .map((field) => `<tr><th ${cell}>${escapeHtml(field.label)}</th><td ${cell}>${escapeHtml(field.value)}</td></tr>`)
    .join('\n');
  return [
    '<!doctype html>',
    '<html><body style="font-family:sans-serif">',
    drill ? '<p><strong>DRILL: this is an exercise, not a real incident.</strong></p>' : '',
    `<h2>${escapeHtml(message.subject)}</h2>`,
    ...lead.map((line) => `<p>${escapeHtml(line)}</p>`),
    rows ? `<table>\n${rows}\n</table>` : '',
    '</body></html>',
  ]
    .filter((line) => line !== '')
    .join('\n');
}

/**
 * SMTP replies decide retryability (RFC 5321): 4xx is transient, 5xx permanent. A failure with no reply at all
 * (connection refused, timeout) is transient too. The reason is the server's own words, minus any secret.
 */
export function classifySmtpError(error: unknown, secrets: string[] = []): Error {
  const failure = error as Partial<NodemailerError>;
  const code = failure.responseCode;
  const reply = redact((failure.response ?? failure.message ?? String(error)).trim(), secrets);
  if (code !== undefined && code >= 500 && code <= 599) {
    const what = failure.code === 'EAUTH' ? 'SMTP authentication failed' : 'SMTP server rejected the email';
    return ApplicationFailure.nonRetryable(`${what}: ${reply}`, EmailFailureType.Rejected);
  }
  if (code !== undefined && code >= 400 && code <= 499) {
    return new Error(`SMTP server deferred the email (will retry): ${reply}`);
  }
  if (failure.code === 'EAUTH') {
    return ApplicationFailure.nonRetryable(`SMTP authentication failed: ${reply}`, EmailFailureType.Rejected);
  }
  return new Error(`SMTP delivery failed (will retry): ${redact(failure.message ?? String(error), secrets)}`);
}

function secretsOfUrl(smtpUrl: string): string[] {
  try {
    const { password } = new URL(smtpUrl);
    if (!password) return [];
    return [...new Set([password, decodeURIComponent(password)])];
  } catch {
    return [];
  }
}
