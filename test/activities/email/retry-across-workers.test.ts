import assert from 'node:assert/strict';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { embeddedProviders } from '../../../src/activities/defaults';
import { createSmtpTransport, smtpEmail } from '../../../src/activities/email/nodemailer';
import { Outbox } from '../../../src/activities/outbox/store';
import { localDirs } from '../../../src/config';
import { buildPolicy } from '../../../src/domain/policy';
import { createWorker } from '../../../src/worker';
import { eventually } from '../../e2e/stack';
import { startFakeSmtp } from '../../fakes/smtp';
import { createDevServerEnv } from '../../support/temporal';
import { startHarness, TEST_POLICY, timelineOf, workflowBundle } from '../../workflows/harness';

/**
 * Two workers with their own local directories, as two machines would have. The first reaches the SMTP server, which
 * accepts the declaration email, and then fails to write its own sent log; the retry runs on the second worker, whose
 * log knows nothing of it. The dev server (real time): the 2 s retry backoff leaves time to stop the first worker.
 */
test('an email the SMTP server accepted is not sent again by a retry on another worker', async (t) => {
  // Undone last first: the workers before the server they are connected to.
  const cleanups: Array<() => Promise<unknown>> = [];
  t.after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  const env = await createDevServerEnv();
  cleanups.push(() => env.teardown());
  const smtp = await startFakeSmtp();
  cleanups.push(() => smtp.close());
  const root = await mkdtemp(path.join(tmpdir(), 'email-handoff-'));
  cleanups.push(() => rm(root, { recursive: true, force: true }));

  const policy = buildPolicy(TEST_POLICY);
  const mailer = (outbox: Outbox) =>
    smtpEmail({
      transport: createSmtpTransport(smtp.url),
      from: 'incidents@example.com',
      contacts: policy.contacts,
      outbox,
    });
  // Worker A's sent log is a link into a directory that does not exist: it reads as empty, and writing it fails.
  const dirA = await mkdtemp(path.join(root, 'a-'));
  await symlink(path.join(dirA, 'missing', 'email.jsonl'), path.join(dirA, 'email.jsonl'));
  const harness = await startHarness(env, { override: () => ({ email: mailer(new Outbox(dirA)) }) });
  cleanups.push(() => harness.stop());

  const handle = await harness.declare({ severity: 'SEV-1' });
  const accepted = await eventually('the declaration email at the SMTP server', () => smtp.received[0]);
  await harness.stopWorker();

  const dirB = await mkdtemp(path.join(root, 'b-'));
  const outboxB = new Outbox(dirB);
  const workerB = await createWorker({
    connection: env.nativeConnection,
    taskQueue: harness.taskQueue,
    providers: { ...embeddedProviders(policy, localDirs(dirB)), email: mailer(outboxB) },
    workflowBundle: await workflowBundle(),
    identity: 'worker-b',
  });
  const runningB = workerB.run();
  cleanups.push(async () => {
    workerB.shutdown();
    await runningB;
  });

  const sent = await eventually('the email delivery on the timeline', async () =>
    (await timelineOf(handle)).find((entry) => entry.data?.channel === 'email'),
  );
  assert.equal(sent.type, 'notification-sent', sent.message);
  assert.equal(sent.data?.duplicate, true, 'the retry knew the SMTP server had accepted it');
  assert.deepEqual(
    smtp.received.filter((mail) => mail.messageId === accepted.messageId).map((mail) => mail.rcptTo),
    [accepted.rcptTo],
    'sent once',
  );
  assert.deepEqual(await outboxB.read({ channel: 'email' }), [], 'worker B sent nothing');

  // The attempt that completed ran on worker B, after the one on worker A had failed.
  const { events } = await handle.fetchHistory();
  const scheduled = (events ?? []).find(
    (event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'sendEmail',
  );
  const started = (events ?? []).find(
    (event) => Number(event.activityTaskStartedEventAttributes?.scheduledEventId) === Number(scheduled?.eventId),
  )?.activityTaskStartedEventAttributes;
  assert.equal(started?.identity, 'worker-b');
  assert.ok((started?.attempt ?? 0) >= 2, `attempt ${started?.attempt}`);
  assert.match(started?.lastFailure?.message ?? '', /ENOENT/, 'worker A failed after the SMTP server accepted');
});
