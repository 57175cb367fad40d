/** The environment a rollback command starts with, before the incident's own variables are added. */
export type RollbackEnvironment = Readonly<Record<string, string | undefined>>;

/**
 * Today a rollback command inherits the worker's whole environment (PATH, credentials for the deploy tool);
 * reading it here keeps src/config the one reader of process.env, and is where a later allow-list belongs.
 */
export function rollbackEnvironment(env: NodeJS.ProcessEnv = process.env): RollbackEnvironment {
  return { ...env };
}
