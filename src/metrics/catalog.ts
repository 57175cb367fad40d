/**
 * Every metric the worker exports, by name: the registry builds them from here, and the dashboard test checks that
 * each series the Grafana dashboard queries is one of them.
 */
export const METRICS = {
  declared: 'incident_declared_total',
  open: 'incident_open',
  timeToAcknowledge: 'incident_time_to_acknowledge_seconds',
  timeToMitigate: 'incident_time_to_mitigate_seconds',
  timeToResolve: 'incident_time_to_resolve_seconds',
  escalations: 'incident_escalations_total',
  missedUpdates: 'incident_status_updates_missed_total',
  notificationFailures: 'incident_notification_failures_total',
  reopened: 'incident_reopened_total',
  openCountFailures: 'incident_open_count_failures_total',
} as const;

/**
 * Response times are minutes and hours, not milliseconds: the buckets sit on the policy's windows (acknowledge in
 * 5/15/30 min or 24 h, escalate when unresolved after 15 min, 1 h, 4 h), so a bucket reads as "within the window".
 */
export const RESPONSE_TIME_BUCKETS_SECONDS = [
  30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 28_800, 86_400, 172_800,
] as const;
