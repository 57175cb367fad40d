import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createSmtpTransport, smtpEmail } from '../../src/activities/email/nodemailer';
import { buildPolicy } from '../../src/domain/policy';
import { postStatusUpdate, stateQuery } from '../../src/workflows/definitions';
import { startFakeSmtp, type FakeSmtpServer, type ReceivedMail } from '../fakes/smtp';
import { startTimeSkippingHarness, type Harness } from './harness';

const POLICY = {
  contacts: {
    stakeholders: { email: ['cto@example.com', 'support-lead@example.com'] },
    security: { email: ['security-oncall@example.com'] },
  },
};
const STAKEHOLDERS = ['cto@example.com', 'support-lead@example.com'];
const SECURITY = ['security-oncall@example.com'];

/** Who received what, over real SMTP: a SEV-1 and a security SEV-2, each with status updates carrying hypotheses. */
describe('stakeholder and security email, end to end over SMTP (time-skipping)', () => {
  let smtp: FakeSmtpServer;
  let harness: Harness;
  before(async () => {
    smtp = await startFakeSmtp();
    const contacts = buildPolicy(POLICY).contacts;
    harness = await startTimeSkippingHarness({
      policy: POLICY,
      override: () => ({
        email: smtpEmail({ transport: createSmtpTransport(smtp.url), from: 'incidents@example.com', contacts }),
      }),
    });
  });
  after(async () => {
    await harness?.stop();
    await smtp?.close();
  });

  /** The mails of one incident once `count` of them have arrived (deliveries are activities: a moment later). */
  const mailsOf = async (incidentId: string, count: number): Promise<ReceivedMail[]> => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const mails = smtp.received.filter((mail) => mail.headers['x-incident-id'] === incidentId);
      if (mails.length >= count || Date.now() > deadline) return mails;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const to = (mails: ReceivedMail[], recipients: string[]) =>
    mails.filter((mail) => [...mail.rcptTo].sort().join() === [...recipients].sort().join());

  it('a SEV-1: stakeholders get the declaration and each update with impact and next update, never the hypothesis', async () => {
    const incident = await harness.declare({ severity: 'SEV-1', commander: 'carol', service: 'checkout' });
    const { id } = await incident.query(stateQuery);
    await incident.executeUpdate(postStatusUpdate, {
      args: [{ impact: 'card payments fail for 30%', hypothesis: 'HYPOTHESIS-A pool leak in 4512', by: 'bob' }],
    });
    const mails = await mailsOf(id, 2);
    const stakeholderMails = to(mails, STAKEHOLDERS);
    const subjects = stakeholderMails.map((mail) => mail.subject);
    assert.equal(subjects.length, 2, JSON.stringify(mails.map((m) => [m.subject, m.rcptTo])));
    assert.match(subjects[0] ?? '', /incident declared$/);
    assert.match(subjects[1] ?? '', /^Update: \[SEV-1\]/);
    const updateMail = stakeholderMails[1];
    assert.ok(updateMail);
    assert.match(updateMail.text, /Impact: card payments fail for 30%/);
    assert.match(updateMail.text, /Next update: \d{4}-\d\d-\d\dT/);
    for (const mail of stakeholderMails) {
      assert.ok(!mail.text.includes('HYPOTHESIS-A') && !mail.html.includes('HYPOTHESIS-A'), mail.subject);
    }
    assert.equal(to(mails, SECURITY).length, 0, 'security hears nothing of an ordinary incident');
  });

  it('a security SEV-2: the security contact gets every update in full; stakeholders only what is marked public', async () => {
    const incident = await harness.declare({ severity: 'SEV-2', security: true, service: 'login' });
    const { id } = await incident.query(stateQuery);
    await incident.executeUpdate(postStatusUpdate, {
      args: [
        {
          impact: 'credential stuffing against login',
          hypothesis: 'HYPOTHESIS-B leaked list from partner',
          userFacing: 'Some customers may be asked to reset their password.',
          by: 'sam',
        },
      ],
    });
    await incident.executeUpdate(postStatusUpdate, {
      args: [{ impact: 'attack blocked at the edge', hypothesis: 'HYPOTHESIS-C same botnet', by: 'sam' }],
    });
    // Declaration (to both), two updates to security, one (the public one) to stakeholders.
    const mails = await mailsOf(id, 4);
    const security = to(mails, SECURITY);
    assert.equal(security.length, 2, JSON.stringify(mails.map((m) => [m.subject, m.rcptTo])));
    assert.ok(security.some((mail) => mail.text.includes('HYPOTHESIS-B')));
    assert.ok(security.some((mail) => mail.text.includes('HYPOTHESIS-C')));
    const stakeholderUpdates = to(mails, STAKEHOLDERS).filter((mail) => mail.subject.startsWith('Update'));
    assert.equal(stakeholderUpdates.length, 1, 'the update without public text stays with security');
    assert.match(stakeholderUpdates[0]?.text ?? '', /Impact: Some customers may be asked to reset their password\./);
    for (const mail of to(mails, STAKEHOLDERS)) {
      assert.ok(!/HYPOTHESIS|credential stuffing|attack blocked/.test(mail.text + mail.html), mail.subject);
    }
  });
});
