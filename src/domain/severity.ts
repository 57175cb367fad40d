import { z } from 'zod';
import { lazySchema } from './lazy-schema';

export const SEVERITIES = ['SEV-1', 'SEV-2', 'SEV-3', 'SEV-4'] as const;
export const severitySchema = lazySchema(() => z.enum(SEVERITIES));
export type Severity = z.infer<typeof severitySchema>;

/** Lower rank = more severe. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export const ROLES = ['commander', 'comms', 'ops', 'oncall', 'scribe'] as const;
export const roleSchema = lazySchema(() => z.enum(ROLES));
export type Role = z.infer<typeof roleSchema>;

export const ROLE_TITLES: Record<Role, string> = {
  commander: 'Incident Commander',
  comms: 'Communications Lead',
  ops: 'Operations Lead',
  oncall: 'On-call Engineer',
  scribe: 'Scribe',
};

export const STATUSES = [
  'declared',
  'acknowledged',
  'investigating',
  'mitigating',
  'monitoring',
  'resolved',
  'closed',
] as const;
export const statusSchema = lazySchema(() => z.enum(STATUSES));
export type IncidentStatus = z.infer<typeof statusSchema>;
