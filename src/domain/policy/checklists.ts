import { z } from 'zod';
import { lazySchema } from '../lazy-schema';
import { actorSchema, policyKeySchema, singleLine } from '../text';

/**
 * The runbooks' special paths, as written in the policy under `dataLoss` and `security`: the checklist each posts in
 * the channel (items ticked off with `incident check`), and for data loss who is told and who may confirm integrity.
 */
const itemSchema = lazySchema(() => z.strictObject({ id: policyKeySchema, text: singleLine(300) }));
export type ChecklistItemText = z.output<typeof itemSchema>;

const checklistSchema = lazySchema(() =>
  z
    .array(itemSchema)
    .min(1, 'list at least one item')
    .max(20, 'at most 20 items')
    .refine((items) => new Set(items.map((i) => i.id)).size === items.length, 'an item id is listed twice'),
);

/** Runbook 004 (stabilize): stop the damage spreading, and keep what is left before anyone repairs it. */
export const DEFAULT_DATA_LOSS_CHECKLIST: ChecklistItemText[] = [
  { id: 'pause-consumers', text: 'Pause the consumers and writers that touch the affected data' },
  { id: 'snapshot-before-restore', text: 'Snapshot the current data before any restore or repair' },
  { id: 'scope-affected-data', text: 'Identify the affected records, tenants and time window' },
];

/** Runbook 004 (credential leak, unauthorized access). */
export const DEFAULT_SECURITY_CHECKLIST: ChecklistItemText[] = [
  { id: 'rotate-credentials', text: 'Rotate the leaked or exposed credentials (keys, tokens, passwords)' },
  { id: 'revoke-access', text: 'Revoke unauthorized sessions and access' },
  { id: 'preserve-evidence', text: 'Preserve evidence (logs, snapshots, access records) before any cleanup' },
];

export const dataLossPolicySchema = lazySchema(() =>
  z.strictObject({
    /** Contacts told at declaration (email and a chat mention), by contact name. */
    owners: z.array(policyKeySchema).max(20).default(['data-owners']),
    /** Who may confirm data integrity; empty means any named person (the `--by` is recorded). */
    confirmers: z.array(actorSchema).max(50).default([]),
    checklist: checklistSchema.default(DEFAULT_DATA_LOSS_CHECKLIST),
  }),
);
export type DataLossPolicy = z.output<typeof dataLossPolicySchema>;

export const securityPolicySchema = lazySchema(() =>
  z.strictObject({
    checklist: checklistSchema.default(DEFAULT_SECURITY_CHECKLIST),
  }),
);
export type SecurityPolicy = z.output<typeof securityPolicySchema>;
