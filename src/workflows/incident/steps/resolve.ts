import { hasPatch } from '../release';
import type { SmokeTestReport } from '../../../activities/types';
import { firingAlerts, firingAlertsBlockResolve } from '../../../domain/alerts';
import { IncidentErrorType } from '../../../domain/errors';
import { closeSchema, reopenSchema, resolveSchema } from '../../../domain/inputs';
import { rejectionReason } from '../../../domain/lifecycle';
import { resolutionFacts, withPostmortemDraft } from '../../../domain/message-facts';
import { announcedHeadline, plainMessage, postIncidentSummary } from '../../../domain/templates';
import { documents } from '../activity-profiles';
import { rootMessage } from '../deliveries';
import { closeUpdate, reopenUpdate, resolveUpdate } from '../../definitions';
import { onCommand, type DeclaredIncident } from '../commands';
import { annotateResolution } from './diagnose';
import { nextStepRef } from '../recorder';
import type { Incident } from '../incident';
import { refuseWhileVerifying, runSmokeTests } from './verify';

/** Resolve and close (runbook 000 §6–7): verify recovery, tell everyone, draft the postmortem, close. */
export function registerResolutionHandlers(declared: DeclaredIncident): void {
  onCommand(
    declared,
    resolveUpdate,
    'resolve',
    resolveSchema,
    (incident, { by, summary, overrideFiringAlerts, unverified }) =>
      resolveAfterVerification(incident, by, summary, overrideFiringAlerts, unverified),
    {
      exclusive: true,
      guard: (incident, { overrideFiringAlerts, unverified, by }) => {
        refuseWhileVerifying(incident);
        const commander = incident.state.roles.commander;
        if (unverified !== undefined && commander !== by) {
          const who = commander ? `the Incident Commander (${commander})` : 'an Incident Commander: assign one first';
          incident.reject(IncidentErrorType.IllegalTransition, `only ${who} may resolve unverified`);
        }
        const blocked = firingAlertsBlockResolve(incident.state.alerts, overrideFiringAlerts);
        if (blocked !== null) incident.reject(IncidentErrorType.IllegalTransition, blocked);
        const unverifiable = noChecksReason(incident);
        if (unverifiable !== null && unverified === undefined) {
          incident.reject(
            IncidentErrorType.IllegalTransition,
            `unverified: ${unverifiable}; the Incident Commander resolves it unverified, saying why: --unverified --reason "<why>" (API: "unverified": "<why>"; Slack: Resolve, "Resolve unverified" and a reason)`,
          );
        }
      },
    },
  );

  onCommand(
    declared,
    reopenUpdate,
    'reopen',
    reopenSchema,
    (incident, { reason, by }, at) => {
      const { state, recorder, notify } = incident;
      state.resolvedAt = null;
      state.statusClock = { since: at, promisedBy: null, reminded: false };
      incident.setStatus('mitigating');
      recorder.record('reopened', by, reason, undefined, at);
      notify.chat(plainMessage(state, 'note', `reopened by ${by}: ${reason}`));
    },
    { exclusive: true },
  );

  onCommand(
    declared,
    closeUpdate,
    'close',
    closeSchema,
    (incident, { by }, at) => {
      const { state, recorder, notify } = incident;
      state.closedAt = at;
      incident.setStatus('closed');
      recorder.record('closed', by, `closed by ${by}`, undefined, at);
      notify.chat(plainMessage(state, 'note', `incident closed by ${by}`));
      if (state.policy.chat.archiveOnClose) notify.archiveChannel();
    },
    { exclusive: true, guard: refuseCloseBeforeIntegrity },
  );
}

/** Nothing would verify the recovery (policy.smokeChecks, absent in incidents declared before it: no refusal). */
function noChecksReason(incident: Incident): string | null {
  const { policy, service } = incident.state;
  return policy.smokeChecks === 0 ? `${service} has no smoke checks, so nothing can verify its recovery` : null;
}

/** A data-loss incident stays open until a named person confirms the data is whole (checklists.ts). */
function refuseCloseBeforeIntegrity(incident: Incident): void {
  const { dataLoss, id } = incident.state;
  if (dataLoss && dataLoss.confirmedBy === null) {
    incident.reject(
      IncidentErrorType.IllegalTransition,
      `cannot close incident ${id}: data loss was declared and nobody has confirmed data integrity yet (incident confirm-integrity ${id} --by <name>)`,
    );
  }
}

