import { spawn } from 'node:child_process';
import path from 'node:path';

/** Runs the installed `incident` bin (the shim in bin/) as a separate process, the way people run it. */
export const INCIDENT_BIN = path.resolve(__dirname, '../../../bin/incident.cjs');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The caller's environment without any Temporal or incident settings, so only what a test sets applies. */
function cleanEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(TEMPORAL_|INCIDENT_)/.test(key)),
  );
  // An isolated config dir keeps a developer's temporal CLI profile from redirecting the client.
  return { ...inherited, TEMPORAL_CONFIG_FILE: path.join(__dirname, 'no-such-temporal.toml'), ...env };
}

export function runCli(args: readonly string[], env: Record<string, string>, timeoutMs = 60_000): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [INCIDENT_BIN, ...args], { env: cleanEnv(env), stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** For failing assertions: everything the process said. */
export function explain(run: CliRun): string {
  return `exit ${run.code}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;
}
