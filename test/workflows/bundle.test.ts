import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { cachedWorkflowBundle, WORKFLOWS_PATH, workflowBundleOptions } from '../../src/workflow-bundle';

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

  it('is bundled once per change of the sources and read from the cache after that', async (t) => {
    const cacheDir = await mkdtemp(path.join(tmpdir(), 'workflow-bundle-'));
    t.after(() => rm(cacheDir, { recursive: true, force: true }));
    const dayAndMore = (Date.now() - 25 * 60 * 60 * 1000) / 1000;
    await writeFile(path.join(cacheDir, 'workflows-stale.js'), '');
    await utimes(path.join(cacheDir, 'workflows-stale.js'), dayAndMore, dayAndMore);
    await writeFile(path.join(cacheDir, 'workflows-another-checkout.js'), '');

    const first = await cachedWorkflowBundle({ cacheDir, logger });
    assert.ok('codePath' in first, JSON.stringify(first));
    const built = await stat(first.codePath);
    assert.ok(built.size > 100_000, `${built.size} bytes`);
    const second = await cachedWorkflowBundle({ cacheDir, logger });
    assert.deepEqual(second, first);
    assert.equal((await stat(first.codePath)).mtimeMs, built.mtimeMs, 'read, not bundled again');
    // A bundle of other sources a day old is removed; a recent one (another checkout's) stays.
    assert.deepEqual(
      (await readdir(cacheDir)).sort(),
      [path.basename(first.codePath), 'workflows-another-checkout.js'].sort(),
    );
  });

  it('still runs where the cache cannot be written, bundling and saying why', async (t) => {
    const root = await mkdtemp(path.join(tmpdir(), 'workflow-bundle-'));
    t.after(() => rm(root, { recursive: true, force: true }));
    // A file where the cache directory would be: nothing can be created under it.
    await writeFile(path.join(root, 'not-a-directory'), '');
    const warnings: string[] = [];
    const recording = new DefaultLogger('WARN', ({ level, message }) => {
      if (level === 'WARN') warnings.push(message);
    });
    const bundle = await cachedWorkflowBundle({
      cacheDir: path.join(root, 'not-a-directory', 'cache'),
      logger: recording,
    });
    assert.ok('code' in bundle && bundle.code.includes('incidentWorkflow'));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /workflow bundle not cached in .*not-a-directory/);
  });
});
