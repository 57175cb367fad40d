import { z } from 'zod';
import { boundedDuration } from '../duration';
import type { Severity } from '../severity';
import { policyKeySchema } from '../text';

/**
 * How often the public status page must hear from an incident (`severities.SEV-1.publicUpdates`), apart from the
 * internal chat cadence (`statusUpdates`): runbook 003 wants the SEV-1 page every 5 minutes while the channel gets
 * an update every 15. A due public update reminds its owner (the Communications Lead, else the IC) and, missed by
 * `escalateAfter`, pages `target`. Null: this severity has no public cadence.
 */
export const publicUpdatesSchema = z.strictObject({
  every: boundedDuration({ min: '10s', max: '30d' }),
  escalateAfter: boundedDuration({ min: '1s', max: '30d' }),
  target: policyKeySchema.default('engineering-manager'),
});
export type PublicUpdatesPolicy = z.output<typeof publicUpdatesSchema>;

const DEFAULTS: Record<Severity, z.input<typeof publicUpdatesSchema> | null> = {
  'SEV-1': { every: '15m', escalateAfter: '5m' },
  'SEV-2': { every: '30m', escalateAfter: '10m' },
  'SEV-3': null,
  'SEV-4': null,
};

/** The default public cadence of a severity, parsed (durations in milliseconds). */
export function defaultPublicUpdates(severity: Severity): PublicUpdatesPolicy | null {
  const cadence = DEFAULTS[severity];
  return cadence === null ? null : publicUpdatesSchema.parse(cadence);
}