/**
 * Runbook 004's resolution: the smoke tests, then resolved (with the summary, postmortem and pages closed) or, when
 * a check fails, back to mitigating. Called under the lifecycle lock, by a person or by the alerts clearing.
 */
async function resolveAfterVerification(
  incident: Incident,
  by: string,
  summary: string | undefined,
  overrideFiringAlerts?: string,
  unverified?: string,
): Promise<void> {
  const { state, recorder, notify } = incident;
  const firing = firingAlerts(state.alerts).length;
  incident.verifying = true;
  let report: SmokeTestReport;
  try {
    report = await runSmokeTests(incident);
  } finally {
    incident.verifying = false;
  }
  if (!report.passed && unverified === undefined) {
    incident.setStatus('mitigating');
    // Not a reopening: the incident was never resolved. Postmortems and metrics count the two apart.
    recorder.record('verification-failed', 'system', 'resolution refused: smoke tests failed', { requestedBy: by });
    notify.chat(plainMessage(state, 'verification', `resolution by ${by} refused: smoke tests failed`));
    return;
  }
  state.resolvedAt = Date.now();
  state.resolutionSummary = summary ?? null;
  incident.setStatus('resolved');
  const overridden = overrideFiringAlerts !== undefined && firing > 0;
  // Unverified stands on the timeline (and so in the postmortem) with what the checks said.
  const notVerified = unverified === undefined ? '' : ` (UNVERIFIED by ${by}: ${unverified}; ${verdict(report)})`;
  recorder.record(
    'resolved',
    by,
    `${summary ?? 'resolved after passing smoke tests'}${overridden ? ` (${firing} alerts still firing: ${overrideFiringAlerts})` : ''}${notVerified}`,
    overridden || unverified !== undefined
      ? {
          ...(overridden ? { overrideFiringAlerts, firingAlerts: firing } : {}),
          ...(unverified === undefined
            ? {}
            : { unverified, checksPassed: report.passed, checks: report.checks.length }),
        }
      : undefined,
  );
  let afterDraft: ((location: string | null) => Promise<void>) | undefined;
  if (notify.byAudience()) {
    const summaryFacts = resolutionFacts(state, 'post-incident-summary');
    // Since this patch a required postmortem's summary waits for its draft, so that it carries the draft's location.
    const drafted = incident.planned && postmortemDrafted(incident) && hasPatch(SUMMARY_WITH_DRAFT_PATCH);
    if (!drafted) void notify.chatTemplate('post-incident-summary', summaryFacts);
    notify.audiences(resolutionFacts(state, 'resolution'));
    if (!drafted) notify.audiences(summaryFacts);
    notify.announce(`${announcedHeadline(state)} resolved (incident ${state.id})`);
    if (drafted) {
      afterDraft = async (location) => {
        const facts = withPostmortemDraft(summaryFacts, location);
        // Awaited: a close that archives the channel meanwhile waits for the summary to land in it.
        const posted = notify.chatTemplate('post-incident-summary', facts);
        notify.audiences(facts);
        await posted;
      };
    }
  } else {
    const summaryMessage = postIncidentSummary(state);
    notify.chat(summaryMessage);
    if (state.policy.rules.stakeholderEmail !== 'none') notify.email(['stakeholders'], summaryMessage);
  }
  if (state.publicUpdates.length > 0) notify.statusPage('resolved');
  incident.closePages('resolve');
  annotateResolution(incident);
  writePostmortem(incident, by, afterDraft);
}

/**
 * Incidents resolved since this patch send the post-incident summary once the postmortem draft is written (or could
 * not be), with its location; before, it went out at resolution saying only when the postmortem was due.
 */
export const SUMMARY_WITH_DRAFT_PATCH = 'summary-with-draft-v1';

/** Whether resolving drafts a postmortem (writePostmortem): required by the severity, and no drill. */
function postmortemDrafted({ state }: Incident): boolean {
  return Boolean(state.policy.rules.postmortem?.required) && state.resolvedAt !== null && !state.drill;
}

function verdict(report: SmokeTestReport): string {
  if (report.checks.length === 0) return 'no checks configured';
  const failed = report.checks.filter((c) => !c.passed).length;
  return failed === 0 ? 'checks passed' : `${failed} of ${report.checks.length} checks failed`;
}

/**
 * The policy's `onAllResolved: resolve`: every alert cleared, so verify and resolve as `alert:<source>`, under the
 * lifecycle lock like a person's resolve. What the lifecycle would refuse a person (an incident nobody acknowledged,
 * a verification already running, an alert that fired again meanwhile) it refuses here too, and tells the channel.
 */
