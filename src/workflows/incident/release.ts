import { patched } from '@temporalio/workflow';

/**
 * Every change to the incident workflow's command sequence ships behind a patch (README, "Shipping a change to the
 * workflow"). Each patch an incident passes costs it a marker and a `TemporalChangeVersion` upsert in history (and a
 * visibility write on the server): 19 of each by now, most of them in its first workflow task. An incident started
 * on this code records one marker instead, which stands for all the patches listed here: running, every one of them
 * is in effect anyway; replayed, that marker is in its first task. An incident started before has no such marker,
 * and the marker of the release it started on, or its own per-patch markers, answer as they always did.
 */
export const RELEASE_PATCH = 'incident-release-2026-12-02';

/** The release before: its marker stands for every patch listed here except those released since. */
const EARLIER_RELEASE_PATCH = 'incident-release-2026-12';
const RELEASED_SINCE_EARLIER: ReadonlySet<ReleasedPatch> = new Set<ReleasedPatch>(['channel-opening-v1']);

type ReleasedPatch =
  | 'planned-deadlines-v2'
  | 'commands-after-results-v1'
  | 'declaration-with-channel-v1'
  | 'status-page-queue-v1'
  | 'audiences-v1'
  | 'public-update-template-v1'
  | 'diagnostics-v1'
  | 'stakeholder-updates-v1'
  | 'notes-in-channel-v1'
  | 'role-prompts-v1'
  | 'failed-rollback-escalates-to-commander'
  | 'declaration-checked-by-worker-v1'
  | 'summary-with-draft-v1'
  | 'drill-without-postmortem-v1'
  | 'archive-on-close-v1'
  | 'postmortem-workflow-v1'
  | 'data-loss-v1'
  | 'security-checklist-v1'
  | 'channel-opening-v1';

/**
 * Whether the incident runs code with this patch. Only the patches released with RELEASE_PATCH qualify: a later
 * one must be asked with `patched()` itself, since an incident started on this release did not have it.
 */
export function hasPatch(patchId: ReleasedPatch): boolean {
  return (
    patched(RELEASE_PATCH) ||
    (!RELEASED_SINCE_EARLIER.has(patchId) && patched(EARLIER_RELEASE_PATCH)) ||
    patched(patchId)
  );
}
