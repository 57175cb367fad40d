import assert from 'node:assert/strict';
import { ApplicationFailure } from '@temporalio/common';

/** Shared by the provider tests: what a call failed with, and whether Temporal would retry it. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  assert.fail('expected the call to fail');
}

export function assertPermanent(error: Error, type: string): ApplicationFailure {
  assert.ok(error instanceof ApplicationFailure, `an ApplicationFailure: ${error.message}`);
  assert.equal(error.nonRetryable, true, error.message);
  assert.equal(error.type, type);
  return error;
}

export function assertRetryable(error: Error): void {
  assert.ok(!(error instanceof ApplicationFailure && error.nonRetryable), `retryable: ${error.message}`);
}
