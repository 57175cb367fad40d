import { ApplicationFailure } from '@temporalio/common';
import { alertmanagerPayloadSchema } from '../../api/alerts/payloads';
import { normalizeDelivery } from '../../api/alerts/normalize';
import { AlertIntake, type AlertIntakeResult } from '../../client/alert-intake';
import type { IncidentService } from '../../client/service';
import type { AlertsPolicy } from '../../domain/policy';
import { severityRank } from '../../domain/severity';
import type { FloodResult } from '../../workflows/drill/definitions';

export interface FloodRequest {
  /** Names this run's alert group, so every run of the drill opens its own incident. */
  runKey: string;
  alerts: number;
  service: string;
  title: string;
}

/** Deliveries in flight at once: a burst, but not one that starves the worker's other activities. */
const CONCURRENCY = 10;
/** Distinct alerts in the group; the rest of the burst repeats them, as a flapping or redelivering sender would. */
const DISTINCT_ALERTS = 5;

/**
 * The log-flood drill's burst: `alerts` Alertmanager deliveries of one alert group, each parsed by the webhook's
 * own schema and normalised as the webhook route does, then handed to the same AlertIntake. Only the declaration
 * is marked as a drill. Dedup held when every delivery landed on one
 * incident (an identical redelivery is answered as the first one was, `declared` included).
 */
export async function floodAlerts(
  incidents: IncidentService,
  policy: AlertsPolicy,
  request: FloodRequest,
  heartbeat: () => void,
): Promise<FloodResult> {
  const intake = new AlertIntake(incidents);
  const label = mostSevereLabel(policy);
  const startsAt = new Date().toISOString();
  const firstAlertAt = Date.now();
  let declaredAfterMs: number | null = null;
  const results: Array<AlertIntakeResult | null> = [];

  const deliver = async (index: number) => {
    const payload = alertmanagerPayloadSchema.parse({
      version: '4',
      groupKey: `drill/${request.runKey}`,
      status: 'firing',
      receiver: 'incident-response-drill',
      commonLabels: { alertname: 'DrillLogFlood', service: request.service, [policy.severityLabel]: label },
      commonAnnotations: { summary: request.title },
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'DrillLogFlood', service: request.service, [policy.severityLabel]: label },
          annotations: { summary: request.title },
          startsAt,
          fingerprint: `drill-flood-${index % DISTINCT_ALERTS}`,
        },
      ],
    });
    const normalized = normalizeDelivery('alertmanager', payload, policy);
    const { declaration } = normalized;
    const drill = 'declare' in declaration ? { declare: { ...declaration.declare, drill: true } } : declaration;
    try {
      const result = await intake.deliver({ ...normalized, declaration: drill });
      if (result.declared) declaredAfterMs = Date.now() - firstAlertAt;
      results.push(result);
    } catch {
      results.push(null);
    }
    heartbeat();
  };

  let next = 0;
  const worker = async () => {
    while (next < request.alerts) await deliver(next++);
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, request.alerts) }, worker));

  const landed = results.filter((result) => result !== null);
  const ids = new Set(landed.map((result) => result.incidentId).filter((id) => id !== null));
  return {
    incidentId: [...ids][0] ?? null,
    deliveries: request.alerts,
    incidents: ids.size,
    failed: results.length - landed.length,
    firstAlertAt,
    declaredAfterMs,
  };
}

/** The label value the policy maps to its most severe level: the drill rehearses the worst alert. */
function mostSevereLabel(policy: AlertsPolicy): string {
  const [value] = Object.entries(policy.severities).sort(([, a], [, b]) => severityRank(a) - severityRank(b))[0] ?? [];
  if (value === undefined) throw ApplicationFailure.nonRetryable('the alerts policy maps no label value to a severity');
  return value;
}
