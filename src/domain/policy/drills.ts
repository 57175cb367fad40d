import { z } from 'zod';
import { lazySchema } from '../lazy-schema';
import { isTimeZone } from '../business-hours';
import { boundedDuration } from '../duration';
import { policyKeySchema, serviceNameSchema, singleLine } from '../text';

/**
 * Drills on a schedule (runbook 002's "Simulation Drills" table), written under `drills` in the policy, one entry
 * per drill, keyed by its name. The worker turns each into a Temporal Schedule (`drill-<name>`).
 */

export const DRILL_KINDS = ['sev1-fire-drill', 'log-flood'] as const;
export type DrillKind = (typeof DRILL_KINDS)[number];

/** A drill's name is part of its Schedule's and its runs' workflow ids: short, lowercase, dashes. */
export const drillNameSchema = lazySchema(() =>
  z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9-]{0,39}$/,
      'use 1-40 lowercase letters, digits and dashes, starting with a letter or digit',
    ),
);

/** Five cron fields (minute hour day-of-month month day-of-week), as Temporal Schedules read them. */
const cronSchema = lazySchema(() =>
  z
    .string()
    .trim()
    .regex(/^(\S+\s+){4}\S+$/, 'write five cron fields, e.g. "0 14 * * FRI" (Fridays at 14:00)')
    .refine((cron) => /^[0-9A-Za-z*/,?\s-]+$/.test(cron), 'a cron field holds digits, names and * / , - ? only'),
);

/** The fields both kinds of drill share, built with the kind's schema. */
const drillBase = () => ({
  /** Cron (with an optional IANA time zone), or a fixed interval (`every: 7d`): exactly one. */
  cron: cronSchema.optional(),
  timeZone: z
    .string()
    .max(100)
    .refine(isTimeZone, 'is not an IANA time zone such as Europe/Berlin or America/New_York')
    .optional(),
  every: boundedDuration({ min: '1m', max: '366d' }).optional(),
  /** Policy contacts (or raw chat ids) who take part: the only people a drill pages or mails. */
  participants: z
    .array(policyKeySchema)
    .min(1, 'name at least one participant')
    .max(20, 'at most 20 participants')
    .refine((names) => new Set(names).size === names.length, 'a participant is listed twice'),
  /** Runbook 002's notes column: what the drill tests. */
  title: singleLine(200).optional(),
  service: serviceNameSchema.default('drill'),
  /** How long the drill runs before its report is written and its incident ended. */
  runFor: boundedDuration({ min: '1s', max: '24h' }).default(30 * 60_000),
});

const fireDrillSchema = lazySchema(() => z.strictObject({ kind: z.literal('sev1-fire-drill'), ...drillBase() }));

const logFloodSchema = lazySchema(() =>
  z.strictObject({
    kind: z.literal('log-flood'),
    ...drillBase(),
    /** Synthetic alert deliveries in the burst, all of one alert group: dedup must make them one incident. */
    alerts: z.number().int().min(2, 'a flood is at least 2 alerts').max(500, 'at most 500 alerts').default(50),
    /** The on-call page must be decided within this long after the first alert for the drill to pass. */
    pageWithin: boundedDuration({ min: '1s', max: '1h' }).default(60_000),
  }),
);

export const drillSchema = lazySchema(() =>
  z
    .discriminatedUnion('kind', [fireDrillSchema, logFloodSchema], {
      error: () => `kind must be one of ${DRILL_KINDS.join(', ')}`,
    })
    .superRefine((drill, ctx) => {
      if ((drill.cron === undefined) === (drill.every === undefined)) {
        ctx.addIssue({ code: 'custom', message: 'give exactly one of cron or every', path: ['cron'] });
      }
      if (drill.timeZone !== undefined && drill.cron === undefined) {
        ctx.addIssue({ code: 'custom', message: 'a time zone applies to cron only', path: ['timeZone'] });
      }
    }),
);
export type Drill = z.output<typeof drillSchema>;

export const drillsPolicySchema = lazySchema(() =>
  z
    .record(drillNameSchema, drillSchema, {
      error: (issue) => {
        if (issue.code !== 'invalid_key') return undefined;
        return `is not a valid drill name: ${drillNameSchema.safeParse(issue.input).error?.issues[0]?.message ?? ''}`;
      },
    })
    .refine((drills) => Object.keys(drills).length <= 20, 'at most 20 drills'),
);
export type DrillsPolicy = z.output<typeof drillsPolicySchema>;

/** What a drill tests, for its table row and its incident's title. */
export function drillTitle(drill: Drill): string {
  if (drill.title !== undefined) return drill.title;
  return drill.kind === 'sev1-fire-drill' ? 'SEV-1 fire drill: total outage' : 'Log flood injection: alerting test';
}
