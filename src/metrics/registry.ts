import type { InjectedSinks } from '@temporalio/worker';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ResponseFact, ResponsePhase } from '../domain/response-measures';
import type { IncidentMetricsSinks, ResponseLabels } from '../workflows/incident/metrics';
import { METRICS, RESPONSE_TIME_BUCKETS_SECONDS } from './catalog';
import type { OpenIncidentCount } from './open-incidents';

export interface IncidentMetricsOptions {
  /** Which provider serves each notification channel (chat: slack, email: smtp, ...), for the failures' label. */
  providers: Readonly<Record<string, string>>;
  /** Open incidents by severity, read from Visibility at each scrape; absent, the gauge is not exported. */
  countOpen?: () => Promise<OpenIncidentCount[]>;
}

/** For workers built without a registry (tests): the workflows' facts are answered and dropped. */
export const droppedMetricsSinks: InjectedSinks<IncidentMetricsSinks> = {
  incidentMetrics: { observe: { fn: () => undefined } },
};

const drillLabel = (drill: boolean) => (drill ? 'true' : 'false');

/**
 * The worker's Prometheus registry. Counters and histograms move when the incident workflows report a response
 * fact through their sink; the open-incident gauge is counted from Visibility at each scrape, so it is right after a
 * restart and the same on every worker (aggregate it with max, not sum).
 */
export class IncidentMetrics {
  readonly registry = new Registry();
  private readonly declared: Counter;
  private readonly phases: Record<ResponsePhase, Histogram>;
  private readonly escalations: Counter;
  private readonly missedUpdates: Counter;
  private readonly notificationFailures: Counter;
  private readonly reopened: Counter;

  constructor(private readonly options: IncidentMetricsOptions) {
    const registers = [this.registry];
    const incident = ['severity', 'service', 'drill'] as const;
    const counter = (name: string, help: string, labelNames: readonly string[]) =>
      new Counter({ name, help, labelNames, registers });
    const histogram = (name: string, help: string) =>
      new Histogram({ name, help, labelNames: incident, buckets: [...RESPONSE_TIME_BUCKETS_SECONDS], registers });
    this.declared = counter(METRICS.declared, 'Incidents declared', incident);
    this.phases = {
      acknowledge: histogram(METRICS.timeToAcknowledge, 'Time from declaration to acknowledgement'),
      mitigate: histogram(
        METRICS.timeToMitigate,
        'Time from declaration to the first mitigation that succeeded (or the first resolution)',
      ),
      resolve: histogram(METRICS.timeToResolve, 'Time from declaration to the first resolution'),
    };
    this.escalations = counter(
      METRICS.escalations,
      'Escalations fired, by kind (ack-timeout, no-status-update, no-public-update, unresolved, manual, ...)',
      ['severity', 'kind', 'drill'],
    );
    this.missedUpdates = counter(
      METRICS.missedUpdates,
      'Status updates not posted by their due time (the reminder fired), internal or public',
      ['severity', 'audience', 'drill'],
    );
    this.notificationFailures = counter(
      METRICS.notificationFailures,
      'Deliveries that failed after their retries, by channel and the provider serving it',
      ['channel', 'provider', 'drill'],
    );
    this.reopened = counter(METRICS.reopened, 'Resolved incidents reopened', ['severity', 'drill']);
    if (options.countOpen) this.registerOpenGauge(options.countOpen);
    collectDefaultMetrics({ register: this.registry });
  }

  observe(fact: ResponseFact, { severity, service, drill }: ResponseLabels): void {
    const labels = { severity, service, drill: drillLabel(drill) };
    switch (fact.kind) {
      case 'declared':
        return this.declared.inc(labels);
      case 'phase':
        return this.phases[fact.phase].observe(labels, fact.ms / 1000);
      case 'escalation':
        return this.escalations.inc({ severity, kind: fact.reason, drill: labels.drill });
      case 'missed-update':
        return this.missedUpdates.inc({ severity, audience: fact.audience, drill: labels.drill });
      case 'notification-failed': {
        const provider = this.options.providers[fact.channel] ?? fact.channel;
        return this.notificationFailures.inc({ channel: fact.channel, provider, drill: labels.drill });
      }
      case 'reopened':
        return this.reopened.inc({ severity, drill: labels.drill });
      case 'closed':
        return;
    }
  }

  /** The worker's sink for the incident workflow's facts; never called while a workflow replays. */
  sinks(): InjectedSinks<IncidentMetricsSinks> {
    return { incidentMetrics: { observe: { fn: (_info, fact, labels) => this.observe(fact, labels) } } };
  }

  private registerOpenGauge(countOpen: () => Promise<OpenIncidentCount[]>): void {
    const failures = new Counter({
      name: METRICS.openCountFailures,
      help: 'Scrapes at which Visibility could not count the open incidents (the gauge is then absent)',
      registers: [this.registry],
    });
    new Gauge({
      name: METRICS.open,
      help: 'Incidents open now (declared and not closed), counted from Visibility at each scrape',
      labelNames: ['severity', 'drill'],
      registers: [this.registry],
      async collect() {
        this.reset();
        try {
          for (const { severity, drill, count } of await countOpen())
            this.set({ severity, drill: drillLabel(drill) }, count);
        } catch {
          // A stale count would read as the truth; an absent one reads as "unknown", and the failure is counted.
          failures.inc();
        }
      },
    });
  }
}
