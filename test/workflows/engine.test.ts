import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, afterEach, before, describe, it } from 'node:test';
import { WorkflowFailedError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { SmokeTestReport } from '../../src/activities/types';
import { IncidentErrorType } from '../../src/domain/errors';
import type { incidentWorkflow } from '../../src/workflows';
import {
  acknowledgeUpdate,
  addNoteUpdate,
  finishMitigationUpdate,
  resolveUpdate,
  startMitigationUpdate,
  stateQuery,
} from '../../src/workflows/definitions';
import { createDevServerEnv } from '../support/temporal';
import { startHarness, startTimeSkippingHarness, TEST_POLICY, type Harness } from './harness';

type Event = temporal.api.history.v1.IHistoryEvent;

async function eventsOf(incident: WorkflowHandle<typeof incidentWorkflow>): Promise<Event[]> {
  return (await incident.fetchHistory()).events ?? [];
}

const activityNames = (events: Event[]) =>
  events.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
const isOpening = (events: Event[], completed: Event) =>
  events.find((e) => Number(e.eventId) === Number(completed.activityTaskCompletedEventAttributes?.scheduledEventId))
    ?.activityTaskScheduledEventAttributes?.activityType?.name === 'openIncidentChannel';

const timersStarted = (events: Event[]) => events.filter((e) => e.timerStartedEventAttributes).length;

/** The size of each update's stored answer, in the order they completed. */
const updateResultBytes = (events: Event[]) =>
  events.flatMap(
    (e) => e.workflowExecutionUpdateCompletedEventAttributes?.outcome?.success?.payloads?.[0]?.data?.length ?? [],
  );

describe('the engine: timers, answers, serialized commands, late commands (time-skipping)', () => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  it('notes and deliveries start no timer; only a move of the earliest deadline does', async () => {
    harness = await startTimeSkippingHarness();
    const incident = await harness.declare({ severity: 'SEV-1' });
    await harness.env.sleep('1m');
    for (let i = 0; i < 5; i++) await incident.executeUpdate(addNoteUpdate, { args: [{ text: `n${i}`, by: 'al' }] });
    assert.equal(timersStarted(await eventsOf(incident)), 1, 'one timer: the acknowledge window');

    // The ack moves the earliest deadline from the ack window (5 min) to the status reminder (15 min): one more.
    await incident.executeUpdate(acknowledgeUpdate, { args: [{ by: 'al' }] });
    await harness.env.sleep('1m');
    const events = await eventsOf(incident);
    assert.equal(timersStarted(events), 2);
    assert.equal(events.filter((e) => e.timerCanceledEventAttributes).length, 1);
  });

  it('the worker checks a declaration: one started around the CLI fails naming the field, defaults are filled', async () => {
    harness = await startTimeSkippingHarness();
    const { client } = harness.env;
    const start = (id: string, declaration: Record<string, unknown>) =>
      client.workflow.start('incidentWorkflow', {
        taskQueue: harness!.taskQueue,
        workflowId: `incident-${id}`,
        args: [{ declaration: { id, title: 'Checkout is down', severity: 'SEV-2', ...declaration } }],
      });
    const refused = await start('bad-title', { title: 'two\nlines' });
    await assert.rejects(refused.result(), (error: unknown) => {
      assert.ok(error instanceof WorkflowFailedError);
      assert.ok(error.cause instanceof ApplicationFailure, `the refusal itself, got ${String(error.cause)}`);
      assert.equal(error.cause.type, IncidentErrorType.InvalidInput);
      assert.match(error.cause.message, /^title: /);
      return true;
    });
    // Sent without the fields that have defaults: the incident holds them filled in, as the CLI would have.
    const bare = await start('bare', {});
    const state = await client.workflow.getHandle<typeof incidentWorkflow>(bare.workflowId).query(stateQuery);
    assert.equal(state.service, 'unspecified');
    assert.equal(state.summary, '');
    assert.equal(state.source, 'cli');
    assert.equal(state.drill, false);
    await bare.terminate('test over');
  });

  it('a channel opens with its declaration, first summary and prompts: one chat activity, each message once', async () => {
    harness = await startTimeSkippingHarness();
    const incident = await harness.declare({ severity: 'SEV-1', commander: 'al' });
    await harness.env.sleep('1m');
    const events = await eventsOf(incident);
    const opened = events.findIndex((e) => e.activityTaskCompletedEventAttributes && isOpening(events, e));
    assert.ok(opened > 0, 'the channel opened');
    // The channel's activity leaves first and the page right behind it: both go out with the first workflow task, where
    // a worker takes the first few activities back in the task's answer instead of polling for them.
    assert.deepEqual(activityNames(events).slice(0, 2), ['openIncidentChannel', 'page']);
    assert.deepEqual(
      activityNames(events.slice(0, opened)).filter((name) => /Chat|Channel/.test(name)),
      ['openIncidentChannel'],
      'nothing else in the channel is sent until it is open',
    );
    const { id } = await incident.query(stateQuery);
    const opening =
      /^(open-channel|update-summary|post: \[SEV-1\] Checkout is down has been declared|post: al: this SEV-1 needs)/;
    const chat = (await harness.outbox.read({ incidentId: id, channel: 'chat' }))
      .map(({ payload }) => payload as { action: string; text?: string })
      .map((p) => (p.action === 'post' ? `post: ${p.text?.split('\n')[0]}` : p.action))
      .filter((line) => opening.test(line));
    // The pager's own mention (no pager configured) may land between them; the summary goes beside the prompt.
    assert.deepEqual(chat.slice(0, 2), ['open-channel', 'post: [SEV-1] Checkout is down has been declared.']);
    assert.deepEqual(chat.slice(2).sort(), [
      'post: al: this SEV-1 needs a Communications Lead and an Operations Lead. ' +
        `incident assign ${id} --role comms --user <name> --by <you>; incident assign ${id} --role ops --user <name> --by <you>`,
      'update-summary',
    ]);
    // Each delivery of the opening is on the timeline, as it would be from an activity of its own.
    const sent = (await incident.query(stateQuery)).timeline
      .filter((e) => e.type === 'notification-sent' && e.data?.channel === 'chat')
      .map((e) => e.message);
    assert.equal(sent.filter((m) => m.endsWith('(summary)')).length, 1, sent.join(' | '));
    assert.ok(sent.length >= 4, sent.join(' | '));
  });

  it('a channel that cannot be opened still gets the declaration, the prompts and the summary, each once', async () => {
    harness = await startTimeSkippingHarness({
      override: (defaults) => ({
        chat: {
          ...defaults.chat,
          openChannel: () => Promise.reject(ApplicationFailure.nonRetryable('Slack rejected the token (invalid_auth)')),
        },
      }),
    });
    const incident = await harness.declare({ severity: 'SEV-1', commander: 'al' });
    await harness.env.sleep('1m');
    const { id, timeline } = await incident.query(stateQuery);
    const chat = (await harness.outbox.read({ incidentId: id, channel: 'chat' }))
      .map(({ payload }) => payload as { action: string; text?: string })
      .map((p) => (p.action === 'post' ? `post: ${p.text?.split('\n')[0]?.slice(0, 40)}` : p.action))
      .filter((line) => !line.includes('you are paged') && !line.startsWith('post: diagnostics'));
    assert.deepEqual(chat.slice(0, 1), ['post: [SEV-1] Checkout is down has been declar']);
    assert.deepEqual(chat.slice(1).sort(), ['post: al: this SEV-1 needs a Communications Le', 'update-summary']);
    assert.ok(timeline.some((e) => e.type === 'notification-failed' && e.message.includes('invalid_auth')));
  });

  it('a prompt the chat refuses for good is on the timeline as failed; the channel still opens', async () => {
    harness = await startTimeSkippingHarness({
      override: (defaults) => ({
        chat: {
          ...defaults.chat,
          post: (request, attempt) =>
            request.message.text.includes('needs a Communications Lead')
              ? Promise.reject(ApplicationFailure.nonRetryable('Slack refused chat.postMessage (msg_too_long)'))
              : defaults.chat.post(request, attempt),
        },
      }),
    });
    const incident = await harness.declare({ severity: 'SEV-1', commander: 'al' });
    await harness.env.sleep('1m');
    const { chatChannel, timeline } = await incident.query(stateQuery);
    assert.ok(chatChannel, 'the channel opened');
    assert.deepEqual(
      timeline.filter((e) => e.type === 'notification-failed').map((e) => e.message),
      ['chat: Slack refused chat.postMessage (msg_too_long)'],
    );
  });

  it('answers each command with what it wrote: the same size on the 1st note as on the 40th', async () => {
    harness = await startTimeSkippingHarness();
    const incident = await harness.declare({ severity: 'SEV-2' });
    const first = await incident.executeUpdate(addNoteUpdate, { args: [{ text: 'note 00', by: 'al' }] });
    assert.deepEqual(
      first.added.map((e) => [e.type, e.message]),
      [['note', 'note 00']],
    );
    assert.equal(first.next?.kind, 'ack-escalation');
    for (let i = 1; i < 40; i++) {
      await incident.executeUpdate(addNoteUpdate, { args: [{ text: `note ${String(i).padStart(2, '0')}`, by: 'al' }] });
    }
    // The declaration's own answer comes first.
    const sizes = updateResultBytes(await eventsOf(incident)).slice(1);
    assert.equal(sizes.length, 40);
    assert.ok(sizes[0]! < 600, `an answer is small (${sizes[0]} bytes)`);
    assert.equal(sizes.at(-1), sizes[0], 'and stays the size it was while the timeline grows');
  });

  it('a mitigation started while resolve verifies waits for it, then sees the resolved incident', async () => {
    let releaseSmokeTests!: (report: SmokeTestReport) => void;
    let smokeTestsStarted!: () => void;
    const started = new Promise<void>((resolve) => (smokeTestsStarted = resolve));
    harness = await startTimeSkippingHarness({
      override: () => ({
        smokeTests: {
          run: () => {
            smokeTestsStarted();
            return new Promise<SmokeTestReport>((resolve) => (releaseSmokeTests = resolve));
          },
        },
      }),
    });
    const incident = await harness.declare({ severity: 'SEV-2', commander: 'al' });
    await incident.executeUpdate(acknowledgeUpdate, { args: [{ by: 'al' }] });
    await incident.executeUpdate(startMitigationUpdate, { args: [{ action: 'restart', kind: 'restart', by: 'al' }] });
    await incident.executeUpdate(finishMitigationUpdate, {
      args: [{ actionId: 'm1', outcome: 'succeeded', by: 'al' }],
    });

    // The policy names no checks for the service, so only its IC resolves, unverified; the checks still run.
    const resolving = incident.executeUpdate(resolveUpdate, { args: [{ by: 'al', unverified: 'no smoke checks' }] });
    await started;
    // Accepted (the incident is monitoring), but it must not run until resolve has finished with the state.
    const racing = incident.executeUpdate(startMitigationUpdate, {
      args: [{ action: 'scale', kind: 'scale', by: 'bo' }],
    });
    const racingOutcome = racing.then(
      () => 'applied',
      (error: unknown) => error,
    );
    releaseSmokeTests({ passed: true, checks: [{ name: 'api', passed: true, latencyMs: 5, reason: 'status 200' }] });
    assert.equal((await resolving).status, 'resolved');
    const outcome = await racingOutcome;
    assert.ok(outcome instanceof WorkflowUpdateFailedError, `the mitigation was ${String(outcome)}`);
    assert.ok(outcome.cause instanceof ApplicationFailure);
    assert.equal(outcome.cause.type, IncidentErrorType.IllegalTransition);
    const state = await incident.query(stateQuery);
    assert.equal(state.status, 'resolved');
    assert.deepEqual(
      state.mitigations.map((m) => m.id),
      ['m1'],
      'no mitigation left open on a resolved incident',
    );
  });

  it('a page acknowledged while its trigger is still being delivered reaches the pager after it', async () => {
    const calls: string[] = [];
    let releaseTrigger!: () => void;
    const triggerHeld = new Promise<void>((resolve) => (releaseTrigger = resolve));
    harness = await startTimeSkippingHarness({
      override: () => ({
        pager: {
          async send(request) {
            calls.push(`${request.action}:${request.target}`);
            if (request.action === 'trigger') await triggerHeld;
            return { destination: `pager ${request.target}`, duplicate: false };
          },
        },
      }),
    });
    const incident = await harness.declare({ severity: 'SEV-1' });
    await incident.executeUpdate(acknowledgeUpdate, { args: [{ by: 'al' }] });
    await sleep(300);
    assert.deepEqual(calls, ['trigger:primary-oncall'], 'the acknowledgement waits for its trigger');
    releaseTrigger();
    for (let i = 0; i < 50 && calls.length < 2; i++) await sleep(100);
    assert.deepEqual(calls, ['trigger:primary-oncall', 'acknowledge:primary-oncall']);
  });

  it('a command stamped in the future or long ago is recorded within the workflow clock', async () => {
    harness = await startTimeSkippingHarness();
    const incident = await harness.declare({ severity: 'SEV-3' });
    await harness.env.sleep('20m');
    await incident.executeUpdate(addNoteUpdate, { args: [{ text: 'from the future', by: 'al' }, { issuedAt: 8e15 }] });
    await incident.executeUpdate(addNoteUpdate, { args: [{ text: 'from the past', by: 'al' }, { issuedAt: 1 }] });
    const { timeline, declaredAt } = await incident.query(stateQuery);
    const notes = timeline.filter((e) => e.type === 'note').map((e) => Math.round((e.at - declaredAt) / 60_000));
    assert.deepEqual(notes, [20, 10], 'never after now, never more than 10 minutes back');
  });
});

