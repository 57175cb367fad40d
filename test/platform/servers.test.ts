import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { INCIDENT_SEARCH_ATTRIBUTES } from '../../src/domain/search-attributes';
import { createDevServerEnv, createTimeSkippingEnv } from '../support/temporal';

const envs: TestWorkflowEnvironment[] = [];

after(async () => {
  await Promise.all(envs.map((env) => env.teardown()));
});

void test('the time-skipping test server starts, answers and skips time', async () => {
  const env = await createTimeSkippingEnv();
  envs.push(env);
  assert.equal(env.supportsTimeSkipping, true);
  const info = await env.connection.workflowService.getSystemInfo({});
  assert.ok(info.capabilities, 'GetSystemInfo answered');
  const before = await env.currentTimeMs();
  await env.sleep('3 days');
  assert.ok((await env.currentTimeMs()) - before >= 3 * 24 * 3600 * 1000, 'three days passed in no time');
});

void test('the dev server starts with the incident search attributes registered', async () => {
  const env = await createDevServerEnv();
  envs.push(env);
  assert.equal(env.supportsTimeSkipping, false);
  const { customAttributes } = await env.connection.operatorService.listSearchAttributes({ namespace: 'default' });
  for (const name of INCIDENT_SEARCH_ATTRIBUTES) {
    // 2 is INDEXED_VALUE_TYPE_KEYWORD.
    assert.equal(customAttributes?.[name], 2, `${name} is a Keyword attribute`);
  }
});
