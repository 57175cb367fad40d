import { proxyActivities, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { ActivityOptions, LocalActivityOptions } from '@temporalio/workflow';
import type { IncidentActivities } from '../../activities';
import { statusPageTaskQueue } from '../task-queues';
import { activitySummary, isActivityName } from './details';

interface Summarizable {
  executeWithOptions(options: ActivityOptions | LocalActivityOptions, args: unknown[]): Promise<unknown>;
}

/**
 * Gives every call a summary saying what it is for (the Web UI shows it beside the activity), read from its request;
 * a caller that knows more passes its own through executeWithOptions. A summary is metadata on the schedule command:
 * the command sequence, and so replay, is unchanged.
 */
function summarized<P extends object>(proxy: P): P {
  return new Proxy(proxy, {
    get(target, name, receiver) {
      const activity: unknown = Reflect.get(target, name, receiver);
      if (typeof name !== 'string' || !isActivityName(name)) return activity;
      const summarizable = activity as Summarizable;
      const run = (options: ActivityOptions | LocalActivityOptions, args: unknown[]) =>
        summarizable.executeWithOptions({ summary: activitySummary(name, args), ...options }, args);
      return Object.assign((...args: unknown[]) => run({}, args), { executeWithOptions: run });
    },
  });
}

/** A named profile: its timeouts and retries, and a summary on every call. */
function profile(options: ActivityOptions) {
  return summarized(proxyActivities<IncidentActivities>(options));
}

/**
 * Named timeout and retry profiles. Notifications retry within bounds and then give up, so a dead provider
 * is recorded on the timeline instead of spamming people or stalling the incident.
 */
const NOTIFICATION_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30s',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 6 },
};

export const notifications = profile(NOTIFICATION_OPTIONS);

/**
 * Notifications to a rate-limited provider (the status page), on the task queue whose dispatch rate the server holds
 * to the provider's limit across every worker. Built on first use: the queue's name derives from the workflow's own.
 */
export function rateLimitedNotifications() {
  return profile({
    ...NOTIFICATION_OPTIONS,
    taskQueue: statusPageTaskQueue(workflowInfo().taskQueue),
    // Waiting its turn at the rate is not the provider failing: only a start that never comes is given up on.
    scheduleToStartTimeout: '10m',
  });
}

/**
 * Reads of the worker's own configuration (the severity policy): local, so the declaration's first notifications
 * are scheduled in the same workflow task, with no round trip through the server.
 */
export const lookups = summarized(
  proxyLocalActivities<IncidentActivities>({
    startToCloseTimeout: '5s',
    retry: { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '5s', maximumAttempts: 10 },
  }),
);

/**
 * Pages: a short call to the pager's API, so a worker that dies mid-call is noticed in seconds, not half a minute,
 * and the page reaches the next person on time.
 */
export const paging = profile({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 8 },
});

/** The same reads as regular activities, for incidents started before the planned-deadlines patch. */
export const configuration = profile({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 10 },
});

export const verification = profile({
  startToCloseTimeout: '5m',
  heartbeatTimeout: '1m',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumAttempts: 3 },
});

export const remediation = profile({
  startToCloseTimeout: '10m',
  retry: { initialInterval: '10s', backoffCoefficient: 2, maximumAttempts: 2 },
});

/** Diagnostics and postmortem drafts: worth a few tries, never worth blocking the incident for. */
export const documents = profile({
  startToCloseTimeout: '2m',
  heartbeatTimeout: '30s',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 5 },
});
