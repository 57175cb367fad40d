import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { createSmtpTransport, smtpEmail } from '../../src/activities/email/nodemailer';
import { buildPolicy } from '../../src/domain/policy';
import { acknowledgeUpdate, postStatusUpdate, resolveUpdate, stateQuery } from '../../src/workflows/definitions';
import { startFakeSmtp, type FakeSmtpServer, type ReceivedMail } from '../fakes/smtp';
import { startTimeSkippingHarness, TEST_POLICY, type Harness } from './harness';

const RUNBOOK = 'https://runbooks.example.com/checkout';
const DASHBOARD = 'https://grafana.example.com/d/checkout';
const POLICY = {
  businessHours: TEST_POLICY.businessHours,
  contacts: {
    stakeholders: { email: ['cto@example.com', 'support-lead@example.com'] },
    security: { email: ['security-oncall@example.com'] },
  },
  services: { checkout: { runbook: RUNBOOK, dashboard: DASHBOARD } },
  audiences: {
    stakeholders: {
      email: ['stakeholders'],
      receives: {
        'SEV-1': ['declaration', 'status-update', 'post-incident-summary'],
        'SEV-2': ['declaration', 'status-update', 'post-incident-summary'],
      },
    },
    'engineering-leads': {
      email: ['eng-leads@example.com'],
      slack: ['#eng-leads'],
      detail: 'internal',
      receives: { 'SEV-1': ['declaration', 'status-update', 'resolution'] },
    },
    executives: { email: ['exec@example.com'], receives: { 'SEV-1': ['declaration', 'post-incident-summary'] } },
    security: { email: ['security'], security: true },
  },
  announcements: { slack: '#incident-response' },
};
const STAKEHOLDERS = ['cto@example.com', 'support-lead@example.com'];
const LEADS = ['eng-leads@example.com'];
const EXECUTIVES = ['exec@example.com'];
const SECURITY = ['security-oncall@example.com'];

interface Posted {
  channel: string;
  action?: string;
  kind?: string;
  text?: string;
}