// The time-skipping server does not skip time while a stopped worker holds a task, so a worker outage is played
// out in real time on the dev server, with second-long windows.
describe('commands delivered late, while the worker was down (dev server)', () => {
  const ACK_WINDOW_MS = 3_000;
  let env: TestWorkflowEnvironment;
  let harness: Harness;
  before(async () => {
    env = await createDevServerEnv();
    harness = await startHarness(env, {
      policy: { ...TEST_POLICY, severities: { 'SEV-1': { acknowledgeWithin: `${ACK_WINDOW_MS / 1000}s` } } },
    });
  });
  after(async () => {
    await harness?.stop();
    await env?.teardown();
  });

  /** Declares, stops the worker before the ack window closes, and restarts it once `downUntil` ms have passed. */
  async function ackDeliveredLate(issuedAfterMs: number, downUntilMs: number) {
    const incident = await harness.declare({ severity: 'SEV-1' });
    const { declaredAt } = await incident.query(stateQuery);
    await sleep(declaredAt + 1_000 - Date.now());
    await harness.stopWorker();
    const issuedAt = declaredAt + issuedAfterMs;
    await sleep(issuedAt - Date.now());
    const acking = incident.executeUpdate(acknowledgeUpdate, { args: [{ by: 'al' }, { issuedAt }] });
    await sleep(declaredAt + downUntilMs - Date.now());
    await harness.restartWorker();
    assert.equal((await acking).status, 'acknowledged');
    return { incident, declaredAt, issuedAt };
  }

  it('an ack issued after its deadline still lets the escalation fire, and keeps its own time', async () => {
    const { incident, declaredAt, issuedAt } = await ackDeliveredLate(ACK_WINDOW_MS + 1_000, ACK_WINDOW_MS + 3_000);
    const state = await incident.query(stateQuery);
    const escalations = state.timeline.filter((e) => e.type === 'escalation');
    assert.deepEqual(
      escalations.map((e) => `${String(e.data?.reason)}:${String(e.data?.target)}`),
      ['ack-timeout:secondary-oncall'],
    );
    assert.equal(escalations[0]?.data?.dueAt, new Date(declaredAt + ACK_WINDOW_MS).toISOString(), 'lateness shows');
    assert.equal(state.acknowledgedAt, issuedAt, 'MTTA counts from when the person acknowledged');
  });

  it('an ack issued before its deadline but delivered after it cancels the escalation', async () => {
    const { incident, issuedAt } = await ackDeliveredLate(ACK_WINDOW_MS - 1_000, ACK_WINDOW_MS + 2_000);
    await sleep(1_000);
    const state = await incident.query(stateQuery);
    assert.deepEqual(
      state.timeline.filter((e) => e.type === 'escalation'),
      [],
    );
    assert.equal(state.acknowledgedAt, issuedAt);
  });
});
