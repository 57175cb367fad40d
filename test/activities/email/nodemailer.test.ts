import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import nodemailer from 'nodemailer';
import {
  createSmtpTransport,
  emailMessageId,
  nodemailerEmail,
  smtpEmail,
} from '../../../src/activities/email/nodemailer';
import type { EmailProvider } from '../../../src/activities/providers';
import { Outbox } from '../../../src/activities/outbox/store';
import type { EmailRequest } from '../../../src/activities/types';
import type { Contact } from '../../../src/domain/policy';
import { startFakeSmtp, type FakeSmtpServer } from '../../fakes/smtp';
import { assertPermanent, assertRetryable, rejectionOf } from '../failures';

const contacts: Record<string, Contact> = {
  stakeholders: { email: ['cto@example.com', 'support-lead@example.com'] },
  'engineering-manager': { email: ['em@example.com', 'cto@example.com'] },
  nobody: { email: [] },
};

let counter = 0;
function request(overrides: Partial<EmailRequest> = {}): EmailRequest {
  counter += 1;
  return {
    incidentId: 'INC-42',
    key: `incident-INC-42/${counter}-email`,
    drill: false,
    audience: ['stakeholders', 'engineering-manager'],
    message: {
      kind: 'stakeholder-notification',
      subject: 'Incident declared: [SEV-1] Checkout <errors> & timeouts',
      text: 'Checkout is failing for some customers.\nSeverity: SEV-1\nImpact: <script>alert(1)</script> & more',
      fields: [
        { label: 'Severity', value: 'SEV-1' },
        { label: 'Impact', value: '<script>alert(1)</script> & more' },
      ],
    },
    ...overrides,
  };
}

