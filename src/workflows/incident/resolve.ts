import type { SmokeTestReport } from '../../activities/types';
import { closeSchema, reopenSchema, resolveSchema } from '../../domain/inputs';
import { plainMessage, postIncidentSummary } from '../../domain/templates';
import { documents } from './activity-profiles';
import { closeUpdate, reopenUpdate, resolveUpdate } from '../definitions';
import { onCommand, type DeclaredIncident } from './commands';
import type { Incident } from './incident';
import { refuseWhileVerifying, runSmokeTests } from './verify';

/** Resolve and close (runbook 000 §6–7): verify recovery, tell everyone, draft the postmortem, close. */
export function registerResolutionHandlers(declared: DeclaredIncident): void {
  onCommand(
    declared,
    resolveUpdate,
    'resolve',
    resolveSchema,
    async (incident, { by, summary }) => {
      const { state, recorder, notify } = incident;
      incident.verifying = true;
      let report: SmokeTestReport;
      try {
        report = await runSmokeTests(incident);
      } finally {
        incident.verifying = false;
      }
      if (!report.passed) {
        incident.setStatus('mitigating');
        recorder.record('reopened', 'system', 'resolution refused: smoke tests failed', { requestedBy: by });
        notify.chat(plainMessage(state, 'verification', `resolution by ${by} refused: smoke tests failed`));
        return;
      }
      state.resolvedAt = Date.now();
      state.resolutionSummary = summary ?? null;
      incident.setStatus('resolved');
      recorder.record('resolved', by, summary ?? 'resolved after passing smoke tests');
      const summaryMessage = postIncidentSummary(state);
      notify.chat(summaryMessage);
      if (state.policy.rules.stakeholderEmail !== 'none') notify.email(['stakeholders'], summaryMessage);
      if (state.publicUpdates.length > 0) notify.statusPage('resolved');
      incident.closePages('resolve');
      writePostmortem(incident);
    },
    { exclusive: true, guard: refuseWhileVerifying },
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
    { exclusive: true },
  );
}

/** A required postmortem is drafted from the timeline at resolution, due per policy (48 h for SEV-1/2). */
function writePostmortem(incident: Incident): void {
  const { state, recorder, notify } = incident;
  const rules = state.policy.rules.postmortem;
  if (!rules?.required || state.resolvedAt === null) return;
  const dueAt = state.resolvedAt + rules.due;
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
