/**
 * Dynamic config every Temporal server this project starts runs with (dev server, cluster, docker-compose), so the
 * tests, the bench and users' servers behave alike:
 * - nothing leaves the machine: the server otherwise asks a remote endpoint for version news;
 * - eager activities: an activity a workflow task schedules on the worker's own task queue comes back with the
 *   task's completion instead of through another poll. A declaration's channel and page then start tens of
 *   milliseconds sooner, and under load they no longer queue behind other incidents' activities.
 */
export const SERVER_DYNAMIC_CONFIG = {
  'frontend.enableServerVersionCheck': false,
  'system.enableActivityEagerExecution': true,
} as const;

/** The same settings as `temporal server start-dev` flags. */
export const DEV_SERVER_DYNAMIC_CONFIG_ARGS = Object.entries(SERVER_DYNAMIC_CONFIG).flatMap(([key, value]) => [
  '--dynamic-config-value',
  `${key}=${String(value)}`,
]);
