import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { IncidentActivities } from '../../activities';

/**
 * Named timeout and retry profiles. Notifications retry within bounds and then give up, so a dead provider
 * is recorded on the timeline instead of spamming people or stalling the incident.
 */
export const notifications = proxyActivities<IncidentActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 6 },
});

/**
 * Reads of the worker's own configuration (the severity policy): local, so the declaration's first notifications
 * are scheduled in the same workflow task, with no round trip through the server.
 */
export const lookups = proxyLocalActivities<IncidentActivities>({
  startToCloseTimeout: '5s',
  retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '5s', maximumAttempts: 10 },
});

/** The same reads as regular activities, for incidents started before the planned-deadlines patch. */
/**
 * Pages: a short call to the pager's API, so a worker that dies mid-call is noticed in seconds, not half a minute,
 * and the page reaches the next person on time.
 */
export const paging = proxyActivities<IncidentActivities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 8 },
});

export const configuration = proxyActivities<IncidentActivities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 10 },
});

export const verification = proxyActivities<IncidentActivities>({
  startToCloseTimeout: '5m',
  heartbeatTimeout: '1m',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumAttempts: 3 },
});

export const remediation = proxyActivities<IncidentActivities>({
  startToCloseTimeout: '10m',
  retry: { initialInterval: '10s', backoffCoefficient: 2, maximumAttempts: 2 },
});

/** Diagnostics and postmortem drafts: worth a few tries, never worth blocking the incident for. */
export const documents = proxyActivities<IncidentActivities>({
  startToCloseTimeout: '2m',
  heartbeatTimeout: '30s',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 5 },
});
