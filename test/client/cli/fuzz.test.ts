import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ApplicationFailure, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { embeddedProviders } from '../../../src/activities/defaults';
import { main } from '../../../src/client/cli/main';
import { ConfigError, loadPolicy, localDirs } from '../../../src/config';
import { buildPolicy } from '../../../src/domain/policy';
import {
  acknowledgeUpdate,
  addNoteUpdate,
  assignRoleUpdate,
  changeSeverityUpdate,
  closeUpdate,
  finishMitigationUpdate,
  incidentWorkflowId,
  postStatusUpdate,
  reopenUpdate,
  resolveUpdate,
  rollbackUpdate,
  startMitigationUpdate,
} from '../../../src/workflows/definitions';
import { createWorker, type IncidentWorker } from '../../../src/worker';
import { createDevServerEnv } from '../../support/temporal';
import { CLI_COMMANDS, cliCase, policyCase, Random, validatorCase, type CliCase } from './fuzz-cases';

/**
 * Hostile input, seeded: every CLI command with one fault per invocation (run in-process, as `main` runs them),
 * payloads straight to the workflow's validators, and broken policy files. Each must be refused with its field
 * named, no stack trace and nothing a terminal would act on; afterwards Temporal holds no new workflow and the
 * reference incident no new history event. Replay a failure with FUZZ_SEED; scale with FUZZ_CASES.
 */

const SEED = Number(process.env.FUZZ_SEED ?? randomInt(2 ** 31));
const CLI_CASES = Number(process.env.FUZZ_CASES ?? 1200);
const VALIDATOR_CASES = Math.ceil(CLI_CASES / 20);
const POLICY_CASES = Math.ceil(CLI_CASES / 3);
const REFERENCE = 'fz-reference';
console.log(`fuzz seed ${SEED}: replay with FUZZ_SEED=${SEED}`);

let env: TestWorkflowEnvironment;
let worker: IncidentWorker;
let running: Promise<void>;
let dataDir: string;
let reference: WorkflowHandle;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(args: readonly string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io = { out: (text: string) => void (stdout += text), err: (text: string) => void (stderr += text) };
  const code = await main(['node', 'incident', ...args], io);
  return { code, stdout, stderr };
}

/** A stack frame, or an error class a person was never meant to see. */
const INTERNALS = /^\s+at |[A-Za-z]*Error\b/m;
/** What a terminal would act on or hide (a newline is the only control allowed in output). */
const RAW = /[^\P{Cc}\n]|[\p{Cf}\p{Cs}\u2028\u2029]/u;

async function historyLength(): Promise<number> {
  return (await reference.fetchHistory()).events?.length ?? 0;
}

async function workflowCount(): Promise<number> {
  return (await env.client.workflow.count()).count;
}

/** The reference's declaration sends notifications; measure only once its history has stopped growing. */
async function quiet(): Promise<number> {
  let last = -1;
  let stable = 0;
  for (let i = 0; i < 100 && stable < 4; i++) {
    const length = await historyLength();
    stable = length === last ? stable + 1 : 0;
    last = length;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return last;
}

before(async () => {
  const started = Date.now();
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  env = await createDevServerEnv();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'incident-fuzz-'));
  const taskQueue = `fuzz-${process.pid}`;
  worker = await createWorker({
    connection: env.nativeConnection,
    taskQueue,
    providers: embeddedProviders(buildPolicy(), localDirs(dataDir)),
  });
  running = worker.run();
  // `main` reads its settings like the installed CLI: only these apply (no developer profile, no other queue).
  for (const key of Object.keys(process.env)) if (/^(TEMPORAL_|INCIDENT_)/.test(key)) delete process.env[key];
  Object.assign(process.env, {
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_NAMESPACE: env.namespace ?? 'default',
    TEMPORAL_CONFIG_FILE: path.join(dataDir, 'no-such-profile.toml'),
    INCIDENT_TASK_QUEUE: taskQueue,
    INCIDENT_DATA_DIR: dataDir,
  });
  const declared = await cli(['declare', '--id', REFERENCE, '--severity', 'SEV-4', '--title', 'Fuzz reference']);
  assert.equal(declared.code, 0, declared.stderr);
  reference = env.client.workflow.getHandle(incidentWorkflowId(REFERENCE));
  console.log(`dev server, worker and reference incident ready in ${Date.now() - started} ms`);
});

