import { IncidentErrorType } from '../../domain/errors';
import type { Mitigation } from '../../domain/incident';
import { finishMitigationSchema, startMitigationSchema } from '../../domain/inputs';
import { plainMessage } from '../../domain/templates';
import { remediation } from './activity-profiles';
import { onCommand, type DeclaredIncident } from './commands';
import { finishMitigationUpdate, startMitigationUpdate } from '../definitions';
import type { Incident } from './incident';
import { nextStepRef } from './recorder';
import { refuseWhileVerifying, runSmokeTests } from './verify';

/** Mitigate (runbook 000 §5): record what is tried; when it fails, roll back and check health again. */
export function registerMitigationHandlers(declared: DeclaredIncident): void {
  onCommand(
    declared,
    startMitigationUpdate,
    'startMitigation',
    startMitigationSchema,
    (incident, { action, kind, by }, at) => {
      const { state, recorder, notify } = incident;
      const id = `m${state.mitigations.length + 1}`;
      state.mitigations.push({ id, action, kind, startedBy: by, startedAt: at });
      incident.setStatus('mitigating');
      recorder.record('mitigation-started', by, `${id}: ${action}`, { mitigationId: id, kind }, at);
      notify.chat(plainMessage(state, 'mitigation', `mitigation ${id} started by ${by}: ${action}`));
    },
    { exclusive: true },
  );

  onCommand(
    declared,
    finishMitigationUpdate,
    'finishMitigation',
    finishMitigationSchema,
    async (incident, { actionId, outcome, by }, at) => {
      const { state, recorder, notify } = incident;
      const mitigation = findMitigation(incident, actionId);
      mitigation.finishedAt = at;
      mitigation.outcome = outcome;
      recorder.record(
        'mitigation-finished',
        by,
        `${actionId} ${outcome}: ${mitigation.action}`,
        { mitigationId: actionId, outcome },
        at,
      );
      if (outcome === 'succeeded') {
        incident.setStatus('monitoring');
        notify.chat(plainMessage(state, 'mitigation', `mitigation ${actionId} succeeded; monitoring`));
        return;
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
    },
    {
      exclusive: true,
      guard: (incident, { actionId }) => {
        const mitigation = findMitigation(incident, actionId);
        if (mitigation.outcome) {
          incident.reject(IncidentErrorType.IllegalTransition, `mitigation ${actionId} already ${mitigation.outcome}`);
        }
        refuseWhileVerifying(incident);
      },
    },
  );
}

function findMitigation(incident: Incident, actionId: string): Mitigation {
  const mitigation = incident.state.mitigations.find((m) => m.id === actionId);
  if (!mitigation) {
    incident.reject(IncidentErrorType.UnknownMitigation, `no mitigation ${actionId} in incident ${incident.state.id}`);
  }
  return mitigation;
}
