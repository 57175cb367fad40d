import { z } from 'zod';
import { lazySchema } from '../lazy-schema';

/**
 * The conference bridge of a severity's war room (runbooks 003 and 004): a fixed URL, or one with `{incidentId}`
 * in it for a room per incident. Declarations, the pinned summary and the declaration email carry it.
 */
export const bridgeSchema = lazySchema(() =>
  z
    .string()
    .max(500)
    .refine((url) => z.url({ protocol: /^https?$/ }).safeParse(url.replaceAll('{incidentId}', 'id')).success, {
      message: 'must be an http:// or https:// URL, optionally with {incidentId} in it',
    }),
);

/** The bridge URL for an incident, or undefined when its severity has none. */
export function bridgeUrl(template: string | undefined, incidentId: string): string | undefined {
  return template?.replaceAll('{incidentId}', encodeURIComponent(incidentId));
}
