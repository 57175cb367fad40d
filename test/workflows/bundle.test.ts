import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../../src/worker';

const logger = new DefaultLogger('ERROR');

describe('workflow bundle', () => {
  it('bundles the incident workflows without any Node built-in', async () => {
    const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger });
    assert.ok(code.includes('incidentWorkflow'));
  });

  it('fails when workflow code imports a Node built-in', async () => {
    await assert.rejects(
      bundleWorkflowCode({ workflowsPath: require.resolve('../fixtures/workflow-with-node-builtin'), logger }),
      /disallowed modules[\s\S]*fs/,
    );
  });
});
