import { z } from 'zod';
import { lazySchema } from '../lazy-schema';
import { boundedDuration } from '../duration';
import type { Command } from '../lifecycle';
import { ROLE_TITLES, ROLES, severitySchema, type Role } from '../severity';
import { actorSchema } from '../text';

/** The commands a policy may restrict; every other command is anyone's. */
const GUARDED_COMMANDS = [
  'acknowledge',
  'assignRole',
  'postStatusUpdate',
  'changeSeverity',
  'startMitigation',
  'finishMitigation',
  'page',
  'resolve',
  'reopen',
  'close',
  'addNote',
  'checkItem',
  'confirmIntegrity',
  'confirmBreach',
] as const satisfies readonly Command[];
type GuardedCommand = (typeof GUARDED_COMMANDS)[number];

/** Who a rule admits: a staffed role of the incident, an admin the policy names, or anyone. */
const whoSchema = lazySchema(() => z.enum([...ROLES, 'admin', 'anyone']));
type Who = z.output<typeof whoSchema>;

/** Runbooks 000 and 002: the IC owns severity and closure; "under IC authority" for mitigations is a team's choice. */
const COMMANDER_OR_ADMIN: readonly Who[] = ['commander', 'admin'];
const DEFAULT_RULES: Partial<Record<GuardedCommand, readonly Who[]>> = {
  changeSeverity: COMMANDER_OR_ADMIN,
  resolve: COMMANDER_OR_ADMIN,
  close: COMMANDER_OR_ADMIN,
  confirmBreach: COMMANDER_OR_ADMIN,
};
const MITIGATION_COMMANDS: readonly GuardedCommand[] = ['startMitigation', 'finishMitigation'];

/**
 * Staffed roles (runbooks 000, 002), as written in the policy under `roles`; every field has a default, so an
 * incident reminds the on-call to take command and applies the default rules without a `roles` section.
 */
export const rolesPolicySchema = lazySchema(() =>
  z.strictObject({
    /** How long an open incident may go without an Incident Commander before the on-call is reminded (null: never). */
    takeCommandWithin: boundedDuration({ min: '1m', max: '24h' }).nullable().prefault('10m'),
    /** Reminders before it escalates like a missed acknowledgement: the severity's first ladder step is paged. */
    remindersBeforeEscalation: z.number().int().min(0).max(10).default(1),
    /** Severities whose IC is prompted to staff a Communications Lead and an Operations Lead. */
    promptLeadsFor: z.array(severitySchema).max(4).default(['SEV-1', 'SEV-2']),
    /** People who may do whatever a rule allows an admin (by the name commands carry as `--by`, or the token's). */
    admins: z.array(actorSchema).max(50).default([]),
    /** Runbook 000's "containment under IC authority": starting and finishing mitigations needs the IC or an admin. */
    mitigationsUnderCommanderAuthority: z.boolean().default(false),
    /** Per command, who may run it; overrides the defaults (severity, resolve, close, confirm-breach: IC or admin). */
    permissions: z.partialRecord(z.enum(GUARDED_COMMANDS), z.array(whoSchema).min(1).max(8)).default({}),
  }),
);
export type RolesPolicy = z.output<typeof rolesPolicySchema>;

/** The rule a command runs under: the policy's own, else the defaults. */
export function ruleFor(roles: RolesPolicy, command: GuardedCommand): readonly Who[] {
  const configured = roles.permissions[command];
  if (configured) return configured;
  if (roles.mitigationsUnderCommanderAuthority && MITIGATION_COMMANDS.includes(command)) return COMMANDER_OR_ADMIN;
  return DEFAULT_RULES[command] ?? ['anyone'];
}

/**
 * Why `by` may not run `command` under the policy, or null when they may. A rule naming only roles nobody holds yet
 * (no IC so far) admits anyone until someone does: refusing would leave nobody able to act, and the take-command
 * reminder keeps that window short. Incidents declared before roles carried rules (no `roles`) refuse nothing.
 */
export function permissionRefusal(
  roles: RolesPolicy | undefined,
  staffed: Partial<Record<Role, string>>,
  command: Command,
  by: string,
): string | null {
  if (roles?.permissions === undefined || !isGuarded(command)) return null;
  const rule = ruleFor(roles, command);
  if (rule.includes('anyone') || (rule.includes('admin') && roles.admins.includes(by))) return null;
  const ruleRoles = rule.filter((who): who is Role => who !== 'admin' && who !== 'anyone');
  const holders = ruleRoles.map((role) => staffed[role]).filter((name) => name !== undefined);
  if (holders.includes(by) || (ruleRoles.length > 0 && holders.length === 0)) return null;
  const whom = rule.map((who) =>
    who === 'admin'
      ? `an admin (${roles.admins.length > 0 ? roles.admins.join(', ') : 'none configured'})`
      : `the ${ROLE_TITLES[who as Role]} (${staffed[who as Role] ?? 'unassigned'})`,
  );
  const what = command.replace(/[A-Z]/g, (letter) => ` ${letter.toLowerCase()}`);
  return `by: ${by} may not ${what}: policy roles.permissions.${command} allows ${whom.join(' or ')}`;
}

function isGuarded(command: Command): command is GuardedCommand {
  return (GUARDED_COMMANDS as readonly string[]).includes(command);
}
