import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { workflowMetadataQuery } from '@temporalio/workflow';
import type { IncidentService } from '../../../src/client/service';
import { incidentWorkflowId } from '../../../src/workflows/definitions';
import { SUMMARY_MAX } from '../../../src/workflows/incident/details';
import { createDevServerEnv } from '../../support/temporal';
import { HYPOTHESIS, startLiveSuite, USER_FACING, workedIncident, type LiveSuite } from './live-incident';

const text = (payload: temporal.api.common.v1.IPayload | null | undefined) =>
  payload ? defaultPayloadConverter.fromPayload<string>(payload) : undefined;

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('the Web UI metadata of a live incident (dev server)', () => {
  let suite: LiveSuite;
  let env: TestWorkflowEnvironment;
  let incidents: IncidentService;
  before(async () => {
    suite = await startLiveSuite(await createDevServerEnv());
    ({ env, incidents } = suite);
  });
  after(() => suite?.stop());

  const describeIncident = (id: string) =>
    env.client.workflowService.describeWorkflowExecution({
      namespace: 'default',
      execution: { workflowId: incidentWorkflowId(id) },
    });

  /** Every summary the incident's commands carried into history, as the UI's event list shows them. */
  async function commandSummaries(id: string): Promise<{ activities: string[]; timers: string[] }> {
    const { events } = await env.client.workflow.getHandle(incidentWorkflowId(id)).fetchHistory();
    const summaries = (has: (e: temporal.api.history.v1.IHistoryEvent) => unknown) =>
      (events ?? []).filter(has).map((e) => text(e.userMetadata?.summary) ?? '(none)');
    return {
      activities: summaries((e) => e.activityTaskScheduledEventAttributes),
      timers: summaries((e) => e.timerStartedEventAttributes),
    };
  }

  const currentDetails = async (id: string) =>
    (await env.client.workflow.getHandle(incidentWorkflowId(id)).query(workflowMetadataQuery)).currentDetails ?? '';

  it('DescribeWorkflowExecution answers the static summary and details the declaration set', async () => {
    await workedIncident(incidents, 'meta-sev1');
    const described = await describeIncident('meta-sev1');
    const metadata = described.executionConfig?.userMetadata;
    assert.equal(text(metadata?.summary), 'SEV-1 · checkout · Checkout is down');
    const details = text(metadata?.details) ?? '';
    assert.match(details, /\*\*Incident:\*\* meta-sev1: Checkout is down/);
    assert.match(details, /\*\*Service:\*\* checkout/);
    // Describe carries no summary for an activity (PendingActivityInfo has no user metadata): those are in history.
    for (const pending of described.pendingActivities) assert.ok(pending.activityType?.name);
  });

  it('each activity and timer says what it is for, in one short line', async () => {
    // Deliveries are scheduled in the background: wait for the last command's to reach history.
    const { activities, timers } = await eventually(
      () => commandSummaries('meta-sev1'),
      (found) => found.activities.includes('post internal update to #inc-meta-sev1'),
    );
    for (const expected of [
      'open channel #inc-meta-sev1, pin the declaration',
      'page primary-oncall: SEV-1 declared',
      'email stakeholder notification to stakeholders',
      'publish status page: investigating',
      'acknowledge the page to primary-oncall',
      'post internal update to #inc-meta-sev1',
      'refresh pinned summary and topic in #inc-meta-sev1',
    ]) {
      assert.ok(activities.includes(expected), `${expected} in ${JSON.stringify(activities)}`);
    }
    assert.ok(!activities.includes('(none)'), 'every activity has a summary');
    assert.equal(timers[0], 'deadline: SEV-1 ack window (5m) → page secondary-oncall');
    // After the ack, the timer waits for the first status update (due before anyone was Incident Commander).
    assert.equal(timers[1], 'deadline: status update due → remind the channel');
    for (const summary of [...activities, ...timers]) {
      assert.ok(Array.from(summary).length <= SUMMARY_MAX, summary);
      assert.ok(!summary.includes(HYPOTHESIS), summary);
    }
  });

  it('the current details follow status, commander, next deadline and last public update, never the hypothesis', async () => {
    const details = await currentDetails('meta-sev1');
    assert.match(details, /\*\*Status:\*\* investigating · SEV-1 · checkout · \*\*IC:\*\* alice/);
    // The status update restarted the cadence, so the unresolved escalation (15 minutes from declaration) is next.
    assert.match(details, /\*\*Next deadline:\*\* [\d-]+ [\d:]+ UTC: unresolved after 15m → page engineering-manager/);
    assert.ok(details.includes(USER_FACING), details);
    assert.ok(!details.includes(HYPOTHESIS), details);
  });

  it('a security incident shows no public update and no hypothesis anywhere', async () => {
    await workedIncident(incidents, 'meta-security', true);
    const details = await currentDetails('meta-security');
    assert.match(details, /\*\*Last public update:\*\* none: security incidents are never published/);
    const described = await describeIncident('meta-security');
    const { activities, timers } = await commandSummaries('meta-security');
    const everything = [
      details,
      text(described.executionConfig?.userMetadata?.summary),
      text(described.executionConfig?.userMetadata?.details),
      ...activities,
      ...timers,
    ].join('\n');
    assert.match(everything, /\[SECURITY\] SEV-1 · checkout/);
    assert.ok(!everything.includes(HYPOTHESIS));
    assert.ok(!everything.includes('publish status page'), 'a security incident never reaches the status page');
  });
});
