import type { SmokeTestReport } from '../../../activities/types';
import { IncidentErrorType } from '../../../domain/errors';
import { verification } from '../activity-profiles';
import type { Incident } from '../incident';
import { nextStepRef } from '../recorder';

/** Verify (runbook 004): the service's smoke tests, summarised on the timeline. */
export async function runSmokeTests(incident: Incident): Promise<SmokeTestReport> {
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

/** A second verification is refused at once rather than queued behind the first (it would only repeat it). */
export function refuseWhileVerifying(incident: Incident): void {
  if (incident.verifying) {
    incident.reject(IncidentErrorType.VerificationInProgress, 'smoke tests are already running for this incident');
  }
}
