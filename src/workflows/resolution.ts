import { setHandler } from '@temporalio/workflow';
import type { SmokeTestReport } from '../activities/types';
import { IncidentErrorType } from '../domain/errors';
import {
  closeSchema,
  finishMitigationSchema,
  reopenSchema,
  resolveSchema,
  startMitigationSchema,
} from '../domain/inputs';
import { plainMessage, postIncidentSummary } from '../domain/templates';
import { remediation, verification } from './activity-profiles';
import { closeUpdate, finishMitigationUpdate, reopenUpdate, resolveUpdate, startMitigationUpdate } from './definitions';
import type { Incident } from './incident-entity';
import { nextStepRef } from './recorder';

/** Mitigate, verify, resolve, reopen, close: the second half of the runbook. */
export function registerResolutionHandlers(incident: Incident): void {
  const { state, recorder, notify } = incident;

  setHandler(
    startMitigationUpdate,
    (input) => {
      const { action, kind, by } = startMitigationSchema.parse(input);
      const id = `m${state.mitigations.length + 1}`;
      state.mitigations.push({ id, action, kind, startedBy: by, startedAt: Date.now() });
      incident.setStatus('mitigating');
      recorder.record('mitigation-started', by, `${id}: ${action}`, { mitigationId: id, kind });
      notify.chat(plainMessage(state, 'mitigation', `mitigation ${id} started by ${by}: ${action}`));
      return incident.view();
    },
    { validator: (input) => void incident.check('startMitigation', startMitigationSchema, input) },
  );

  setHandler(
    finishMitigationUpdate,
    async (input) => {
      const { actionId, outcome, by } = finishMitigationSchema.parse(input);
      const mitigation = state.mitigations.find((m) => m.id === actionId);
      if (!mitigation) throw new Error(`validated mitigation ${actionId} vanished`);
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
        notify.chat(
          plainMessage(
            state,
            'verification',
            `rollback ${rollback.succeeded ? 'done' : 'failed'}; smoke tests ${report.passed ? 'passed' : 'failed'}`,
          ),
        );
      } finally {
        incident.verifying = false;
      }
      return incident.view();
    },
    {
      validator: (input) => {
        const { actionId } = incident.check('finishMitigation', finishMitigationSchema, input);
        const mitigation = state.mitigations.find((m) => m.id === actionId);
        if (!mitigation)
          incident.reject(IncidentErrorType.UnknownMitigation, `no mitigation ${actionId} in incident ${state.id}`);
        if (mitigation.outcome)
          incident.reject(IncidentErrorType.IllegalTransition, `mitigation ${actionId} already ${mitigation.outcome}`);
        refuseWhileVerifying(incident);
      },
    },
  );

  setHandler(
    resolveUpdate,
    async (input) => {
      const { by, summary } = resolveSchema.parse(input);
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
      return incident.view();
    },
    {
      validator: (input) => {
        incident.check('resolve', resolveSchema, input);
        refuseWhileVerifying(incident);
      },
    },
  );

  setHandler(
    reopenUpdate,
    (input) => {
      const { reason, by } = reopenSchema.parse(input);
      state.resolvedAt = null;
      state.statusClock = { since: Date.now(), promisedBy: null, reminded: false };
      incident.setStatus('mitigating');
      recorder.record('reopened', by, reason);
      notify.chat(plainMessage(state, 'note', `reopened by ${by}: ${reason}`));
      return incident.view();
    },
    { validator: (input) => void incident.check('reopen', reopenSchema, input) },
  );

  setHandler(
    closeUpdate,
    (input) => {
      const { by } = closeSchema.parse(input);
      state.closedAt = Date.now();
      incident.setStatus('closed');
      recorder.record('closed', by, `closed by ${by}`);
      notify.chat(plainMessage(state, 'note', `incident closed by ${by}`));
      return incident.view();
    },
    { validator: (input) => void incident.check('close', closeSchema, input) },
  );
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
