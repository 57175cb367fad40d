import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { CLASS_DATA_ARCHIVE, testServerWrapper } from '../../src/dev/test-server-jvm';

let dir: string;
let fakeJava: string;

before(async () => {
  // A space and a quote in the path: the wrapper must quote what it embeds.
  dir = await mkdtemp(path.join(os.tmpdir(), "test server's "));
  fakeJava = path.join(dir, 'java');
  await writeFile(fakeJava, '#!/bin/sh\necho "pid=$$"\nfor arg in "$@"; do echo "arg=$arg"; done\n');
  await chmod(fakeJava, 0o755);
  await writeFile(path.join(dir, 'temporal-test-server'), testServerWrapper(dir, fakeJava));
  await chmod(path.join(dir, 'temporal-test-server'), 0o755);
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function runWrapper(): Promise<{ pid: number | undefined; lines: string[] }> {
  const child = spawn(path.join(dir, 'temporal-test-server'), ['4321'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await once(child, 'exit');
  return { pid: child.pid, lines: output.trim().split('\n') };
}

void test('the wrapper execs the JVM (the SDK SIGKILLs its direct child) and passes the port last', async () => {
  const { pid, lines } = await runWrapper();
  assert.equal(lines[0], `pid=${pid}`, 'the JVM replaces the shell instead of running as its child');
  assert.deepEqual(lines.slice(-2), ['arg=io.temporal.testserver.TestServer', 'arg=4321']);
  assert.ok(lines.includes(`arg=${dir}/lib/*`), 'class path left for the JVM to expand');
  assert.ok(lines.includes('arg=-XX:TieredStopAtLevel=1') && lines.includes('arg=-XX:+UseSerialGC'));
  assert.ok(!lines.some((line) => line.includes('SharedArchiveFile')), 'no archive yet, so none is passed');
});

void test('the wrapper uses the class-data archive once it exists', async () => {
  await writeFile(path.join(dir, CLASS_DATA_ARCHIVE), 'archive');
  const { lines } = await runWrapper();
  assert.ok(lines.includes(`arg=-XX:SharedArchiveFile=${dir}/${CLASS_DATA_ARCHIVE}`));
  assert.ok(lines.includes('arg=-Xshare:auto'), 'a stale archive must not stop the server');
  assert.deepEqual(lines.slice(-2), ['arg=io.temporal.testserver.TestServer', 'arg=4321']);
});
