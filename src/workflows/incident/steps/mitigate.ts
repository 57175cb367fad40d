import { ActivityFailure } from '@temporalio/workflow';
import { hasPatch } from '../release';
import type { ActionPlan, ActionResult } from '../../../activities/types';
import { IncidentErrorType } from '../../../domain/errors';
import type { Mitigation, MitigationKind } from '../../../domain/incident';
import { finishMitigationSchema, pageSchema, rollbackSchema, startMitigationSchema } from '../../../domain/inputs';
import { plainMessage } from '../../../domain/templates';
import { lookups, remediation } from '../activity-profiles';
import { onCommand, type DeclaredIncident } from '../commands';
import { diagnoseAfterMitigation } from './diagnose';
import { finishMitigationUpdate, pageUpdate, rollbackUpdate, startMitigationUpdate } from '../../definitions';
import type { Incident } from '../incident';
import { nextStepRef } from '../recorder';
import { refuseWhileVerifying, runSmokeTests } from './verify';

/** Incidents from before it re-ran the service's rollback when a rollback was reported failed. */
const FAILED_ROLLBACK_ESCALATES = 'failed-rollback-escalates-to-commander';

/**
 * Mitigate (runbook 000 §5): record what is tried; an action named in the policy runs as a saga (runSaga); a
 * mitigation reported failed rolls back and checks health again, except a failed rollback, which goes to the IC.
 */
