import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { ApplicationFailure } from '@temporalio/common';
import type { TimelineEntry } from '../../src/domain/incident';
import { METRICS, RESPONSE_TIME_BUCKETS_SECONDS } from '../../src/metrics/catalog';
import { IncidentMetrics } from '../../src/metrics/registry';
import { serveMetrics, type MetricsServer } from '../../src/metrics/server';
import {
  acknowledgeUpdate,
  closeUpdate,
  finishMitigationUpdate,
  resolveUpdate,
  startMitigationUpdate,
  stateQuery,
} from '../../src/workflows/definitions';
import { startTimeSkippingHarness, workflowBundle, type Harness } from '../workflows/harness';
import { parseExposition, scrape, sampleValue, type Sample } from './scrape';

const real = { severity: 'SEV-1', drill: 'false' };
const drill = { severity: 'SEV-1', drill: 'true' };

/** Each bucket's cumulative count, as `le: count`, for one histogram's series. */
function buckets(samples: Sample[], name: string, labels: Record<string, string>): Record<string, number> {
  return Object.fromEntries(
    [...RESPONSE_TIME_BUCKETS_SECONDS.map(String), '+Inf'].map((le) => [
      le,
      sampleValue(samples, `${name}_bucket`, { ...labels, le }) ?? NaN,
    ]),
  );
}

/** The cumulative counts a histogram holding these observations (seconds) has in each bucket. */
function expectedBuckets(...observed: number[]): Record<string, number> {
  return Object.fromEntries(
    [...RESPONSE_TIME_BUCKETS_SECONDS.map((le) => [String(le), le] as const), ['+Inf', Infinity] as const].map(
      ([key, le]) => [key, observed.filter((seconds) => seconds <= le).length],
    ),
  );
}

const countBy = (timeline: TimelineEntry[], type: TimelineEntry['type'], key: string) =>
  timeline
    .filter((e) => e.type === type)
    .reduce<Record<string, number>>((counts, e) => {
      const value = String(e.data?.[key] ?? 'mitigation-failed');
      counts[value] = (counts[value] ?? 0) + 1;
      return counts;
    }, {});

