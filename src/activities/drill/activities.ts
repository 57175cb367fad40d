import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { IncidentService } from '../../client/service';
import { drillTitle } from '../../domain/policy/drills';
import type { DrillPlan, DrillReport, FloodResult } from '../../workflows/drill/definitions';
import type { IntegrationProviders } from '../providers';
import { floodAlerts, type FloodRequest } from './flood';
import { drillReport, drillReportText } from './report';

export const DrillFailureType = {
  /** The Schedule names a drill the policy no longer has (removed while a run was starting). */
  UnknownDrill: 'UnknownDrill',
} as const;

/** Who the drill's own commands are recorded as, on the incident's timeline. */
export const DRILL_ACTOR = 'drill';

export interface DrillReportRequest {
  plan: DrillPlan;
  incidentId: string;
  /** Idempotency: the report's note is one update, however often the activity is retried. */
  key: string;
  flood?: FloodResult;
}

export interface EndDrillRequest {
  incidentId: string;
  key: string;
}

/** The drill workflow's activities: its plan from the policy, the alert burst, the report, the incident's end. */
export function drillActivities(providers: IntegrationProviders) {
  // Over the worker's own client and task queue: the drill talks to its incident as any client would.
  const incidents = () => {
    const { client, info } = Context.current();
    return new IncidentService(client, { taskQueue: info.taskQueue });
  };
  return {
    async planDrill(name: string): Promise<DrillPlan> {
      const drill = providers.policy.drills[name];
      if (drill === undefined) {
        throw ApplicationFailure.nonRetryable(`the policy has no drill named ${name}`, DrillFailureType.UnknownDrill);
      }
      const { kind, service, participants, runFor } = drill;
      const flood = drill.kind === 'log-flood' ? { alerts: drill.alerts, pageWithin: drill.pageWithin } : {};
      return Promise.resolve({ name, kind, title: drillTitle(drill), service, participants, runFor, ...flood });
    },

    async floodAlerts(request: FloodRequest): Promise<FloodResult> {
      return floodAlerts(incidents(), providers.policy.alerts, request, () => Context.current().heartbeat());
    },

    /** Reads the incident, writes the report on its timeline and in its channel (a note), and answers it. */
    async reportDrill(request: DrillReportRequest): Promise<DrillReport> {
      const service = incidents();
      const incident = await service.show(request.incidentId);
      const report = drillReport(request.plan, incident, request.flood);
      if (incident.status !== 'closed') {
        await service.command(
          'addNote',
          request.incidentId,
          { text: drillReportText(report), by: DRILL_ACTOR },
          { requestId: `${request.key}-note` },
        );
      }
      return report;
    },

    /**
     * Ends the drill's incident through its ordinary commands, so its timeline closes like any other: acknowledged,
     * commanded, resolved (unverified: a drill has nothing to verify) and closed. Steps already taken are skipped.
     */
    async endDrillIncident(request: EndDrillRequest): Promise<string> {
      const service = incidents();
      const { incidentId, key } = request;
      const step = async (name: Parameters<IncidentService['command']>[0], input: object) =>
        service.command(name, incidentId, input as never, { requestId: `${key}-${name}` });
      let incident = await service.show(incidentId);
      if (incident.status === 'declared') await step('acknowledge', { by: DRILL_ACTOR });
      // Resolve and close are the Incident Commander's: the drill takes command to end its own exercise.
      incident = await service.show(incidentId);
      if (incident.status !== 'closed' && incident.roles.commander !== DRILL_ACTOR) {
        await step('assignRole', { role: 'commander', user: DRILL_ACTOR, by: DRILL_ACTOR });
      }
      if (incident.status !== 'resolved' && incident.status !== 'closed') {
        await step('resolve', {
          by: DRILL_ACTOR,
          unverified: 'the drill is over',
          overrideFiringAlerts: 'the drill is over: its alerts were synthetic',
        });
      }
      incident = await service.show(incidentId);
      if (incident.status === 'resolved') await step('close', { by: DRILL_ACTOR });
      return (await service.show(incidentId)).status;
    },
  };
}

export type DrillActivities = ReturnType<typeof drillActivities>;
