import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { RollbackEnvironment } from '../../config/rollback';
import { fillTemplate, type MitigationAction, type TemplateFields } from '../../domain/policy/actions';
import type { ServiceConfig } from '../../domain/policy';
import type { ActionPlan, ActionPlanRequest, ActionRequest, ActionResult } from '../types';

const run = promisify(execFile);

export interface ActionRunner {
  plan(request: ActionPlanRequest): ActionPlan;
  run(request: ActionRequest, attempt: number): Promise<ActionResult>;
}

/** A service's action by name; `rollback` falls back to the service's `rollback` as first written (no env, POST). */
export function serviceAction(service: ServiceConfig | undefined, name: string): MitigationAction | undefined {
  const action = service?.actions?.[name];
  if (action || name !== 'rollback' || !service?.rollback) return action;
  const legacy = service.rollback;
  const timeout = 5 * 60_000;
  if ('command' in legacy) return { command: { argv: legacy.command, env: [] }, timeout };
  return {
    webhook: {
      method: 'POST',
      url: legacy.webhook,
      headers: { 'content-type': 'application/json' },
      body: '{"incidentId":"{{incidentId}}","service":"{{service}}","mitigation":"{{mitigationId}}"}',
    },
    timeout,
  };
}

/** The names `--run` (and Slack's Run action) take for a service: its actions, and `rollback` however written. */
export function actionNames(service: ServiceConfig | undefined): string[] {
  const names = Object.keys(service?.actions ?? {});
  if (service?.rollback && !names.includes('rollback')) names.push('rollback');
  return names;
}

/**
 * Only what a command action is allowed to see: PATH (to find its tools), the incident's own variables, and the
 * variables its policy lists. Every other worker secret stays out (Slack token, SMTP password, pager keys).
 */
export function commandEnvironment(
  worker: RollbackEnvironment,
  listed: readonly string[],
  fields: TemplateFields,
): Record<string, string> {
  const env: Record<string, string> = {
    INCIDENT_ID: fields.incidentId,
    INCIDENT_SERVICE: fields.service,
    INCIDENT_ACTION: fields.action,
    MITIGATION_ID: fields.mitigationId,
    IDEMPOTENCY_KEY: fields.key,
  };
  for (const name of ['PATH', ...listed]) {
    const value = worker[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/**
 * Runs a service's named mitigation actions. A webhook carries the step's key as Idempotency-Key, so a retry after
 * a worker crash is one action at the target; a command gets it as IDEMPOTENCY_KEY but may run again, and says so.
 * A network failure is thrown (Temporal retries with the same key); an answer or an exit code is the outcome.
 */
export function configuredActions(services: Record<string, ServiceConfig>, worker: RollbackEnvironment): ActionRunner {
  return {
    plan({ service, action: name }) {
      const config = services[service];
      const action = serviceAction(config, name);
      if (!action) return { found: false, configured: actionNames(config) };
      const hasRollback = serviceAction(config, 'rollback') !== undefined;
      const undo = action.undo ?? (name !== 'rollback' && hasRollback ? 'rollback' : null);
      return {
        found: true,
        action: name,
        via: action.webhook ? 'webhook' : 'command',
        undo,
        idempotent: !!action.webhook,
      };
    },

    async run(request, attempt) {
      const action = serviceAction(services[request.service], request.action);
      const idempotent = action?.webhook !== undefined;
      const answer = (succeeded: boolean, detail: string): ActionResult => ({ succeeded, detail, idempotent, attempt });
      if (!action) return answer(false, `no action ${request.action} configured for service ${request.service}`);
      if (request.drill) return answer(true, `drill: ${request.action} not run`);
      const fields: TemplateFields = {
        incidentId: request.incidentId,
        service: request.service,
        action: request.action,
        mitigationId: request.mitigationId,
        key: request.key,
      };
      if (action.command) {
        const [file, ...args] = action.command.argv as [string, ...string[]];
        const env = commandEnvironment(worker, action.command.env, fields);
        try {
          const { stdout } = await run(file, args, { env, timeout: action.timeout });
          return answer(true, lastLine(stdout) || `${file} exited 0`);
        } catch (error) {
          const stderr = lastLine((error as { stderr?: string }).stderr ?? '');
          return answer(false, `${file} failed: ${stderr || (error as Error).message}`);
        }
      }
      const webhook = action.webhook;
      if (!webhook) return answer(false, `action ${request.action} has neither command nor webhook`);
      const secret = (name: string) => worker[name];
      const missing = new Set<string>();
      const fill = (text: string) => {
        const filled = fillTemplate(text, fields, secret);
        for (const name of filled.missing) missing.add(name);
        return filled.text;
      };
      const headers = Object.fromEntries(Object.entries(webhook.headers).map(([name, value]) => [name, fill(value)]));
      const body = webhook.body === undefined ? undefined : fill(webhook.body);
      if (missing.size > 0) {
        return answer(false, `not run: the worker has no ${[...missing].join(', ')} in its environment`);
      }
      const response = await fetch(fillTemplate(webhook.url, fields).text, {
        method: webhook.method,
        headers: { ...headers, 'idempotency-key': request.key },
        ...(body === undefined || webhook.method === 'GET' ? {} : { body }),
        signal: AbortSignal.timeout(action.timeout),
      });
      await response.body?.cancel();
      return answer(response.ok, `${webhook.method} ${new URL(response.url).host} answered ${response.status}`);
    },
  };
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1)?.slice(0, 300) ?? '';
}