/** Who received what, over real SMTP and the chat outbox: a SEV-1 and a security SEV-2, with audiences from the policy. */
describe('audiences, end to end over SMTP (time-skipping)', () => {
  let smtp: FakeSmtpServer;
  let harness: Harness;
  /** Set by the test whose postmortem draft cannot be written. */
  let draftsFail = false;
  before(async () => {
    smtp = await startFakeSmtp();
    const contacts = buildPolicy(POLICY).contacts;
    harness = await startTimeSkippingHarness({
      policy: POLICY,
      override: (defaults) => ({
        email: smtpEmail({ transport: createSmtpTransport(smtp.url), from: 'incidents@example.com', contacts }),
        postmortem: {
          create: (request) =>
            draftsFail
              ? Promise.reject(ApplicationFailure.nonRetryable('the postmortem disk is full', 'DiskFull'))
              : defaults.postmortem.create(request),
        },
      }),
    });
  });
  after(async () => {
    await harness?.stop();
    await smtp?.close();
  });

  /** Polls until `done` holds (deliveries are activities: a moment later), then returns what arrived. */
  const eventually = async <T>(read: () => Promise<T> | T, done: (value: T) => boolean): Promise<T> => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const value = await read();
      if (done(value) || Date.now() > deadline) return value;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const mailsOf = (incidentId: string, count: number) =>
    eventually(
      () => smtp.received.filter((mail) => mail.headers['x-incident-id'] === incidentId),
      (mails) => mails.length >= count,
    );
  const postsOf = (incidentId: string, done: (posts: Posted[]) => boolean) =>
    eventually(
      async () =>
        (await harness.outbox.read({ incidentId, channel: 'chat' })).map(
          (record) => record.payload as unknown as Posted,
        ),
      done,
    );
  const to = (mails: ReceivedMail[], recipients: string[]) =>
    mails.filter((mail) => [...mail.rcptTo].sort().join() === [...recipients].sort().join());
  /** Deliveries run in parallel, so the order they land in is not asserted: each kind, sorted. */
  const subjects = (mails: ReceivedMail[]) =>
    mails.map((mail) => mail.subject.replace(/\[SEV-\d\] .*$/, '').trim()).sort();
  const titled = (mails: ReceivedMail[], prefix: string) => mails.find((mail) => mail.subject.startsWith(prefix));
  const who = (mails: ReceivedMail[]) => JSON.stringify(mails.map((m) => [m.subject, m.rcptTo]));

  it('a SEV-1: each audience hears what the policy gives it; no stakeholder email carries a hypothesis', async () => {
    const incident = await harness.declare({ severity: 'SEV-1', commander: 'carol', service: 'checkout' });
    const { id } = await incident.query(stateQuery);
    await incident.executeUpdate(acknowledgeUpdate, { args: [{ by: 'carol' }] });
    await incident.executeUpdate(postStatusUpdate, {
      args: [{ impact: 'card payments fail for 30%', hypothesis: 'HYPOTHESIS-A pool leak in 4512', by: 'bob' }],
    });
    await incident.executeUpdate(resolveUpdate, {
      args: [{ by: 'carol', summary: 'pool size restored', unverified: 'checkout has no smoke checks' }],
    });

    // Stakeholders 3, leads 3, executives 2.
    const mails = await mailsOf(id, 8);
    const stakeholders = to(mails, STAKEHOLDERS);
    assert.deepEqual(subjects(stakeholders), ['', 'Post-incident summary:', 'Update:'], who(mails));
    assert.deepEqual(subjects(to(mails, LEADS)), ['', 'Resolved:', 'Status update:'], who(mails));
    assert.deepEqual(subjects(to(mails, EXECUTIVES)), ['', 'Post-incident summary:'], who(mails));
    assert.equal(to(mails, SECURITY).length, 0, 'security hears nothing of an ordinary incident');
    assert.equal(mails.length, 8, who(mails));

    const declaration = titled(stakeholders, '[SEV-1]');
    const update = titled(stakeholders, 'Update:');
    const summary = titled(stakeholders, 'Post-incident summary:');
    assert.match(declaration?.text ?? '', /Runbook: https:\/\/runbooks\.example\.com\/checkout/);
    assert.match(declaration?.text ?? '', /Dashboard: https:\/\/grafana\.example\.com\/d\/checkout/);
    assert.match(declaration?.html ?? '', /<td[^>]*>https:\/\/runbooks\.example\.com\/checkout<\/td>/);
    assert.match(update?.text ?? '', /Impact: card payments fail for 30%/);
    assert.match(update?.text ?? '', /Next update: \d{4}-\d\d-\d\dT/);
    assert.match(summary?.text ?? '', /Root cause: pool size restored/);
    assert.match(summary?.text ?? '', /Duration: /);
    // The summary waits for the postmortem draft and says where it is (the directory writer: a file).
    const drafted = await eventually(
      () => incident.query(stateQuery),
      (state) => state.timeline.some((entry) => entry.type === 'postmortem'),
    );
    const location = String(drafted.timeline.find((entry) => entry.type === 'postmortem')?.data?.location);
    assert.match(location, /-postmortem\.md$/);
    assert.ok(summary?.text.includes(`Postmortem: ${location}\n`), summary?.text);
    assert.match(summary?.text ?? '', /Postmortem due: \d{4}-/);
    assert.ok(titled(to(mails, EXECUTIVES), 'Post-incident summary:')?.text.includes(`Postmortem: ${location}`));
    for (const mail of [...stakeholders, ...to(mails, EXECUTIVES)]) {
      assert.ok(!(mail.text + mail.html).includes('HYPOTHESIS-A'), mail.subject);
    }
    assert.match(titled(to(mails, LEADS), 'Status update:')?.text ?? '', /Hypothesis: HYPOTHESIS-A/, 'leads read it');

    const posts = await postsOf(
      id,
      (p) =>
        p.filter((post) => post.channel === '#incident-response').length >= 2 &&
        p.some((post) => post.kind === 'post-incident-summary') &&
        p.filter((post) => post.channel === '#eng-leads').length >= 3,
    );
    const channel = posts.filter((post) => post.channel.startsWith('inc-'));
    assert.match(channel.find((p) => p.kind === 'declaration')?.text ?? '', /Runbook: https:\/\/runbooks/);
    assert.match(channel.find((p) => p.action === 'update-summary')?.text ?? '', /Dashboard: https:\/\/grafana/);
    assert.match(channel.find((p) => p.kind === 'status-update')?.text ?? '', /Hypothesis: HYPOTHESIS-A/);
    assert.match(channel.find((p) => p.kind === 'post-incident-summary')?.text ?? '', /Root cause: pool size/);
    assert.ok(channel.find((p) => p.kind === 'post-incident-summary')?.text?.includes(`Postmortem: ${location}`));
    const leads = posts.filter((post) => post.channel === '#eng-leads').map((post) => post.kind);
    assert.deepEqual(leads.sort(), ['stakeholder-notification', 'stakeholder-notification', 'status-update']);
    const announced = posts.filter((post) => post.channel === '#incident-response').map((post) => post.text);
    assert.deepEqual(announced, [
      `[SEV-1] Checkout is down declared: checkout (incident ${id})`,
      `[SEV-1] Checkout is down resolved (incident ${id})`,
    ]);
  });

  it('a security SEV-2: security hears every update in full; stakeholders only text marked public', async () => {
    const incident = await harness.declare({
      severity: 'SEV-2',
      security: true,
      service: 'login',
      commander: 'sam',
      title: 'Credential stuffing on login',
      summary: 'SECRET-SUMMARY attacker list from partner',
    });
    const { id } = await incident.query(stateQuery);
    await incident.executeUpdate(acknowledgeUpdate, { args: [{ by: 'sam' }] });
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
    await incident.executeUpdate(resolveUpdate, {
      args: [{ by: 'sam', summary: 'SECRET-CAUSE partner leak', unverified: 'login has no smoke checks' }],
    });

    // Security: every event in full. Stakeholders: the declaration, the public update, the summary, all without names.
    const mails = await mailsOf(id, 8);
    const security = to(mails, SECURITY);
    const expected = ['', 'Post-incident summary:', 'Resolved:', 'Status update:', 'Status update:'];
    assert.deepEqual(subjects(security), expected, who(mails));
    assert.match(titled(security, '[SEV-2]')?.text ?? '', /SECRET-SUMMARY/);
    assert.ok(security.some((mail) => mail.text.includes('HYPOTHESIS-B')));
    assert.ok(security.some((mail) => mail.text.includes('HYPOTHESIS-C')));
    assert.match(titled(security, 'Post-incident summary:')?.text ?? '', /Root cause: SECRET-CAUSE/);

    const stakeholders = to(mails, STAKEHOLDERS);
    assert.deepEqual(subjects(stakeholders), ['', 'Post-incident summary:', 'Update:'], who(mails));
    assert.ok(titled(stakeholders, '[SEV-2] Security incident — incident declared'), who(stakeholders));
    const update = titled(stakeholders, 'Update:');
    assert.match(update?.text ?? '', /Impact: Some customers may be asked to reset their password\./);
    for (const mail of stakeholders) {
      assert.ok(
        !/HYPOTHESIS|SECRET|Credential stuffing|credential stuffing|attack blocked/.test(mail.text + mail.html),
        `${mail.subject}: ${mail.text}`,
      );
    }
    assert.equal(mails.length, 8, who(mails));

    const posts = await postsOf(id, (p) => p.filter((post) => post.channel === '#incident-response').length >= 2);
    const announced = posts.filter((post) => post.channel === '#incident-response').map((post) => post.text);
    assert.deepEqual(announced, [
      `[SEV-2] Security incident declared: login (incident ${id})`,
      `[SEV-2] Security incident resolved (incident ${id})`,
    ]);
    assert.equal((await incident.query(stateQuery)).publicUpdates.length, 0, 'nothing public is published');
  });

  it('a postmortem draft that cannot be written does not hold back the summary, which says so', async () => {
    draftsFail = true;
    try {
      const incident = await harness.declare({ severity: 'SEV-2', commander: 'carol', service: 'checkout' });
      const { id } = await incident.query(stateQuery);
      await incident.executeUpdate(acknowledgeUpdate, { args: [{ by: 'carol' }] });
      await incident.executeUpdate(resolveUpdate, {
        args: [{ by: 'carol', summary: 'cache flushed', unverified: 'checkout has no smoke checks' }],
      });
      // Stakeholders: the declaration and the summary.
      const mails = await mailsOf(id, 2);
      const summary = titled(to(mails, STAKEHOLDERS), 'Post-incident summary:');
      assert.match(summary?.text ?? '', /Postmortem: the draft could not be written: see the incident timeline\n/);
      assert.match(summary?.text ?? '', /Postmortem due: \d{4}-/);
      const { timeline } = await eventually(
        () => incident.query(stateQuery),
        (state) => state.timeline.some((entry) => entry.type === 'notification-failed'),
      );
      assert.ok(
        timeline.some((entry) => entry.type === 'notification-failed' && /disk is full/.test(entry.message)),
        'the timeline says why',
      );
      assert.ok(!timeline.some((entry) => entry.type === 'postmortem'), 'no draft is claimed');
    } finally {
      draftsFail = false;
    }
  });
});