describe('email over SMTP (nodemailer against a loopback smtp-server)', () => {
  let smtp: FakeSmtpServer;
  let email: EmailProvider;

  before(async () => {
    smtp = await startFakeSmtp();
    email = smtpEmail({
      transport: createSmtpTransport(smtp.url),
      from: 'Incidents <incidents@example.com>',
      contacts,
    });
  });
  beforeEach(() => {
    smtp.received.length = 0;
  });
  after(() => smtp.close());

  it('authenticates and delivers text and escaped HTML bodies to the policy recipients', async () => {
    const sent = request();
    const receipt = await email.send(sent);

    assert.equal(smtp.received.length, 1);
    const mail = smtp.received[0]!;
    assert.equal(mail.user, smtp.user, 'the session authenticated with the URL credentials');
    assert.equal(mail.mailFrom, 'incidents@example.com');
    assert.deepEqual(mail.rcptTo.sort(), ['cto@example.com', 'em@example.com', 'support-lead@example.com']);
    assert.equal(mail.subject, sent.message.subject);
    assert.equal(mail.messageId, emailMessageId(sent.key));
    assert.equal(mail.headers['x-incident-id'], 'INC-42');
    assert.equal(mail.text, sent.message.text);
    assert.match(mail.html, /<th[^>]*>Impact<\/th><td[^>]*>&lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; more<\/td>/);
    assert.match(mail.html, /<h2>Incident declared: \[SEV-1\] Checkout &lt;errors&gt; &amp; timeouts<\/h2>/);
    assert.ok(!mail.html.includes('<script>'), 'nothing from the message reaches the HTML unescaped');
    assert.equal(receipt.duplicate, false);
    assert.match(receipt.destination, /cto@example\.com/);
  });

  it('marks drills in the subject and the body', async () => {
    await email.send(request({ drill: true }));
    const mail = smtp.received[0]!;
    assert.match(mail.subject, /^\[DRILL\] Incident declared/);
    assert.match(mail.html, /DRILL: this is an exercise/);
  });

  it('does not send the same key twice from one process', async () => {
    const sent = request();
    const [first, second] = await Promise.all([email.send(sent), email.send(sent)]);
    const third = await email.send(sent);
    assert.equal(smtp.received.length, 1);
    assert.deepEqual(
      [first.duplicate, second.duplicate, third.duplicate].sort(),
      [false, true, true],
      'one send, two duplicates',
    );
  });

  it('after a worker restart, the sent log stops a second email for the same key', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'email-sent-log-'));
    try {
      const sent = request();
      const deps = { from: 'incidents@example.com', contacts };
      const before = smtpEmail({ ...deps, transport: createSmtpTransport(smtp.url), outbox: new Outbox(dir) });
      assert.equal((await before.send(sent)).duplicate, false);
      // A new process: new transport, new provider, only the directory in common.
      const restarted = smtpEmail({ ...deps, transport: createSmtpTransport(smtp.url), outbox: new Outbox(dir) });
      assert.equal((await restarted.send(sent)).duplicate, true);
      assert.equal(smtp.received.length, 1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('without a sent log, a resend after a restart carries the same Message-ID so receivers can drop it', async () => {
    const sent = request();
    await email.send(sent);
    const restarted = smtpEmail({ transport: createSmtpTransport(smtp.url), from: 'incidents@example.com', contacts });
    await restarted.send(sent);
    assert.equal(smtp.received.length, 2);
    assert.equal(smtp.received[0]!.messageId, smtp.received[1]!.messageId);
  });

  for (const code of [421, 451]) {
    it(`an SMTP ${code} is transient: a retryable error, and the retry delivers`, async () => {
      smtp.failNext(1, { code, message: '4.3.2 Try again later' });
      const sent = request();
      const error = await rejectionOf(email.send(sent));
      assertRetryable(error);
      assert.match(error.message, new RegExp(`${code}`));
      assert.equal(smtp.received.length, 0);

      const retried = await email.send(sent);
      assert.equal(retried.duplicate, false, 'a failed send is not remembered as sent');
      assert.equal(smtp.received.length, 1);
    });
  }

  for (const code of [550, 554]) {
    it(`an SMTP ${code} is permanent: non-retryable with the server's reason and no secret`, async () => {
      smtp.failNext(1, { code, message: '5.7.1 Message rejected by policy' });
      const failure = assertPermanent(await rejectionOf(email.send(request())), 'EmailRejected');
      assert.match(failure.message, new RegExp(`SMTP server rejected the email: ${code}.*rejected by policy`));
      assert.ok(!failure.message.includes(smtp.password));
    });
  }

  it('every recipient refused at RCPT TO is permanent', async () => {
    smtp.failNext(3, { code: 550, message: '5.1.1 Mailbox unavailable', at: 'rcpt' });
    const failure = assertPermanent(await rejectionOf(email.send(request())), 'EmailRejected');
    assert.match(failure.message, /Mailbox unavailable/);
  });

  it('a wrong password is permanent and the error does not contain it', async () => {
    const wrongPassword = 'not-the-right-Pa55';
    const url = `smtp://${smtp.user}:${wrongPassword}@127.0.0.1:${smtp.port}`;
    const misconfigured = smtpEmail({ transport: createSmtpTransport(url), from: 'incidents@example.com', contacts });
    const failure = assertPermanent(await rejectionOf(misconfigured.send(request())), 'EmailRejected');
    assert.match(failure.message, /SMTP authentication failed: 535/);
    assert.ok(!failure.message.includes(wrongPassword));
    assert.ok(!JSON.stringify(failure).includes(wrongPassword));
    assert.equal(smtp.received.length, 0);
  });

  it('an unreachable server is transient', async () => {
    const closed = await startFakeSmtp();
    await closed.close();
    const unreachable = smtpEmail({
      transport: createSmtpTransport(closed.url),
      from: 'incidents@example.com',
      contacts,
    });
    const error = await rejectionOf(unreachable.send(request()));
    assertRetryable(error);
    assert.ok(!error.message.includes(closed.password));
  });

  it('an audience without addresses is a permanent, readable failure', async () => {
    const failure = assertPermanent(await rejectionOf(email.send(request({ audience: ['nobody'] }))), 'NoRecipients');
    assert.match(failure.message, /no email address configured for nobody/);
  });
});

describe('email embedded default (JSON transport + outbox)', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'email-outbox-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('keeps the rendered message in the outbox once per key, across provider instances', async () => {
    const outbox = new Outbox(dir);
    const deps = { transport: nodemailer.createTransport({ jsonTransport: true }), from: 'ir@localhost', contacts };
    const sent = request();
    assert.equal((await nodemailerEmail({ ...deps, outbox }).send(sent)).duplicate, false);
    assert.equal((await nodemailerEmail({ ...deps, outbox: new Outbox(dir) }).send(sent)).duplicate, true);
    const records = await new Outbox(dir).read({ channel: 'email' });
    assert.equal(records.length, 1);
    assert.equal(records[0]!.payload.subject, sent.message.subject);
    assert.equal(records[0]!.payload.messageId, emailMessageId(sent.key));
  });
});
