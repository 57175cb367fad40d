import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../../src/worker';

// Recorded by scripts/record-history.ts: a SEV-1 from declaration through escalation, failed mitigation,
// rollback, a refused resolution, resolution and close.
const history = historyFromJSON(
  JSON.parse(readFileSync(path.join(__dirname, '../fixtures/histories/full-lifecycle.json'), 'utf8')),
);

describe('replay of a recorded full lifecycle', () => {
  it('the recorded history covers the whole story', () => {
    const events = history.events ?? [];
    const updates = events.flatMap(
      (e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name ?? [],
    );
    assert.deepEqual([...new Set(updates)].sort(), [
      'acknowledge',
      'assignRole',
      'close',
      'finishMitigation',
      'postStatusUpdate',
      'resolve',
      'startMitigation',
    ]);
    assert.ok(
      events.some((e) => e.timerFiredEventAttributes),
      'escalation timers fired',
    );
    assert.ok(events.at(-1)?.workflowExecutionCompletedEventAttributes, 'the incident was closed');
  });

  it('replays deterministically with the current workflow code', async () => {
    await Worker.runReplayHistory({ workflowsPath: WORKFLOWS_PATH, replayName: 'full-lifecycle' }, history);
  });

  it('fails with a determinism error against changed workflow code', async () => {
    await assert.rejects(
      Worker.runReplayHistory(
        { workflowsPath: require.resolve('../fixtures/nondeterministic-workflow'), replayName: 'changed' },
        history,
      ),
      DeterminismViolationError,
    );
  });
});
