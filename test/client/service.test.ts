import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { IncidentClientError, IncidentClientErrorType } from '../../src/client/errors';
import { IncidentService } from '../../src/client/service';
import { IncidentErrorType } from '../../src/domain/errors';
import { incidentWorkflowId, stateQuery } from '../../src/workflows/definitions';
import { createDevServerEnv } from '../support/temporal';
import { startHarness, type Harness } from '../workflows/harness';

async function failure(promise: Promise<unknown>): Promise<IncidentClientError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof IncidentClientError, String(error));
    return error;
  }
  assert.fail('the request succeeded');
}

describe('the incident service against the dev server', () => {
  let env: TestWorkflowEnvironment;
  let harness: Harness;
  let incidents: IncidentService;
  before(async () => {
    env = await createDevServerEnv();
    harness = await startHarness(env);
    incidents = new IncidentService(env.client, { taskQueue: harness.taskQueue });
  });
  after(async () => {
    await harness?.stop();
    await env?.teardown();
  });

  const declaration = (id: string) => ({
    id,
    title: 'Checkout is down',
    severity: 'SEV-1' as const,
    service: 'checkout',
  });

  it('declares in one round trip: the answer holds the incident, its first entries and its deadlines', async () => {
    const declared = await incidents.declare(declaration('svc-one-trip'));
    assert.equal(declared.incidentId, 'svc-one-trip');
    assert.equal(declared.status, 'declared');
    assert.deepEqual(
      declared.added.map((e) => e.type),
      ['detected', 'declared'],
    );
    assert.deepEqual(
      declared.deadlines.map((d) => d.kind),
      ['ack-escalation', 'status-reminder', 'unresolved-escalation'],
    );
    // No polling: the very next command finds the incident.
    const acked = await incidents.command('acknowledge', 'svc-one-trip', { by: 'alice' });
    assert.equal(acked.status, 'acknowledged');
  });

  it('a declaration retried with its request id answers the same incident; another request for the id is refused', async () => {
    const first = await incidents.declare(declaration('svc-retried'), { requestId: 'req-1' });
    const retried = await incidents.declare(declaration('svc-retried'), { requestId: 'req-1' });
    assert.equal(retried.declaredAt, first.declaredAt, 'the same incident, not a second one');
    const other = await failure(incidents.declare(declaration('svc-retried'), { requestId: 'req-2' }));
    assert.equal(other.type, IncidentClientErrorType.Rejected);
    assert.equal(other.reason, IncidentErrorType.AlreadyDeclared);
    const history = await env.client.workflow.getHandle(incidentWorkflowId('svc-retried')).fetchHistory();
    const events = history.events ?? [];
    assert.equal(events.filter((e) => e.workflowExecutionStartedEventAttributes).length, 1);
    assert.equal(events.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length, 1);
  });

  it('a command sent twice with the same request id applies once', async () => {
    await incidents.declare(declaration('svc-dedup'));
    const note = { text: 'rolled back the canary', by: 'bob' };
    const first = await incidents.command('addNote', 'svc-dedup', note, { requestId: 'note-1' });
    const again = await incidents.command('addNote', 'svc-dedup', note, { requestId: 'note-1' });
    assert.deepEqual(again, first, 'the retry gets the first answer');
    await incidents.command('addNote', 'svc-dedup', note, { requestId: 'note-2' });
    const { timeline } = await env.client.workflow.getHandle(incidentWorkflowId('svc-dedup')).query(stateQuery);
    assert.equal(timeline.filter((e) => e.type === 'note').length, 2, 'a new request id is a new note');
  });

  it('says no worker is polling, and that the incident may be declared, when none is', async () => {
    const nobody = new IncidentService(env.client, { taskQueue: 'no-worker-here', answerTimeoutMs: 1_500 });
    const error = await failure(nobody.declare(declaration('svc-no-worker')));
    assert.equal(error.type, IncidentClientErrorType.Unavailable);
    assert.match(error.message, /may be declared, but no worker is polling task queue "no-worker-here"/);
    await env.client.workflow.getHandle(incidentWorkflowId('svc-no-worker')).terminate('test finished');
  });
});
