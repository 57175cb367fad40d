/**
 * The status-page task queue beside an incident task queue. Rate-limited calls go there so that the server enforces
 * the provider's rate for all workers together (`maxTaskQueueActivitiesPerSecond`); every worker polls both.
 */
export function statusPageTaskQueue(taskQueue: string): string {
  return `${taskQueue}-status-page`;
}
