import type { RenderedMessage } from '../../domain/templates';
import type { Outbox } from '../outbox/store';
import type { ChatProvider, EmailProvider, PagerProvider } from '../providers';
import type { PageRequest } from '../types';
import { outboxPager } from './outbox';

/**
 * The pager when no paging provider is configured: a page still reaches its target, by a mention in the incident
 * channel and an email to the target's contact (DESIGN.md: paging's embedded default is chat mention + email), and is
 * recorded in the outbox like any page. Only a trigger is delivered this way: an acknowledgement or a resolution has
 * nobody to wake. It fails only when neither chat nor email reached anyone, so the activity retries.
 */
export function contactPager(outbox: Outbox, chat: ChatProvider, email: EmailProvider): PagerProvider {
  const recorded = outboxPager(outbox);
  return {
    async send(request, handoff) {
      const receipt = await recorded.send(request);
      if (request.action !== 'trigger') return receipt;
      const message = pageMessage(request);
      // Keys of their own, so a retried page is deduplicated by the chat and the mailer as any message is.
      const ref = { incidentId: request.incidentId, drill: request.drill };
      const [posted, mailed] = await Promise.allSettled([
        chat.post(
          { ...ref, key: `${request.key}/chat`, channel: request.channel ?? null, message, mention: [request.target] },
          1,
        ),
        // The handoff: a retry on another worker after the SMTP server accepted must not mail the target again.
        email.send({ ...ref, key: `${request.key}/email`, audience: [request.target], message }, handoff),
      ]);
      const reached = [
        ...(posted.status === 'fulfilled' ? [`chat ${posted.value.destination}`] : []),
        ...(mailed.status === 'fulfilled' ? [`email ${mailed.value.destination}`] : []),
      ];
      if (reached.length === 0) {
        const why = [posted, mailed].map((r) => (r.status === 'rejected' ? String((r.reason as Error).message) : ''));
        throw new Error(`no paging provider, and neither chat nor email reached ${request.target}: ${why.join('; ')}`);
      }
      return {
        destination: `${request.target} by ${reached.join(' and ')} (no paging provider configured)`,
        duplicate: receipt.duplicate,
      };
    },
  };
}

function pageMessage(request: PageRequest): RenderedMessage {
  const lead = `${request.target}: you are paged for ${request.summary} (${request.reason}).`;
  return {
    kind: 'escalation',
    subject: `Page: ${request.summary}`,
    text: `${lead}\nAcknowledge: incident ack ${request.incidentId} --by <you>`,
    fields: [
      { label: 'Paged', value: request.target },
      { label: 'Reason', value: request.reason },
      { label: 'Incident', value: request.incidentId },
    ],
  };
}
