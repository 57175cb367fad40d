import { createHash } from 'node:crypto';
import type { AlertsReceived } from '../domain/alerts';
import type { DeclareInput } from '../domain/inputs';
import { alertsReceivedUpdate, type AlertsReceivedResult } from '../workflows/definitions';
import { IncidentClientError, IncidentClientErrorType } from './errors';
import type { IncidentService } from './service';

/** One delivery of one alert group, normalised (see src/api/alerts/normalize.ts). */
export interface AlertGroupDelivery {
  /** Names the group across deliveries; the incident ids derive from it. */
  group: string;
  delivery: AlertsReceived;
  /** How to declare the group's incident when none is open, or why this delivery may not declare one. */
  declaration: { declare: Omit<DeclareInput, 'id'> } | { reason: string };
}

export type AlertIntakeResult =
  | ({ declared: boolean; generation: number } & AlertsReceivedResult)
  | { incidentId: null; declared: false; reason: string };

/** Past this many closed incidents of one group, something is wrong (a loop), not a flapping alert. */
const MAX_GENERATIONS = 10_000;
/** Groups whose current generation is remembered; an evicted group walks from 1 again (correct, just slower). */
const CACHE_SIZE = 10_000;

/** `a-<digest of the group>-<generation>`: deterministic, so every sender of a group finds the same incident. */
export function alertIncidentId(group: string, generation: number): string {
  return `a-${createHash('sha256').update(group, 'utf8').digest('hex').slice(0, 10)}-${generation}`;
}

/**
 * Alert groups to incidents, race-free without a database of our own. The group's n-th incident has the id
 * `a-<digest>-<n>`; every delivery is an `alertsReceived` update sent with the start of generation n
 * (update-with-start, conflict policy USE_EXISTING, reuse policy REJECT_DUPLICATE):
 * - the first delivery starts the incident; concurrent ones (an HA pair, retries) attach to that same workflow,
 *   because Temporal lets one workflow hold an id at a time;
 * - the update id is a digest of what the delivery says, so identical redeliveries apply once;
 * - once generation n is closed, REJECT_DUPLICATE refuses to start it again and the workflow refuses updates: the
 *   delivery moves to n + 1, which every other sender also reaches, so the group gets one new incident.
 * The current generation is remembered in a bounded in-memory map; after a restart (or for a group evicted from it)
 * the walk starts at 1 and costs one round trip per closed incident of the group, once.
 */
export class AlertIntake {
  private readonly generations = new Map<string, number>();

  constructor(private readonly incidents: IncidentService) {}

  async deliver({ group, delivery, declaration }: AlertGroupDelivery): Promise<AlertIntakeResult> {
    const startWith = 'declare' in declaration ? declaration.declare : undefined;
    for (let generation = this.generations.get(group) ?? 1; generation <= MAX_GENERATIONS; generation += 1) {
      const incidentId = alertIncidentId(group, generation);
      try {
        const result = await this.incidents.sendUpdate(incidentId, alertsReceivedUpdate, delivery, {
          updateId: delivery.deliveryId,
          ...(startWith ? { startWith } : {}),
        });
        // Closed between the validator and the handler: the alerts did not land, the next incident takes them.
        if (result.status === 'closed') continue;
        this.remember(group, generation);
        return { ...result, generation };
      } catch (error) {
        if (closed(error)) continue;
        if (startWith === undefined && notFound(error)) {
          this.remember(group, generation);
          const why = 'reason' in declaration ? declaration.reason : 'nothing to declare';
          return { incidentId: null, declared: false, reason: `no open incident for this alert group, and ${why}` };
        }
        throw error;
      }
    }
    throw new IncidentClientError(
      IncidentClientErrorType.Internal,
      `alert group has more than ${MAX_GENERATIONS} closed incidents`,
    );
  }

  private remember(group: string, generation: number): void {
    // Re-inserted so the map's order is least recently used first.
    this.generations.delete(group);
    this.generations.set(group, generation);
    if (this.generations.size > CACHE_SIZE) {
      const oldest = this.generations.keys().next();
      if (!oldest.done) this.generations.delete(oldest.value);
    }
  }
}

/** The incident under this id has ended: started again it is refused, updated it says closed or not running. */
function closed(error: unknown): boolean {
  return (
    error instanceof IncidentClientError &&
    error.type === IncidentClientErrorType.Rejected &&
    (error.reason === 'AlreadyExists' || error.reason === 'Closed' || error.reason === 'IllegalTransition')
  );
}

function notFound(error: unknown): boolean {
  return error instanceof IncidentClientError && error.type === IncidentClientErrorType.NotFound;
}
