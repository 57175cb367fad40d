import ms from 'ms';
import { z } from 'zod';

/** A human duration such as `90s`, `5m`, `48h` or `2d`, parsed to milliseconds. */
export const durationSchema = z.string().transform((text, ctx) => {
  // `ms` also accepts bare numbers ("15" = 15 ms); people writing policies never mean that.
  const parsed = /^\s*\d+(\.\d+)?\s*[a-z]+\s*$/i.test(text) ? ms(text as ms.StringValue) : undefined;
  if (parsed === undefined || !Number.isFinite(parsed) || parsed < 0) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration (write e.g. 90s, 5m, 48h)` });
    return z.NEVER;
  }
  return parsed;
});

export function formatDuration(milliseconds: number): string {
  return ms(milliseconds, { long: false });
}
