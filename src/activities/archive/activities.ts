import { Context } from '@temporalio/activity';
import { incidentWorkflowId, stateQuery } from '../../workflows/definitions';
import type { DeliveryReceipt, IncidentRef } from '../types';
import { archivedIncident, type IncidentArchive } from './record';

/**
 * Writes a closed incident's record to the archive. It reads the incident by query (the whole timeline never
 * becomes an activity input in history); writing the same incident again replaces its record, so a retry is safe.
 */
export function archiveActivities(archive: IncidentArchive) {
  return {
    async archiveIncident(request: IncidentRef): Promise<DeliveryReceipt> {
      const handle = Context.current().client.workflow.getHandle(incidentWorkflowId(request.incidentId));
      const { destination } = await archive.put(archivedIncident(await handle.query(stateQuery), new Date()));
      return { destination, duplicate: false };
    },
  };
}
