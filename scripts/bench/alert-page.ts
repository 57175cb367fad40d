import { randomBytes } from 'node:crypto';
import type { BenchApi } from './api-server';
import { tally, type Log } from './scenarios';
import { summarize, type Summary } from './stats';
import { pagesTo } from './watch';
import { describeError, FIRST_POST_TIMEOUT_MS, type Workload } from './workload';

/**
 * 8: an Alertmanager webhook delivery → the first page at the fake PagerDuty (the primary on-call's trigger for
 * the declaration), against `IncidentService.declare()` of the same severity → its first page, alternating. A
 * fresh alert group per sample, so each delivery declares; the incident is terminated once it has paged.
 */
export interface AlertPageResult {
  /** Delivery posted → the first page's arrival at the fake. */
  toFirstPageMs: { alert: Summary; declare: Summary };
  /** How long Alertmanager waits for the webhook's 202. */
  webhookMs: Summary;
  /** Alert − declare() within each round. */
  pairedDifferenceMs: Summary;
  failures: { alert: Record<string, number>; declare: Record<string, number> };
}

const ALERT_ROUTE = '/api/v1/alerts/alertmanager';
/** Alternated round by round, so neither always goes first. */
const PATHS = ['alert', 'declare'] as const;

/** A firing group of one `severity: critical` alert (SEV-1 in the default alerts policy), as Alertmanager sends it. */
function alertmanagerPayload(group: string, startsAt: Date) {
  const labels = { alertname: 'CheckoutDown', severity: 'critical', service: 'checkout', bench: group };
  const annotations = { summary: 'Checkout is down', description: 'Checkout answers 502 for most requests' };
  return {
    version: '4',
    groupKey: `{}:{alertname="CheckoutDown", bench="${group}"}`,
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'incident-response',
    groupLabels: { alertname: 'CheckoutDown', bench: group },
    commonLabels: labels,
    commonAnnotations: annotations,
    externalURL: 'http://alertmanager.example:9093',
    alerts: [
      {
        status: 'firing',
        labels: { ...labels, instance: 'checkout-1:9100' },
        annotations,
        startsAt: startsAt.toISOString(),
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus.example:9090/graph?g0.expr=up%7Bjob%3D%22checkout%22%7D+%3D%3D+0',
        fingerprint: randomBytes(8).toString('hex'),
      },
    ],
  };
}

export async function measureAlertToPage(
  w: Workload,
  api: BenchApi,
  samples: number,
  log: Log,
): Promise<AlertPageResult> {
  // Every first page, whichever way the incident was declared (alert incidents are `a-<digest>-<n>`).
  const firstPages = pagesTo(
    w.rig.pagerduty,
    w.rig.secrets.routingKeys['primary-oncall'],
    /^incident-(.+)-declared-0$/,
  );
  const toPage = { alert: [] as number[], declare: [] as number[] };
  const webhook: number[] = [];
  const paired: number[] = [];
  const failures = { alert: [] as string[], declare: [] as string[] };

  const viaAlert = async () => {
    const postedAt = Date.now();
    const t0 = performance.now();
    const { status, body } = await api.post(ALERT_ROUTE, alertmanagerPayload(w.newId(), new Date(postedAt - 60_000)));
    const answeredMs = performance.now() - t0;
    const answer = body as { incidentId?: unknown; declared?: unknown };
    if (status !== 202 || typeof answer.incidentId !== 'string' || answer.declared !== true) {
      throw new Error(`${ALERT_ROUTE} answered ${status}: ${JSON.stringify(body)}`);
    }
    webhook.push(answeredMs);
    w.track(answer.incidentId);
    return (await firstPages.waitFor(answer.incidentId, FIRST_POST_TIMEOUT_MS)).at - postedAt;
  };
  const viaDeclare = async () => {
    const id = w.newId();
    const { calledAt } = await w.declare(id, 'SEV-1');
    return (await firstPages.waitFor(id, FIRST_POST_TIMEOUT_MS)).at - calledAt;
  };

  try {
    for (let round = 0; round < samples; round += 1) {
      const inRound: { alert?: number; declare?: number } = {};
      for (const path of round % 2 === 0 ? PATHS : [...PATHS].reverse()) {
        try {
          inRound[path] = await (path === 'alert' ? viaAlert() : viaDeclare());
          toPage[path].push(inRound[path]);
        } catch (error) {
          failures[path].push(describeError(error));
        }
        // SEV-1 escalates within seconds in the bench's policy: end the incident before its timer adds work.
        await w.closeOpen();
        await w.quiet();
      }
      if (inRound.alert !== undefined && inRound.declare !== undefined) paired.push(inRound.alert - inRound.declare);
      if ((round + 1) % 10 === 0 || round + 1 === samples) {
        const p50 = (values: number[]) => Math.round(summarize(values).p50);
        log(
          `alerts ${round + 1}/${samples}: p50 alert → first page ${p50(toPage.alert)} ms, ` +
            `declare() → first page ${p50(toPage.declare)} ms, ${failures.alert.length} alert failures`,
        );
      }
    }
  } finally {
    firstPages.stop();
  }
  return {
    toFirstPageMs: { alert: summarize(toPage.alert), declare: summarize(toPage.declare) },
    webhookMs: summarize(webhook),
    pairedDifferenceMs: summarize(paired),
    failures: { alert: tally(failures.alert), declare: tally(failures.declare) },
  };
}
