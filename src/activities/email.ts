import { ApplicationFailure } from '@temporalio/common';
import type { Transporter } from 'nodemailer';
import type { Contact } from '../domain/policy';
import type { Outbox } from './outbox';
import type { DeliveryReceipt, EmailRequest } from './types';

export interface EmailProvider {
  send(request: EmailRequest): Promise<DeliveryReceipt>;
}

export interface EmailDeps {
  transport: Transporter;
  from: string;
  contacts: Record<string, Contact>;
  /** With nodemailer's JSON transport, the rendered message is kept in the outbox. */
  outbox?: Outbox;
}

export function resolveRecipients(audience: string[], contacts: Record<string, Contact>): string[] {
  return [...new Set(audience.flatMap((name) => contacts[name]?.email ?? []))];
}

export function nodemailerEmail(deps: EmailDeps): EmailProvider {
  return {
    async send(request) {
      const to = resolveRecipients(request.audience, deps.contacts);
      if (to.length === 0) {
        throw ApplicationFailure.nonRetryable(
          `no email address configured for ${request.audience.join(', ')} (set contacts.<name>.email in the policy file)`,
          'NoRecipients',
        );
      }
      const subject = `${request.drill ? '[DRILL] ' : ''}${request.message.subject}`;
      // The Message-ID carries the idempotency key, so a receiving system can recognise a resend.
      const messageId = `<${request.key.replace(/[^a-zA-Z0-9.-]/g, '.')}@incident-response>`;
      const info = (await deps.transport.sendMail({
        from: deps.from,
        to,
        subject,
        text: request.message.text,
        messageId,
      })) as { messageId?: string; message?: unknown };
      if (deps.outbox) {
        const { duplicate } = await deps.outbox.deliver({
          channel: 'email',
          key: request.key,
          incidentId: request.incidentId,
          drill: request.drill,
          payload: { to, subject, text: request.message.text, messageId },
        });
        return { destination: to.join(', '), duplicate };
      }
      return { destination: `${to.join(', ')} (${info.messageId ?? messageId})`, duplicate: false };
    },
  };
}
