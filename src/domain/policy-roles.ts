import { z } from 'zod';
import { boundedDuration } from './duration';

/**
 * Staffed roles (runbooks 000, 002), as written in the policy under `roles`. Without this section no reminder runs
 * (incidents declared before it, and teams that have not opted in, keep their timelines as they were).
 */
export const rolesPolicySchema = z.strictObject({
  /** How long an open incident may go without an Incident Commander before the on-call is reminded, and again. */
  takeCommandWithin: boundedDuration({ min: '1m', max: '24h' }),
  /** Reminders before it escalates like a missed acknowledgement: the severity's first ladder step is paged. */
  remindersBeforeEscalation: z.number().int().min(0).max(10).default(1),
});
export type RolesPolicy = z.output<typeof rolesPolicySchema>;
