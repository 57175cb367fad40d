import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { RollbackEnvironment } from '../../config/rollback';
import type { ServiceConfig } from '../../domain/policy';
import type { RollbackRunner } from '../providers';

const run = promisify(execFile);
const ROLLBACK_TIMEOUT_MS = 5 * 60_000;

/**
 * Runs the service's configured rollback: a command (argv, no shell, so incident text cannot inject) or a webhook.
 * The idempotency key travels with both so the deploy system can ignore a repeat. `baseEnv` is the worker's
 * environment as src/config reads it; the command sees only its PATH (credentials belong in `actions.rollback.env`).
 */
export function configuredRollback(
  services: Record<string, ServiceConfig>,
  baseEnv: RollbackEnvironment,
): RollbackRunner {
  return {
    async run(request) {
      const rollback = services[request.service]?.rollback;
      if (!rollback) return { succeeded: false, detail: `no rollback configured for service ${request.service}` };
      // PATH and the incident's variables only: a worker secret never reaches a rollback command (see actions.ts).
      const env = { PATH: baseEnv.PATH ?? '', INCIDENT_ID: request.incidentId, IDEMPOTENCY_KEY: request.key };
      if ('command' in rollback) {
        const [file, ...args] = rollback.command as [string, ...string[]];
        try {
          const { stdout } = await run(file, args, { env, timeout: ROLLBACK_TIMEOUT_MS });
          return { succeeded: true, detail: lastLine(stdout) || `${file} exited 0` };
        } catch (error) {
          return {
            succeeded: false,
            detail: `${file} failed: ${lastLine((error as { stderr?: string }).stderr ?? '') || (error as Error).message}`,
          };
        }
      }
      const response = await fetch(rollback.webhook, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': request.key },
        body: JSON.stringify({ incidentId: request.incidentId, service: request.service, mitigation: request.action }),
        signal: AbortSignal.timeout(ROLLBACK_TIMEOUT_MS),
      });
      return { succeeded: response.ok, detail: `webhook answered ${response.status}` };
    },
  };
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1)?.slice(0, 300) ?? '';
}
