import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, beforeEach, describe, test } from 'node:test';
import type { Builder } from '../../src/dev/builders';
import { provisionBinary, type BinarySpec, type ProvisionOptions } from '../../src/dev/temporal-binaries';

let root: string;
let builds = 0;

async function executable(file: string, body = 'exit 0'): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `#!/bin/sh\n${body}\n`);
  await chmod(file, 0o755);
  return file;
}

/** A stand-in for `go install`: slow enough for two callers to overlap, and counting its runs. */
function fakeBuilder(behaviour: 'ok' | 'fail' = 'ok'): Builder {
  return {
    tools: ['fake-go'],
    toolHint: 'install fake-go',
    cacheEntries: [{ dirName: 'fake-1.0', binary: 'fake-temporal' }],
    async build(ctx) {
      builds += 1;
      await sleep(300);
      if (behaviour === 'fail') throw new Error('module proxy unreachable');
      const builtDir = path.join(ctx.workDir, 'fake-1.0');
      await executable(path.join(builtDir, 'fake-temporal'));
      return { dirName: 'fake-1.0', builtDir };
    },
  };
}

function spec(builder: Builder = fakeBuilder()): BinarySpec {
  return { id: 'temporal-cli', label: 'Fake CLI', envVar: 'TEMPORAL_CLI_PATH', pathCommand: 'fake-temporal', builder };
}

function options(overrides: Partial<ProvisionOptions> = {}): ProvisionOptions & { lines: string[] } {
  const lines: string[] = [];
  return {
    override: undefined,
    cacheDir: path.join(root, 'cache'),
    pathDirs: [path.join(root, 'empty-bin')],
    env: {},
    log: (line) => lines.push(line),
    lines,
    ...overrides,
  };
}

const toolsDir = () => path.join(root, 'tools');

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'provisioning-test-'));
  builds = 0;
  await executable(path.join(toolsDir(), 'fake-go'));
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

void describe('binary lookup order', () => {
  void test('the env override wins over PATH and the cache', async () => {
    const override = await executable(path.join(root, 'override', 'temporal'));
    const onPath = await executable(path.join(root, 'bin', 'fake-temporal'));
    await executable(path.join(root, 'cache', 'fake-1.0', 'fake-temporal'));
    const result = await provisionBinary(spec(), options({ override, pathDirs: [path.dirname(onPath)] }));
    assert.equal(result.source, 'env');
    assert.deepEqual(result.executable, { type: 'existing-path', path: override });
  });

  void test('a wrong override is an error naming the variable, not a reason to build', async () => {
    const missing = path.join(root, 'nope', 'temporal');
    await assert.rejects(
      provisionBinary(spec(), options({ override: missing, pathDirs: [toolsDir()] })),
      new RegExp(`TEMPORAL_CLI_PATH=${missing} is not an executable file`),
    );
    assert.equal(builds, 0);
  });

  void test('the command on PATH comes before the cache', async () => {
    const onPath = await executable(path.join(root, 'bin', 'fake-temporal'));
    await executable(path.join(root, 'cache', 'fake-1.0', 'fake-temporal'));
    const result = await provisionBinary(
      spec(),
      options({ pathDirs: [path.join(root, 'empty'), path.dirname(onPath)] }),
    );
    assert.equal(result.source, 'path');
    assert.equal(result.source === 'path' && result.path, onPath);
  });

  void test('a non-executable file on PATH is skipped', async () => {
    await mkdir(path.join(root, 'bin'), { recursive: true });
    await writeFile(path.join(root, 'bin', 'fake-temporal'), 'not a program');
    const cached = await executable(path.join(root, 'cache', 'fake-1.0', 'fake-temporal'));
    const result = await provisionBinary(spec(), options({ pathDirs: [path.join(root, 'bin')] }));
    assert.equal(result.source, 'cache');
    assert.equal(result.source === 'cache' && result.path, cached);
  });

  void test('the cache is used without building', async () => {
    const cached = await executable(path.join(root, 'cache', 'fake-1.0', 'fake-temporal'));
    const result = await provisionBinary(spec(), options({ pathDirs: [toolsDir()] }));
    assert.deepEqual(result.executable, { type: 'existing-path', path: cached });
    assert.equal(builds, 0);
  });

  void test('with nothing cached it builds into the cache, atomically and without leftovers', async () => {
    const opts = options({ pathDirs: [toolsDir()] });
    const result = await provisionBinary(spec(), opts);
    assert.equal(result.source, 'built');
    assert.equal(result.source === 'built' && result.path, path.join(root, 'cache', 'fake-1.0', 'fake-temporal'));
    assert.deepEqual((await readdir(path.join(root, 'cache'))).sort(), ['fake-1.0']);
    assert.ok(
      opts.lines.some((line) => line.includes('building Fake CLI')),
      'announces the build',
    );
    const again = await provisionBinary(spec(), options({ pathDirs: [toolsDir()] }));
    assert.equal(again.source, 'cache');
    assert.equal(builds, 1);
  });
});

void describe('when nothing is available', () => {
  void test('falls back to the SDK download and explains what is missing and how to supply it', async () => {
    const result = await provisionBinary(spec(), options());
    assert.equal(result.source, 'sdk-download');
    assert.deepEqual(result.executable, { type: 'cached-download' });
    const message = result.source === 'sdk-download' ? result.unavailable : '';
    assert.match(message, /Fake CLI is not available/);
    assert.match(message, /TEMPORAL_CLI_PATH is not set/);
    assert.match(message, /no `fake-temporal` on PATH/);
    assert.match(message, /`fake-go` not found on PATH/);
    assert.match(message, /install fake-go and run `npm run temporal:install`/);
    assert.match(message, /or set TEMPORAL_CLI_PATH to an existing executable/);
    assert.equal(builds, 0);
  });

  void test('a failed build is reported in the explanation and leaves no half-built entry', async () => {
    const result = await provisionBinary(spec(fakeBuilder('fail')), options({ pathDirs: [toolsDir()] }));
    assert.equal(result.source, 'sdk-download');
    assert.match(result.source === 'sdk-download' ? result.unavailable : '', /building it failed: module proxy/);
    const left = (await readdir(path.join(root, 'cache'))).filter((name) => !name.endsWith('.lock'));
    assert.deepEqual(left, []);
  });
});

void describe('the cache lock', () => {
  void test('two concurrent provisions build once; the second waits and takes the cached binary', async () => {
    const first = options({ pathDirs: [toolsDir()] });
    const second = options({ pathDirs: [toolsDir()] });
    const results = await Promise.all([provisionBinary(spec(), first), provisionBinary(spec(), second)]);
    assert.equal(builds, 1);
    assert.deepEqual(results.map((result) => result.source).sort(), ['built', 'cache']);
    const waited = [...first.lines, ...second.lines].filter((line) => line.includes('another process'));
    assert.equal(waited.length, 1);
  });
});
