import ical, { ICalCalendarMethod } from 'ical-generator';
import type { Transporter } from 'nodemailer';
import type { Contact } from '../../domain/policy';
import { resolveRecipients } from '../email/nodemailer';
import type { Outbox } from '../outbox/store';
import { heartbeatHandoff } from '../handoff';
import type { DeliveryHandoff } from '../providers';
import type { DeliveryReceipt, IncidentRef } from '../types';

export interface ReviewInvitationRequest extends IncidentRef {
  title: string;
  startsAt: number;
  durationMs: number;
  /** Policy contact names or email addresses. */
  attendees: string[];
  /** The postmortem's owner, who organizes the review. */
  organizer: string;
  /** The document under review. */
  document: string;
  /** One event per postmortem: a rescheduled review updates it (same UID, higher sequence) in every calendar. */
  uid: string;
  sequence: number;
}

/** Sends the post-incident review's calendar invitation. */
export interface ReviewInviter {
  invite(request: ReviewInvitationRequest, handoff?: DeliveryHandoff): Promise<DeliveryReceipt>;
}

/** The invitation as iCalendar (RFC 5545) with METHOD:REQUEST, the form calendars offer to accept. */
export function reviewInvitation(request: ReviewInvitationRequest, from: string, attendees: string[]): string {
  const calendar = ical({
    name: 'Post-incident review',
    method: ICalCalendarMethod.REQUEST,
    prodId: '//incident-response//postmortem//EN',
  });
  calendar.createEvent({
    id: request.uid,
    sequence: request.sequence,
    start: new Date(request.startsAt),
    end: new Date(request.startsAt + request.durationMs),
    summary: `Post-incident review: ${request.title}`,
    description: `Review of the postmortem for incident ${request.incidentId}: ${request.document}`,
    organizer: { name: request.organizer, email: from },
    attendees: attendees.map((email) => ({ email, rsvp: true })),
  });
  return calendar.toString();
}

/**
 * Mails the invitation with its iCalendar part (text/calendar; method=REQUEST) to the attendees, through the same
 * kind of transport as the worker's email: SMTP when configured, else a JSON transport logged to the outbox.
 */
export function nodemailerReviewInviter(deps: {
  transport: Transporter;
  from: string;
  contacts: Record<string, Contact>;
  outbox?: Outbox;
  /** SMTP: an accepted invitation is handed off to Temporal. The JSON transport's outbox record is the delivery. */
  remote: boolean;
}): ReviewInviter {
  return {
    async invite(request, attemptHandoff) {
      const handoff = deps.remote ? attemptHandoff : undefined;
      // An earlier attempt, on any worker, that the SMTP server accepted: sending again would invite people twice.
      if (handoff?.earlier) return { ...handoff.earlier, duplicate: true };
      const addresses = [
        ...new Set([
          ...resolveRecipients(request.attendees, deps.contacts),
          ...request.attendees.filter((who) => who.includes('@')),
        ]),
      ];
      if (addresses.length === 0) throw new Error(`no email address for ${request.attendees.join(', ')}`);
      if (deps.outbox && (await deps.outbox.has('email', request.key))) {
        return { destination: addresses.join(', '), duplicate: true };
      }
      const content = reviewInvitation(request, deps.from, addresses);
      const subject = `${request.drill ? '[DRILL] ' : ''}Invitation: post-incident review of ${request.title}`;
      await deps.transport.sendMail({
        from: deps.from,
        to: addresses,
        subject,
        text: `You are invited to the post-incident review on ${new Date(request.startsAt).toISOString()}.\nDocument: ${request.document}`,
        icalEvent: { method: 'REQUEST', filename: 'invite.ics', content },
        headers: { 'X-Incident-Key': request.key },
      });
      const receipt = { destination: addresses.join(', '), duplicate: false };
      await handoff?.accepted(receipt);
      await deps.outbox?.deliver({
        channel: 'email',
        key: request.key,
        incidentId: request.incidentId,
        drill: request.drill,
        payload: { to: addresses, subject, calendar: content },
      });
      return receipt;
    },
  };
}

export function invitationActivities(inviter: ReviewInviter) {
  return {
    async sendReviewInvitation(request: ReviewInvitationRequest): Promise<DeliveryReceipt> {
      return inviter.invite(request, heartbeatHandoff());
    },
  };
}
