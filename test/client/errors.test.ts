import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ApplicationFailure,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import { EXIT_CODES, IncidentClientErrorType, toIncidentClientError } from '../../src/client/errors';
import { IncidentErrorType } from '../../src/domain/errors';

const rejectedBy = (type: string, message: string) =>
  new WorkflowUpdateFailedError(
    'Workflow Update failed',
    ApplicationFailure.create({ type, message, nonRetryable: true }),
  );

void test('exit codes: 0 is success, so no failure type maps to it', () => {
  assert.deepEqual(EXIT_CODES, { Internal: 1, Unavailable: 1, InvalidInput: 2, NotFound: 3, Rejected: 4 });
});

void test('every failure type the workflow raises maps to a client error type and an exit code', () => {
  const expected: Record<IncidentErrorType, [IncidentClientErrorType, number]> = {
    [IncidentErrorType.InvalidInput]: [IncidentClientErrorType.InvalidInput, 2],
    [IncidentErrorType.IllegalTransition]: [IncidentClientErrorType.Rejected, 4],
    [IncidentErrorType.UnknownMitigation]: [IncidentClientErrorType.Rejected, 4],
    [IncidentErrorType.VerificationInProgress]: [IncidentClientErrorType.Rejected, 4],
    [IncidentErrorType.AlreadyDeclared]: [IncidentClientErrorType.Rejected, 4],
    [IncidentErrorType.NotPermitted]: [IncidentClientErrorType.Rejected, 4],
  };
  for (const [workflowType, [clientType, exitCode]] of Object.entries(expected)) {
    const error = toIncidentClientError(rejectedBy(workflowType, `because ${workflowType}`), 'a1');
    assert.equal(error.type, clientType, workflowType);
    assert.equal(EXIT_CODES[error.type], exitCode, workflowType);
    assert.equal(error.message, `because ${workflowType}`, 'the workflow says why, in its own words');
    assert.equal(error.reason, workflowType);
  }
});

void test('Temporal client errors map to what a person needs to know', () => {
  const cases: Array<[unknown, IncidentClientErrorType, RegExp]> = [
    [
      new WorkflowNotFoundError('not found', 'incident-a1', undefined),
      IncidentClientErrorType.NotFound,
      /^no incident a1$/,
    ],
    [
      new WorkflowExecutionAlreadyStartedError('already started', 'incident-a1', 'incidentWorkflow'),
      IncidentClientErrorType.Rejected,
      /^incident a1 already exists$/,
    ],
    [rejectedBy('SomethingElse', 'boom'), IncidentClientErrorType.Internal, /^incident a1 failed the command: boom$/],
    [new WorkflowUpdateRPCTimeoutOrCancelledError('timeout'), IncidentClientErrorType.Unavailable, /worker running/],
    [new Error('kaput'), IncidentClientErrorType.Internal, /^kaput$/],
  ];
  for (const [thrown, type, message] of cases) {
    const error = toIncidentClientError(thrown, 'a1');
    assert.equal(error.type, type, String(thrown));
    assert.match(error.message, message);
    assert.equal(error.cause, thrown, 'the original error is kept as the cause');
  }
});