export function registerMitigationHandlers(declared: DeclaredIncident): void {
  onCommand(
    declared,
    startMitigationUpdate,
    'startMitigation',
    startMitigationSchema,
    async (incident, { action, kind, run, by }, at) => {
      // Described in words only: recorded, and the responder reports how it went (no activity, as before).
      if (run === undefined) return void begin(incident, action ?? '', kind, by, at);
      const plan = await planAction(incident, run);
      const mitigation = begin(incident, action ?? `run ${run}`, run === 'rollback' ? 'rollback' : kind, by, at, run);
      await runSaga(incident, mitigation, plan);
    },
    { exclusive: true },
  );

  onCommand(
    declared,
    rollbackUpdate,
    'startMitigation',
    rollbackSchema,
    async (incident, { by, reason }, at) => {
      const plan = await planAction(incident, 'rollback');
      const what = `roll back ${incident.state.service}${reason ? `: ${reason}` : ''}`;
      await runSaga(incident, begin(incident, what, 'rollback', by, at, 'rollback'), plan);
    },
    { exclusive: true, guard: refuseWhileVerifying },
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
      diagnoseAfterMitigation(incident, mitigation);
      if (outcome === 'succeeded') {
        incident.setStatus('monitoring');
        notify.chat(plainMessage(state, 'mitigation', `mitigation ${actionId} succeeded; monitoring`));
        return;
      }
      // A rollback that failed is not run again: the Incident Commander decides what comes next.
      if (mitigation.kind === 'rollback' && hasPatch(FAILED_ROLLBACK_ESCALATES)) {
        incident.setStatus('mitigating');
        escalateToCommander(incident, `rollback ${actionId} failed (${mitigation.action})`);
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

/**
 * The runbook's order for an action that runs (runbook 000 §5): it is recorded (begin), run, verified with the smoke
 * tests; when it or its verification fails, its undo (by default the service's rollback) runs and is verified again.
 * Each step is on the timeline; what is still broken at the end goes to the Incident Commander.
 */
async function runSaga(incident: Incident, mitigation: Mitigation, plan: FoundPlan): Promise<void> {
  const { state, notify } = incident;
  incident.verifying = true;
  try {
    const ran = await runStep(incident, mitigation, plan.action, 'run');
    const passed = ran.succeeded && (await runSmokeTests(incident)).passed;
    let recovered = passed;
    if (!passed && plan.undo !== null) {
      const undone = await runStep(incident, mitigation, plan.undo, 'undo');
      recovered = undone.succeeded && (await runSmokeTests(incident)).passed;
    }
    const outcome = passed ? 'succeeded' : 'failed';
    mitigation.finishedAt = Date.now();
    mitigation.outcome = outcome;
    const after = passed
      ? ''
      : plan.undo === null
        ? '; no undo'
        : `; undo ${plan.undo} ${recovered ? 'restored health' : 'did not restore health'}`;
    incident.recorder.record(
      'mitigation-finished',
      'system',
      `${mitigation.id} ${outcome}: ${mitigation.action}${after}`,
      {
        mitigationId: mitigation.id,
        outcome,
      },
    );
    diagnoseAfterMitigation(incident, mitigation);
    incident.setStatus(recovered ? 'monitoring' : 'mitigating');
    notify.chat(
      plainMessage(
        state,
        'mitigation',
        `mitigation ${mitigation.id} ${outcome}${after}${recovered ? '; monitoring' : ''}`,
      ),
    );
    if (!recovered) escalateToCommander(incident, `mitigation ${mitigation.id} (${plan.action}) failed${after}`);
  } finally {
    incident.verifying = false;
  }
}

/** One step of the saga, with a key per incident step: a retried activity (a worker crash) sends the same key. */
async function runStep(incident: Incident, mitigation: Mitigation, action: string, step: 'run' | 'undo') {
  const { state, recorder } = incident;
  const ref = nextStepRef(state, `${step}-${action}`);
  let result: ActionResult;
  try {
    result = await remediation.runAction({ ...ref, service: state.service, action, mitigationId: mitigation.id });
  } catch (error) {
    const detail = error instanceof ActivityFailure && error.cause ? error.cause.message : String(error);
    result = { succeeded: false, detail: `gave up: ${detail}`, idempotent: false, attempt: 0 };
  }
  const caveat = result.idempotent
    ? result.attempt > 1
      ? `; attempt ${result.attempt}, deduplicated by the target with key ${ref.key}`
      : ''
    : result.attempt > 1
      ? `; attempt ${result.attempt}: a command has no key its target honours, so it may have run more than once`
      : '; not idempotent: a command cannot be deduplicated if the worker dies while it runs';
  recorder.record(
    'action-run',
    'system',
    `${mitigation.id} ${step} ${action}: ${result.succeeded ? 'succeeded' : 'FAILED'} (${result.detail})${caveat}`,
    { mitigationId: mitigation.id, action, step, succeeded: result.succeeded, attempt: result.attempt },
  );
  return result;
}

type FoundPlan = Extract<ActionPlan, { found: true }>;

async function planAction(incident: Incident, action: string): Promise<FoundPlan> {
  const { service } = incident.state;
  const plan = await lookups.planAction({ service, action });
  if (!plan.found) {
    const configured = plan.configured.length > 0 ? plan.configured.join(', ') : 'none';
    incident.reject(
      IncidentErrorType.InvalidInput,
      `run: service ${service} has no action ${action} (configured: ${configured})`,
    );
  }
  return plan;
}

function begin(
  incident: Incident,
  action: string,
  kind: MitigationKind,
  by: string,
  at: number,
  run?: string,
): Mitigation {
  const { state, recorder, notify } = incident;
  const id = `m${state.mitigations.length + 1}`;
  const mitigation: Mitigation = { id, action, kind, startedBy: by, startedAt: at };
  state.mitigations.push(mitigation);
  incident.setStatus('mitigating');
  recorder.record(
    'mitigation-started',
    by,
    `${id}: ${action}`,
    { mitigationId: id, kind, ...(run ? { run } : {}) },
    at,
  );
  notify.chat(plainMessage(state, 'mitigation', `mitigation ${id} started by ${by}: ${action}`));
  return mitigation;
}

/** What the saga or a responder could not fix goes to the Incident Commander (or whoever must take command). */
function escalateToCommander(incident: Incident, what: string): void {
  const { state, recorder, notify } = incident;
  const commander = state.roles.commander;
  const to = commander ? `the Incident Commander ${commander}` : 'the on-call: nobody has taken command';
  recorder.record('escalation', 'system', `${what}: escalated to ${to}`, { to: commander ?? 'primary-oncall' });
  notify.chat(
    plainMessage(state, 'escalation', `${what}. ${commander ?? 'On-call'}: decide the next step`),
    commander ? [commander] : undefined,
  );
}

/**
 * Pages any target the policy names, on demand (runbook 004: the authority to page secondary or another on-call),
 * with the ladder's provider and fallback (chat and email when paging fails). An unknown target is refused.
 */
export function registerOnDemandPage(declared: DeclaredIncident): void {
  onCommand(declared, pageUpdate, 'page', pageSchema, async (incident, { target, reason, by }, at) => {
    const targets = await lookups.listPageTargets();
    if (!targets.includes(target)) {
      incident.reject(
        IncidentErrorType.InvalidInput,
        `target: ${target} is not in the policy (known: ${targets.join(', ')})`,
      );
    }
    incident.trigger(target, 'manual', 0);
    incident.recorder.record(
      'escalation',
      by,
      `${by} paged ${target}: ${reason}`,
      { level: 0, reason: 'manual', target },
      at,
    );
  });
}

function findMitigation(incident: Incident, actionId: string): Mitigation {
  const mitigation = incident.state.mitigations.find((m) => m.id === actionId);
  if (!mitigation) {
    incident.reject(IncidentErrorType.UnknownMitigation, `no mitigation ${actionId} in incident ${incident.state.id}`);
  }
  return mitigation;
}
