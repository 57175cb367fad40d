import type { SmokeTestReport } from '../activities/types';
import { IncidentErrorType } from '../domain/errors';
import type { Mitigation } from '../domain/incident';
import {
  closeSchema,
  finishMitigationSchema,
  reopenSchema,
  resolveSchema,
  startMitigationSchema,
} from '../domain/inputs';
import { plainMessage, postIncidentSummary } from '../domain/templates';
import { documents, remediation, verification } from './activity-profiles';
import { closeUpdate, finishMitigationUpdate, reopenUpdate, resolveUpdate, startMitigationUpdate } from './definitions';
import { onCommand, type IncidentSlot } from './commands';
import type { Incident } from './incident-entity';
import { nextStepRef } from './recorder';

/** Mitigate, verify, resolve, reopen, close: the second half of the runbook. */
export function registerResolutionHandlers(slot: IncidentSlot): void {
  onCommand(slot, startMitigationUpdate, 'startMitigation', startMitigationSchema, (incident, { action, kind, by }) => {
    const { state, recorder, notify } = incident;
    const id = `m${state.mitigations.length + 1}`;
    state.mitigations.push({ id, action, kind, startedBy: by, startedAt: Date.now() });
    incident.setStatus('mitigating');
    recorder.record('mitigation-started', by, `${id}: ${action}`, { mitigationId: id, kind });
    notify.chat(plainMessage(state, 'mitigation', `mitigation ${id} started by ${by}: ${action}`));
    return incident.view();
  });

  onCommand(
    slot,
    finishMitigationUpdate,
    'finishMitigation',
    finishMitigationSchema,
    async (incident, { actionId, outcome, by }) => {
      const { state, recorder, notify } = incident;
      const mitigation = findMitigation(incident, actionId);
      mitigation.finishedAt = Date.now();
      mitigation.outcome = outcome;
      recorder.record('mitigation-finished', by, `${actionId} ${outcome}: ${mitigation.action}`, {
        mitigationId: actionId,
        outcome,
      });
      if (outcome === 'succeeded') {
        incident.setStatus('monitoring');
        notify.chat(plainMessage(state, 'mitigation', `mitigation ${actionId} succeeded; monitoring`));
        return incident.view();
      }
      // The runbook: if mitigation fails, roll back and re-check health.
      incident.verifying = true;
      try {
        const rollback = await remediation.runRollback({
          ...nextStepRef(state, 'rollback'),
          service: state.service,
          mitigationId: actionId,
          action: mitigation.action,
        });
        recorder.record('rollback', 'system', rollback.detail, {
          succeeded: rollback.succeeded,
          mitigationId: actionId,
        });
        const report = await runSmokeTests(incident);
        incident.setStatus(report.passed && rollback.succeeded ? 'monitoring' : 'mitigating');
        const outcomeText = `rollback ${rollback.succeeded ? 'done' : 'failed'}; smoke tests ${report.passed ? 'passed' : 'failed'}`;
        notify.chat(plainMessage(state, 'verification', outcomeText));
      } finally {
        incident.verifying = false;
      }
      return incident.view();
    },
    (incident, { actionId }) => {
      const mitigation = findMitigation(incident, actionId);
      if (mitigation.outcome) {
        incident.reject(IncidentErrorType.IllegalTransition, `mitigation ${actionId} already ${mitigation.outcome}`);
      }
      refuseWhileVerifying(incident);
    },
  );

  onCommand(
    slot,
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
        return incident.view();
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
      return incident.view();
    },
    refuseWhileVerifying,
  );

  onCommand(slot, reopenUpdate, 'reopen', reopenSchema, (incident, { reason, by }) => {
    const { state, recorder, notify } = incident;
    state.resolvedAt = null;
    state.statusClock = { since: Date.now(), promisedBy: null, reminded: false };
    incident.setStatus('mitigating');
    recorder.record('reopened', by, reason);
    notify.chat(plainMessage(state, 'note', `reopened by ${by}: ${reason}`));
    return incident.view();
  });

  onCommand(slot, closeUpdate, 'close', closeSchema, (incident, { by }) => {
    const { state, recorder, notify } = incident;
    state.closedAt = Date.now();
    incident.setStatus('closed');
    recorder.record('closed', by, `closed by ${by}`);
    notify.chat(plainMessage(state, 'note', `incident closed by ${by}`));
    if (state.policy.chat.archiveOnClose) notify.archiveChannel();
    return incident.view();
  });
}

function findMitigation(incident: Incident, actionId: string): Mitigation {
  const mitigation = incident.state.mitigations.find((m) => m.id === actionId);
  if (!mitigation) {
    incident.reject(IncidentErrorType.UnknownMitigation, `no mitigation ${actionId} in incident ${incident.state.id}`);
  }
  return mitigation;
}

/** A required postmortem is drafted from the timeline at resolution, due per policy (48 h for SEV-1/2). */
function writePostmortem(incident: Incident): void {
  const { state, recorder, notify } = incident;
  const rules = state.policy.rules.postmortem;
  if (!rules?.required || state.resolvedAt === null) return;
  const dueAt = state.resolvedAt + rules.due;
  // A copy: the activity input is serialized later, after other handlers may have moved the state on.
  const snapshot = JSON.parse(JSON.stringify(state)) as typeof state;
  notify.background('postmortem', async (ref) => {
    const receipt = await documents.createPostmortem({ ...ref, incident: snapshot, dueAt });
    recorder.record('postmortem', 'system', `postmortem draft: ${receipt.location}`, {
      location: receipt.location,
      dueAt: new Date(dueAt).toISOString(),
    });
  });
}

async function runSmokeTests(incident: Incident): Promise<SmokeTestReport> {
  const { state, recorder } = incident;
  const report = await verification.runSmokeTests({ ...nextStepRef(state, 'smoke'), service: state.service });
  const detail =
    report.checks.length === 0
      ? `no smoke checks configured for ${state.service}: recovery not verified by checks`
      : report.checks
          .map((c) => `${c.name} ${c.passed ? 'passed' : 'FAILED'} (${c.latencyMs} ms, ${c.reason})`)
          .join('; ');
  recorder.record('smoke-tests', 'system', detail, {
    passed: report.passed,
    checks: report.checks.length,
    failed: report.checks.filter((c) => !c.passed).length,
  });
  return report;
}

function refuseWhileVerifying(incident: Incident): void {
  if (incident.verifying) {
    incident.reject(IncidentErrorType.VerificationInProgress, 'smoke tests are already running for this incident');
  }
}