after(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

function explain(index: number, fuzzCase: CliCase, run: Run): string {
  const args = fuzzCase.args.map((arg) =>
    arg.length > 80 ? `${JSON.stringify(arg.slice(0, 80))}…` : JSON.stringify(arg),
  );
  return `case ${index} (FUZZ_SEED=${SEED}): incident ${args.join(' ')}\nexpected exit ${fuzzCase.exit} naming ${fuzzCase.names}\ngot exit ${run.code}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;
}

function checkRun(fuzzCase: CliCase, run: Run): string | undefined {
  if (run.code !== fuzzCase.exit) return 'exit code';
  if (!run.stderr.includes(fuzzCase.names)) return 'the field at fault is not named';
  if (run.stdout !== '') return 'a refused command printed output';
  if (INTERNALS.test(run.stderr)) return 'a stack trace or an internal error class';
  if (RAW.test(run.stderr)) return 'a raw control or invisible character reached the terminal';
  return undefined;
}

void test(`${CLI_CASES} hostile CLI invocations, validator payloads and policy files change nothing`, async (t) => {
  t.diagnostic(`seed ${SEED}: replay with FUZZ_SEED=${SEED}`);
  const started = Date.now();
  const events = await quiet();
  const workflows = await workflowCount();
  assert.ok(events > 0 && workflows >= 1, 'the reference incident is declared and visible');

  const random = new Random(SEED);
  const cases = Array.from({ length: CLI_CASES }, () => cliCase(random, REFERENCE));
  const failures: string[] = [];
  const covered = new Set<string>();
  // A few at a time: cases that reach Temporal wait on the network, the rest finish before connecting.
  const cliStarted = Date.now();
  for (let i = 0; i < cases.length; i += 16) {
    const batch = cases.slice(i, i + 16);
    const runs = await Promise.all(batch.map((fuzzCase) => cli(fuzzCase.args)));
    runs.forEach((run, j) => {
      const fuzzCase = batch[j] as CliCase;
      covered.add(fuzzCase.args[0] as string);
      const problem = checkRun(fuzzCase, run);
      if (problem !== undefined) failures.push(`${problem}: ${explain(i + j, fuzzCase, run)}`);
    });
  }
  const remote = cases.filter((c) => c.remote).length;
  t.diagnostic(`${cases.length} CLI cases (${remote} reached Temporal) in ${Date.now() - cliStarted} ms`);
  assert.deepEqual(failures.slice(0, 5), [], `${failures.length} of ${cases.length} CLI cases failed`);
  for (const command of CLI_COMMANDS) assert.ok(covered.has(command), `no case for ${command}`);

  const updates: Record<string, UpdateDefinition<unknown, [unknown]>> = {
    acknowledge: acknowledgeUpdate,
    assignRole: assignRoleUpdate,
    postStatusUpdate,
    changeSeverity: changeSeverityUpdate,
    startMitigation: startMitigationUpdate,
    addNote: addNoteUpdate,
    finishMitigation: finishMitigationUpdate,
    rollback: rollbackUpdate,
    resolve: resolveUpdate,
    reopen: reopenUpdate,
    close: closeUpdate,
  } as unknown as Record<string, UpdateDefinition<unknown, [unknown]>>;
  for (let i = 0; i < VALIDATOR_CASES; i++) {
    const { update, input, field } = validatorCase(random);
    const sent = reference.executeUpdate(updates[update] as UpdateDefinition<unknown, [unknown]>, { args: [input] });
    await assert.rejects(sent, (error: unknown) => {
      const about = `validator case ${i} (FUZZ_SEED=${SEED}): ${update} ${JSON.stringify(input).slice(0, 300)}`;
      assert.ok(error instanceof WorkflowUpdateFailedError, about);
      assert.ok(error.cause instanceof ApplicationFailure, about);
      assert.equal(error.cause.type, 'InvalidInput', about);
      assert.match(error.cause.message, new RegExp(`(^|; )${field}: `), about);
      assert.doesNotMatch(error.cause.message, RAW, about);
      return true;
    });
  }

  for (let i = 0; i < POLICY_CASES; i++) {
    const { text, extension, names } = policyCase(random);
    const file = path.join(dataDir, `policy-${i}.${extension}`);
    await writeFile(file, text);
    const about = `policy case ${i} (FUZZ_SEED=${SEED}): ${JSON.stringify(text).slice(0, 400)}`;
    assert.throws(
      () => loadPolicy(file),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError, `${about}\n${String(error)}`);
        assert.ok(error.message.includes(names), `${about}\nexpected ${names} in: ${error.message}`);
        // The JSON/YAML parser's own message quotes the file raw (src/config's loadPolicy passes it through).
        if (!error.message.startsWith('Cannot read policy file')) assert.doesNotMatch(error.message, RAW, about);
        assert.doesNotMatch(error.message, /^\s+at /m, about);
        return true;
      },
    );
  }

  // Visibility trails a start by a moment: give any stray declaration time to show up before counting.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  assert.equal(await workflowCount(), workflows, 'a hostile command started a workflow');
  assert.equal(await historyLength(), events, 'a hostile command added history events to the reference incident');
  t.diagnostic(
    `${cases.length} CLI + ${VALIDATOR_CASES} validator + ${POLICY_CASES} policy cases in ${Date.now() - started} ms`,
  );
});

void test('outbox: an incident with no deliveries that Temporal does not know exits 3, like every other command', async () => {
  const unknown = await cli(['outbox', 'fz-nobody']);
  assert.equal(unknown.code, 3, unknown.stderr);
  assert.equal(
    unknown.stderr,
    'incident: no outbox entries for incident fz-nobody (Temporal does not know it either)\n',
  );
  const json = await cli(['outbox', 'fz-nobody', '--json']);
  assert.equal(json.code, 3, json.stderr);
  assert.equal((JSON.parse(json.stderr) as { error: { type: string } }).error.type, 'NotFound');

  const known = await cli(['outbox', REFERENCE, '--json']);
  assert.equal(known.code, 0, known.stderr);
  const records = JSON.parse(known.stdout) as Array<{ incidentId: string }>;
  assert.ok(records.length > 0 && records.every((r) => r.incidentId === REFERENCE), known.stdout);
});