describe('/metrics after a scripted SEV-1 (time-skipping)', () => {
  let harness: Harness;
  let server: MetricsServer;
  const metrics = new IncidentMetrics({ providers: { email: 'smtp' } });

  before(async () => {
    harness = await startTimeSkippingHarness({
      metrics,
      // Every email fails for good, so the failures counter has something to count.
      override: () => ({
        email: { send: () => Promise.reject(ApplicationFailure.nonRetryable('mailbox unavailable', 'SmtpRejected')) },
      }),
    });
    server = await serveMetrics(metrics.registry, { host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await server?.close();
    await harness?.stop();
  });

  it('counts the response in minutes-sized buckets, drills apart', async () => {
    const incident = await harness.declare({ severity: 'SEV-1', service: 'checkout', commander: 'alice' });
    await harness.env.sleep('7m'); // nobody acknowledges: the ladder pages the secondary at 5 minutes
    await incident.executeUpdate(acknowledgeUpdate, { args: [{ by: 'alice' }] });
    await harness.env.sleep('3m');
    await incident.executeUpdate(startMitigationUpdate, {
      args: [{ action: 'roll back deploy 412', kind: 'rollback', by: 'bob' }],
    });
    await harness.env.sleep('15m'); // unresolved at 15 minutes, status updates missed
    await incident.executeUpdate(finishMitigationUpdate, {
      args: [{ actionId: 'm1', outcome: 'succeeded', by: 'bob' }],
    });
    await harness.env.sleep('15m');
    await incident.executeUpdate(resolveUpdate, {
      args: [{ by: 'alice', summary: 'rolled back', unverified: 'checkout has no smoke checks' }],
    });
    await incident.executeUpdate(closeUpdate, { args: [{ by: 'alice' }] });
    await incident.result();

    const exercise = await harness.declare({ severity: 'SEV-1', service: 'checkout', drill: true });
    await harness.env.sleep('1m');
    await exercise.executeUpdate(acknowledgeUpdate, { args: [{ by: 'carol' }] });

    const state = await incident.query(stateQuery);
    const seconds = (at: number | undefined) => ((at ?? NaN) - state.declaredAt) / 1000;
    const acked = seconds(state.acknowledgedAt ?? undefined);
    const mitigated = seconds(state.mitigations[0]?.finishedAt);
    const resolved = seconds(state.resolvedAt ?? undefined);
    // The script's clock: the phases land in the 10, 30 and 60 minute buckets and not in the ones below.
    assert.ok(acked > 420 - 1 && acked < 600, `acknowledged after ${acked}s`);
    assert.ok(mitigated > 1500 - 1 && mitigated < 1800, `mitigated after ${mitigated}s`);
    assert.ok(resolved > 2400 - 1 && resolved < 3600, `resolved after ${resolved}s`);

    const check = async () => {
      const samples = await scrape(server.url);
      const labels = { ...real, service: 'checkout' };
      assert.equal(sampleValue(samples, METRICS.declared, labels), 1);
      assert.equal(sampleValue(samples, METRICS.declared, { ...drill, service: 'checkout' }), 1);
      for (const [name, observed] of [
        [METRICS.timeToAcknowledge, acked],
        [METRICS.timeToMitigate, mitigated],
        [METRICS.timeToResolve, resolved],
      ] as const) {
        assert.equal(sampleValue(samples, `${name}_count`, labels), 1, name);
        assert.ok(Math.abs((sampleValue(samples, `${name}_sum`, labels) ?? NaN) - observed) < 0.001, name);
        assert.deepEqual(buckets(samples, name, labels), expectedBuckets(observed), name);
      }
      // The drill is counted under its own label, and only there.
      const drillAck = buckets(samples, METRICS.timeToAcknowledge, { ...drill, service: 'checkout' });
      assert.equal(drillAck['+Inf'], 1);
      assert.equal(drillAck['30'], 0); // acknowledged a minute (and a few milliseconds) in
      assert.equal(drillAck['120'], 1);
      assert.equal(
        sampleValue(samples, `${METRICS.timeToResolve}_count`, { ...drill, service: 'checkout' }),
        undefined,
      );

      // Escalations and missed updates, by kind, as the incident's own timeline records them.
      const escalations = countBy(state.timeline, 'escalation', 'reason');
      assert.ok(
        (escalations['ack-timeout'] ?? 0) >= 1 && (escalations.unresolved ?? 0) === 1,
        JSON.stringify(escalations),
      );
      for (const [kind, count] of Object.entries(escalations)) {
        assert.equal(sampleValue(samples, METRICS.escalations, { ...real, kind }), count, kind);
      }
      const exported = samples.filter((s) => s.name === METRICS.escalations && s.labels.drill === 'false');
      assert.equal(exported.length, Object.keys(escalations).length);
      const reminders = state.timeline.filter((e) => e.type === 'status-reminder');
      const internal = reminders.filter((e) => e.data?.channel !== 'status-page').length;
      assert.ok(internal >= 1, 'the status cadence was missed');
      assert.equal(sampleValue(samples, METRICS.missedUpdates, { ...real, audience: 'internal' }), internal);

      const failedEmails = state.timeline.filter(
        (e) => e.type === 'notification-failed' && e.data?.channel === 'email',
      );
      assert.ok(failedEmails.length >= 1);
      assert.equal(
        sampleValue(samples, METRICS.notificationFailures, { channel: 'email', provider: 'smtp', drill: 'false' }),
        failedEmails.length,
      );
    };
    await check();
  });

  it('a replay counts nothing: a recorded SEV-1 lifecycle replayed with the metrics sink leaves every count at zero', async () => {
    const replayed = new IncidentMetrics({ providers: {} });
    const history = historyFromJSON(
      JSON.parse(readFileSync(path.join(__dirname, '../fixtures/histories/full-lifecycle-v2.json'), 'utf8')),
    );
    await Worker.runReplayHistory(
      { workflowBundle: await workflowBundle(), sinks: replayed.sinks(), replayName: 'metrics' },
      history,
    );
    const samples = parseExposition(await replayed.registry.metrics());
    assert.deepEqual(
      samples.filter((s) => s.name.startsWith('incident_')),
      [],
    );
  });
});
