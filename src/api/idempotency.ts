import { createHash } from 'node:crypto';
import { newIncidentId, type IncidentService } from '../client/service';

/**
 * Idempotency-Key, scoped to the token's actor so two clients choosing the same key never collide. The request id
 * Temporal deduplicates by is a digest, which also keeps it within the update id's alphabet and length.
 */
export function requestIdFor(actor: string, key: string): string {
  return `api-${digest(actor, key).toString('hex').slice(0, 40)}`;
}

/**
 * The incident id a keyed declaration gets when the body names none: derived from the actor and the key, so a
 * retry lands on the same incident. It carries the day it was first sent, as every id does.
 */
export function keyedIncidentId(actor: string, key: string, day: Date): string {
  const suffix = BigInt(`0x${digest(actor, key).subarray(0, 8).toString('hex')}`)
    .toString(36)
    .slice(0, 6)
    .padStart(6, '0');
  return `${newIncidentId(day).slice(0, 8)}-${suffix}`;
}

/** A fresh id, or for a keyed request the one its key names: yesterday's if a retry crossed midnight. */
export async function declarationIdFor(
  incidents: IncidentService,
  actor: string,
  key: string | undefined,
  now = new Date(),
): Promise<string> {
  if (key === undefined) return newIncidentId(now);
  const yesterday = keyedIncidentId(actor, key, new Date(now.getTime() - 86_400_000));
  if (await incidents.exists(yesterday)) return yesterday;
  return keyedIncidentId(actor, key, now);
}

function digest(actor: string, key: string): Buffer {
  return createHash('sha256').update(`${actor}\n${key}`, 'utf8').digest();
}
