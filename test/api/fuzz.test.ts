import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { IncidentService } from '../../src/client/service';
import { incidentWorkflowId } from '../../src/workflows/definitions';
import { Random } from '../client/cli/fuzz-cases';
import { createDevServerEnv } from '../support/temporal';
import { startHarness, type Harness } from '../workflows/harness';
import { apiCase } from './fuzz-cases';
import { startApi, TOKENS, type RunningApi } from './server';

/**
 * Hostile requests over real HTTP, seeded: each must be answered with a 4xx problem document (never a 5xx, never a
 * stack), and afterwards Temporal holds no new workflow and the reference incident no new history event. Replay a
 * failure with FUZZ_SEED; scale with FUZZ_CASES.
 */
const SEED = Number(process.env.FUZZ_SEED ?? randomInt(2 ** 31));
const CASES = Number(process.env.FUZZ_CASES ?? 1200);
const REFERENCE = 'fz-api-reference';
console.log(`api fuzz seed ${SEED}: replay with FUZZ_SEED=${SEED}`);

let env: TestWorkflowEnvironment;
let harness: Harness;
let api: RunningApi;

async function historyLength(): Promise<number> {
  const history = await env.client.workflow.getHandle(incidentWorkflowId(REFERENCE)).fetchHistory();
  return history.events?.length ?? 0;
}

async function workflowCount(): Promise<number> {
  const { count } = await env.client.workflow.count(`TaskQueue = "${harness.taskQueue}"`);
  return count;
}

/** The reference incident's declaration work (posts, emails) has landed: its history stopped growing. */
async function settled(): Promise<number> {
  let last = -1;
  for (;;) {
    const length = await historyLength();
    if (length === last) return length;
    last = length;
    await sleep(1_500);
  }
}

before(async () => {
  env = await createDevServerEnv();
  harness = await startHarness(env);
  api = await startApi(new IncidentService(env.client, { taskQueue: harness.taskQueue }));
  const declared = await api.call('POST', '/api/v1/incidents', {
    token: TOKENS.respond,
    body: { id: REFERENCE, title: 'Fuzz reference', severity: 'SEV-4', service: 'checkout' },
  });
  assert.equal(declared.status, 201, JSON.stringify(declared.body));
});
after(async () => {
  await api?.close();
  await harness?.stop();
  await env?.teardown();
});

test(`${CASES} malformed requests across every route: 4xx problems only, nothing written`, async () => {
  const events = await settled();
  const workflows = await workflowCount();
  const random = new Random(SEED);
  const faults = new Map<string, number>();
  for (let i = 0; i < CASES; i++) {
    const request = apiCase(random, REFERENCE);
    const response = await fetch(`${api.url}${request.path}`, {
      method: request.method,
      headers: request.headers,
      body: request.body,
    });
    const text = await response.text();
    const about = `case ${i} (${request.fault}) ${request.method} ${request.path.slice(0, 120)}: ${response.status} ${text.slice(0, 300)}`;
    assert.ok(response.status >= 400 && response.status < 500, about);
    assert.equal(response.headers.get('content-type'), 'application/problem+json', about);
    assert.doesNotMatch(text, /\n\s+at |node_modules|\.ts:\d+/, `${about}: no stack or source paths`);
    const problem = JSON.parse(text) as { type?: unknown; detail?: unknown };
    assert.ok(typeof problem.type === 'string' && typeof problem.detail === 'string', about);
    faults.set(request.fault, (faults.get(request.fault) ?? 0) + 1);
  }
  console.log(`faults exercised: ${JSON.stringify(Object.fromEntries([...faults].sort()))}`);
  assert.ok(faults.size >= 15, 'every kind of fault was tried');
  // Visibility trails by a moment: a workflow a bad request had started would show up within it.
  await sleep(1_000);
  assert.equal(await workflowCount(), workflows, 'no new workflow');
  assert.equal(await historyLength(), events, 'no new history event on the reference incident');
});
