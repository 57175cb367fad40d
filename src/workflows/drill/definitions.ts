import { defineQuery } from '@temporalio/workflow';
import type { DrillKind } from '../../domain/policy/drills';

/** What a drill's Schedule starts: the drill's name only; the worker reads the rest from its policy at run time. */
export interface DrillWorkflowInput {
  drill: string;
}

/** The drill as its policy says at run time, read by the worker (a local activity), so history keeps it. */
export interface DrillPlan {
  name: string;
  kind: DrillKind;
  title: string;
  service: string;
  participants: string[];
  runFor: number;
  /** Log flood only: deliveries in the burst, and how soon the on-call page must be decided. */
  alerts?: number;
  pageWithin?: number;
}

/** What the log-flood burst measured: one alert group's deliveries through the alert intake. */
export interface FloodResult {
  incidentId: string | null;
  deliveries: number;
  /** Distinct incident ids the deliveries landed on: 1 when dedup held. */
  incidents: number;
  failed: number;
  firstAlertAt: number;
  /** From the first alert sent to the answer that declared the incident. */
  declaredAfterMs: number | null;
}

/** A drill's outcome: small, so it can be the workflow's result and the Schedule's last-run row. */
export interface DrillReport {
  drill: string;
  kind: DrillKind;
  incidentId: string | null;
  timeToAcknowledgeMs: number | null;
  timeToFirstUpdateMs: number | null;
  /** `reason → target` for each escalation that fired. */
  escalations: string[];
  deadlinesMissed: string[];
  flood?: { deliveries: number; incidents: number; declaredAfterMs: number | null; pageAfterMs: number | null };
  passed: boolean;
  /** Why it failed, one line each; empty when it passed. */
  failures: string[];
  /** How the drill left its incident (`incident closed`, or why it stayed open); set once the drill ended it. */
  ended?: string;
}

/** Schedules are named after the drill; every run's workflow id starts with the same name. */
export const drillScheduleId = (drill: string) => `drill-${drill}`;

/** Where the drill stands: its incident once declared, and its report once written. */
export interface DrillProgress {
  plan: DrillPlan | null;
  incidentId: string | null;
  report: DrillReport | null;
}

export const drillProgressQuery = defineQuery<DrillProgress>('drillProgress');
