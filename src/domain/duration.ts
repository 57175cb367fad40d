import ms from 'ms';
import { z } from 'zod';
import { quoted } from './text';

export type DurationText = ms.StringValue;

export interface DurationBounds {
  /** The shortest duration that makes sense for the field (default 1s: zero would fire at once, or forever). */
  min?: DurationText;
  max: DurationText;
}

/**
 * A human duration such as `90s`, `5m`, `48h` or `2d`, parsed to milliseconds and checked against the field's
 * bounds. Every duration has an upper bound: a timer years away (`100000000d`) is a typo, and one beyond what a
 * Date can hold would break the workflow that schedules it.
 */
export function boundedDuration({ min = '1s', max }: DurationBounds) {
  const [least, most] = [ms(min), ms(max)];
  return z.string().transform((text, ctx) => {
    // `ms` also accepts bare numbers ("15" = 15 ms); people writing durations never mean that.
    const parsed = /^\s*\d{1,30}(\.\d{1,6})?\s*[a-z]{1,12}\s*$/i.test(text) ? ms(text as DurationText) : undefined;
    if (parsed === undefined || !Number.isFinite(parsed)) {
      ctx.addIssue({ code: 'custom', message: `${quoted(text)} is not a duration (write e.g. 90s, 5m, 48h)` });
      return z.NEVER;
    }
    if (parsed > most || parsed < least) {
      const limit = parsed > most ? `at most ${max}` : `at least ${min}`;
      ctx.addIssue({ code: 'custom', message: `${quoted(text)} is out of range: must be ${limit}` });
      return z.NEVER;
    }
    return Math.round(parsed);
  });
}

export function formatDuration(milliseconds: number): string {
  return ms(milliseconds, { long: false });
}