export async function resolveWhenAlertsClear(incident: Incident, actor: string): Promise<void> {
  const { state, recorder, notify } = incident;
  const why =
    rejectionReason(state, 'resolve') ??
    noChecksReason(incident) ??
    (incident.verifying ? 'smoke tests are already running' : null) ??
    (firingAlerts(state.alerts).length > 0 ? 'an alert fired again' : null);
  if (why === null) return resolveAfterVerification(incident, actor, 'all alerts resolved');
  recorder.record('note', 'system', `all alerts resolved, but not resolved automatically: ${why}`);
  notify.chat(plainMessage(state, 'note', `all alerts resolved; not resolved automatically: ${why}`));
}

/**
 * A required postmortem is drafted from the timeline at resolution, due per policy (48 h for SEV-1/2). `afterDraft`
 * is given the draft's location, or null when it could not be written.
 */
function writePostmortem(
  incident: Incident,
  resolvedBy: string,
  afterDraft?: (location: string | null) => Promise<void>,
): void {
  const { state, recorder, notify } = incident;
  const rules = state.policy.rules.postmortem;
  if (!rules?.required || state.resolvedAt === null) return;
  if (state.drill && hasPatch(DRILL_WITHOUT_POSTMORTEM_PATCH)) {
    // The drill report is a drill's record; a postmortem would remind and escalate to real managers for 48 h.
    recorder.record('postmortem', 'system', 'drill: no postmortem, the drill report is its record');
    return;
  }
  const dueAt = state.resolvedAt + rules.due;
  if (incident.planned && hasPatch(POSTMORTEM_WORKFLOW_PATCH)) {
    return startPostmortem(incident, resolvedBy, dueAt, afterDraft);
  }
  // The activity reads the incident by query: the whole timeline never becomes an activity input in history.
  // Incidents started before the patch still pass a copy, as they did.
  const snapshot = incident.planned ? {} : { incident: JSON.parse(JSON.stringify(state)) as typeof state };
  notify.background('postmortem', async (ref) => {
    const receipt = await documents.createPostmortem({ ...ref, ...snapshot, dueAt });
    recorder.record('postmortem', 'system', `postmortem draft: ${receipt.location}`, {
      location: receipt.location,
      dueAt: new Date(dueAt).toISOString(),
    });
  });
}

/** Drills resolved since this patch start no postmortem workflow (before it, they did, with reminders). */
export const DRILL_WITHOUT_POSTMORTEM_PATCH = 'drill-without-postmortem-v1';

/** Incidents closed since this patch write their record to the archive, which outlives Temporal's retention. */
export const ARCHIVE_ON_CLOSE_PATCH = 'archive-on-close-v1';

/** Writes the closed incident's record once everything else it sent has landed; a failure is recorded, not raised. */
export async function archiveClosedIncident(incident: Incident): Promise<void> {
  const { recorder } = incident;
  try {
    const receipt = await documents.archiveIncident(nextStepRef(incident.state, 'archive-record'));
    recorder.record('note', 'system', `incident record archived: ${receipt.destination}`, {
      archive: receipt.destination,
    });
  } catch (error) {
    incident.notify.recordFailed('archive', rootMessage(error));
  }
}

/** Incidents resolved since this patch hand their postmortem to its own workflow, which holds its deadlines. */
export const POSTMORTEM_WORKFLOW_PATCH = 'postmortem-workflow-v1';

/** Drafts the postmortem and starts (or, when reopened and resolved again, finds) its workflow, owned by the IC. */
function startPostmortem(
  incident: Incident,
  resolvedBy: string,
  dueAt: number,
  afterDraft?: (location: string | null) => Promise<void>,
): void {
  const { state, recorder, notify } = incident;
  const owner = state.roles.commander ?? resolvedBy;
  notify.background('postmortem', async (ref) => {
    let started;
    try {
      const inSummary = afterDraft ? { inSummary: true } : {};
      started = await documents.startPostmortem({ ...ref, owner, dueAt, ...inSummary });
    } finally {
      // Sent either way: a draft that could not be written never holds back the summary. (No await without one: an
      // older incident's replay takes the same steps.)
      if (afterDraft) await afterDraft(started?.location ?? null);
    }
    const { location, workflowId } = started;
    recorder.record(
      'postmortem',
      'system',
      `postmortem draft: ${location} (owner ${owner}, tracked by ${workflowId})`,
      {
        location,
        dueAt: new Date(dueAt).toISOString(),
        workflowId,
      },
    );
  });
}
