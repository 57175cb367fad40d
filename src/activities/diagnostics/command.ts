import { execFile } from 'node:child_process';
import type { RollbackEnvironment } from '../../config/rollback';
import type { CommandDiagnostic } from '../../domain/policy/diagnostics';

/** What is kept of each stream: the artifact holds it, so a chatty script cannot fill the disk or the worker. */
const MAX_OUTPUT_BYTES = 256 * 1024;

export interface CommandSnapshot {
  argv: string[];
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
  stdout: string;
  stderr: string;
  error: string | null;
}

/**
 * Runs the team's own diagnostics script (runbook 003: collect-diagnostics.sh): argv, no shell. It sees PATH, the
 * incident's own variables and the variables its policy lists; no other worker secret (Slack token, SMTP password).
 * A script that fails or runs too long is reported as such; its output goes to the artifact, never to history.
 */
export function runCommandDiagnostic(
  command: CommandDiagnostic,
  incident: { incidentId: string; service: string; severity: string },
  worker: RollbackEnvironment,
): Promise<CommandSnapshot> {
  const env: Record<string, string> = {
    INCIDENT_ID: incident.incidentId,
    INCIDENT_SERVICE: incident.service,
    INCIDENT_SEVERITY: incident.severity,
  };
  for (const name of ['PATH', ...command.env]) {
    const value = worker[name];
    if (value !== undefined) env[name] = value;
  }
  const [file, ...args] = command.argv as [string, ...string[]];
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { env, timeout: command.timeout, maxBuffer: MAX_OUTPUT_BYTES, killSignal: 'SIGKILL', windowsHide: true },
      (error, stdout, stderr) => {
        const failure = error as (Error & { code?: unknown; killed?: boolean; signal?: string | null }) | null;
        const durationMs = Math.round(performance.now() - started);
        const timedOut = failure?.killed === true && durationMs >= command.timeout;
        const exitCode = failure === null ? 0 : typeof failure.code === 'number' ? failure.code : null;
        const why = timedOut
          ? `timed out after ${command.timeout} ms`
          : failure === null
            ? null
            : exitCode !== null
              ? `exited ${exitCode}`
              : failure.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER'
                ? `output past ${MAX_OUTPUT_BYTES} bytes: stopped`
                : `could not run ${file}: ${typeof failure.code === 'string' ? failure.code : failure.message}`;
        resolve({
          argv: command.argv,
          exitCode,
          timedOut,
          durationMs,
          stdout: String(stdout),
          stderr: String(stderr),
          error: why,
        });
      },
    );
  });
}
