import { nextPublicUpdateAt } from '../../domain/deadlines';
import { publishedUpdates, type PublicUpdate } from '../../domain/incident';
import { isOpen } from '../../domain/lifecycle';
import type { Severity } from '../../domain/severity';
import type { IncidentView } from '../../workflows/definitions';

/**
 * An incident as the public page may show it. Everything here was written for the public (the user-facing text of
 * each update, or its template) or is a plain fact (times, severity, service): never hypotheses, names, notes or
 * timeline entries.
 */
export interface PublicIncident {
  id: string;
  name: string;
  service: string;
  severity: Severity;
  open: boolean;
  phase: PublicUpdate['phase'];
  declaredAt: number;
  resolvedAt: number | null;
  /** The latest public change: the last update, or the resolution. */
  updatedAt: number;
  /** When the next public update is due (open incidents with a cadence), even when that time has passed. */
  nextUpdateAt: number | null;
  /** Newest first. */
  updates: PublicUpdate[];
}

/**
 * The public part of an incident, or null for one the page never shows: drills, security incidents, and incidents
 * nothing was ever published for (a severity without a status page).
 */
export function publicIncident(view: IncidentView): PublicIncident | null {
  if (view.drill || view.security) return null;
  const updates = publishedUpdates(view.publicUpdates).reverse();
  if (updates.length === 0) return null;
  const open = isOpen(view.status);
  const latest = updates[0]?.phase ?? 'investigating';
  const resolvedAt = open ? null : (view.resolvedAt ?? view.closedAt ?? updates[0]?.at ?? view.declaredAt);
  return {
    id: view.id,
    name: view.title,
    service: view.service,
    severity: view.severity,
    open,
    // A reopened incident is being investigated again, whatever its last public word was.
    phase: open ? (latest === 'resolved' ? 'investigating' : latest) : 'resolved',
    declaredAt: view.declaredAt,
    resolvedAt,
    updatedAt: Math.max(updates[0]?.at ?? view.declaredAt, resolvedAt ?? 0),
    nextUpdateAt: open ? nextPublicUpdateAt(view) : null,
    updates,
  };
}
