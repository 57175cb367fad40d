import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { simpleParser } from 'mailparser';
import { createSmtpTransport } from '../../../src/activities/email/nodemailer';
import { nodemailerReviewInviter } from '../../../src/activities/postmortem/invitation';
import type { DeliveryReceipt } from '../../../src/activities/types';
import { startFakeSmtp, type FakeSmtpServer } from '../../fakes/smtp';

let smtp: FakeSmtpServer;
before(async () => (smtp = await startFakeSmtp()));
after(() => smtp.close());

const STARTS = Date.parse('2026-03-03T15:00:00.000Z');

void test('the review invitation is a text/calendar METHOD:REQUEST part a calendar library reads back', async () => {
  const inviter = nodemailerReviewInviter({
    transport: createSmtpTransport(smtp.url),
    from: 'incidents@example.com',
    contacts: { sre: { email: ['sre@example.com', 'lead@example.com'] } },
    remote: true,
  });
  const receipt = await inviter.invite({
    incidentId: 'inc-42',
    key: 'postmortem-inc-42/review-0-invitation',
    drill: false,
    title: 'Checkout is down',
    startsAt: STARTS,
    durationMs: 45 * 60_000,
    attendees: ['sre', 'pm@example.com'],
    organizer: 'alice',
    document: '/data/postmortems/inc-42.md',
    uid: 'postmortem-inc-42-review@incident-response',
    sequence: 1,
  });
  assert.equal(receipt.destination, 'sre@example.com, lead@example.com, pm@example.com');

  const [mail] = smtp.received;
  assert.ok(mail);
  assert.deepEqual(mail.rcptTo.sort(), ['lead@example.com', 'pm@example.com', 'sre@example.com']);
  const parsed = await simpleParser(mail.raw);
  const calendarPart = parsed.attachments.find((a) => a.contentType === 'text/calendar');
  assert.ok(calendarPart, `a text/calendar part (${parsed.attachments.map((a) => a.contentType).join(', ')})`);
  assert.match(mail.raw, /Content-Type: text\/calendar; charset=utf-8; method=REQUEST/i);

  // ical.js types itself as an ES module: imported as one.
  const { default: ICAL } = await import('ical.js');
  const parsedCalendar = ICAL.parse(calendarPart.content.toString('utf8')) as unknown[];
  const calendar = new ICAL.Component(parsedCalendar);
  assert.equal(calendar.getFirstPropertyValue('method'), 'REQUEST');
  const event = new ICAL.Event(calendar.getFirstSubcomponent('vevent')!);
  assert.equal(event.uid, 'postmortem-inc-42-review@incident-response');
  assert.equal(event.sequence, 1);
  assert.equal(event.startDate.toJSDate().getTime(), STARTS);
  assert.equal(event.endDate.toJSDate().getTime(), STARTS + 45 * 60_000);
  assert.match(event.summary, /Post-incident review: Checkout is down/);
  assert.match(event.description, /\/data\/postmortems\/inc-42\.md/);
  const attendees = event.attendees.map((a) => String(a.getFirstValue()).toLowerCase());
  assert.deepEqual(attendees.sort(), ['mailto:lead@example.com', 'mailto:pm@example.com', 'mailto:sre@example.com']);
  assert.match(
    String(calendar.getFirstSubcomponent('vevent')!.getFirstPropertyValue('organizer')),
    /incidents@example\.com/i,
  );
});

void test('an invitation to nobody with an address fails, naming who', async () => {
  const inviter = nodemailerReviewInviter({
    transport: createSmtpTransport(smtp.url),
    from: 'x@example.com',
    contacts: {},
    remote: true,
  });
  await assert.rejects(
    inviter.invite({
      incidentId: 'inc-1',
      key: 'k',
      drill: false,
      title: 't',
      startsAt: STARTS,
      durationMs: 3_600_000,
      attendees: ['nobody'],
      organizer: 'alice',
      document: 'd',
      uid: 'u',
      sequence: 0,
    }),
    /no email address for nobody/,
  );
});

void test('an invitation the SMTP server accepted is not sent again by a retry on another worker', async () => {
  const request = {
    incidentId: 'inc-43',
    key: 'postmortem-inc-43/review-0-invitation',
    drill: false,
    title: 'Checkout is slow',
    startsAt: STARTS,
    durationMs: 30 * 60_000,
    attendees: ['pm@example.com'],
    organizer: 'alice',
    document: 'd',
    uid: 'postmortem-inc-43-review@incident-response',
    sequence: 0,
  };
  // Two inviters stand for two workers; what the first hands off is what Temporal gives the retry.
  const worker = () =>
    nodemailerReviewInviter({
      transport: createSmtpTransport(smtp.url),
      from: 'x@example.com',
      contacts: {},
      remote: true,
    });
  const before = smtp.received.length;
  const recorded: DeliveryReceipt[] = [];
  const first = await worker().invite(request, {
    earlier: undefined,
    accepted: (receipt) => Promise.resolve(void recorded.push(receipt)),
  });
  assert.deepEqual(recorded, [first], 'the acceptance was handed off before the attempt ended');
  const retry = await worker().invite(request, { earlier: recorded[0], accepted: () => assert.fail('sent again') });
  assert.equal(retry.duplicate, true);
  assert.equal(smtp.received.length, before + 1, 'one invitation mailed');
});
