import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { WORKFLOWS_PATH, workflowBundleOptions } from '../../src/workflow-bundle';

const logger = new DefaultLogger('ERROR');

describe('workflow bundle', () => {
  it('bundles the incident workflows without any Node built-in, and without the policy schema', async () => {
    const { code } = await bundleWorkflowCode({
      workflowsPath: WORKFLOWS_PATH,
      ...workflowBundleOptions,
      logger,
    });
    assert.ok(code.includes('incidentWorkflow'));
    // Every module in the bundle is evaluated again in each new incident's sandbox: the policy is validated by the
    // worker when it loads, so workflow code takes only types and pure helpers from it, never its schema.
    const sources = [...code.matchAll(/"\.\/(src\/[\w/.-]+)"/g)].map((match) => match[1]);
    assert.ok(sources.includes('src/workflows/incident/workflow.ts'), 'the module list was read from the bundle');
    for (const schemaModule of ['src/domain/policy/index.ts', 'src/domain/checks.ts', 'src/domain/policy/actions.ts']) {
      assert.ok(!sources.includes(schemaModule), `${schemaModule} is not in the workflow bundle`);
    }
  });

  it('fails when workflow code imports a Node built-in', async () => {
    await assert.rejects(
      bundleWorkflowCode({ workflowsPath: require.resolve('../fixtures/workflow-with-node-builtin'), logger }),
      /disallowed modules[\s\S]*fs/,
    );
  });
});
