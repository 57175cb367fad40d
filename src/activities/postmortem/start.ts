import { Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { incidentWorkflowId, stateQuery } from '../../workflows/definitions';
import { postmortemWorkflowId, type PostmortemInput } from '../../workflows/postmortem/definitions';
import type { postmortemWorkflow } from '../../workflows/postmortem/workflow';
import type { Policy } from '../../domain/policy';
import type { PostmortemWriter } from '../providers';
import type { IncidentRef, PostmortemReceipt } from '../types';

export interface StartPostmortemRequest extends IncidentRef {
  owner: string;
  dueAt: number;
  /** The incident's post-incident summary tells its audiences where the draft is (see PostmortemInput). */
  inSummary?: boolean;
}

export interface StartedPostmortem extends PostmortemReceipt {
  workflowId: string;
}

/** Who hears about an overdue postmortem: the manager the severity escalates an unresolved incident to. */
const DEFAULT_MANAGER = 'engineering-manager';

/**
 * Drafts the document (today's writer, idempotent per incident) and starts the incident's postmortem workflow with
 * it. The postmortem is its own workflow, not a child: it lives for weeks after the incident closes, and a reopened
 * incident resolving again must find the same one, which one id per incident gives (an open one is used as is, a
 * completed one is not started again).
 */
export function postmortemActivities(writer: PostmortemWriter, policy: Pick<Policy, 'contacts'>) {
  // Resolved here, not in the workflow: the policy stays out of the workflow bundle, and the map is a few names.
  const managers = Object.fromEntries(
    Object.entries(policy.contacts).flatMap(([name, contact]) => (contact.manager ? [[name, contact.manager]] : [])),
  );
  return {
    async startPostmortem(request: StartPostmortemRequest): Promise<StartedPostmortem> {
      const { client, info } = Context.current();
      const incident = await client.workflow.getHandle(incidentWorkflowId(request.incidentId)).query(stateQuery);
      const receipt = await writer.create({ ...request, incident });
      const workflowId = postmortemWorkflowId(request.incidentId);
      const input: PostmortemInput = {
        incidentId: incident.id,
        title: incident.title,
        severity: incident.severity,
        drill: incident.drill,
        owner: request.owner,
        escalateTo: incident.policy.rules.unresolved?.target ?? DEFAULT_MANAGER,
        managers,
        location: receipt.location,
        channel: incident.chatChannel,
        resolvedAt: incident.resolvedAt ?? Date.now(),
        dueAt: request.dueAt,
        ...(request.inSummary ? { inSummary: true } : {}),
      };
      try {
        await client.workflow.start<typeof postmortemWorkflow>('postmortemWorkflow', {
          workflowId,
          taskQueue: info.taskQueue,
          args: [input],
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        });
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      }
      return { ...receipt, workflowId };
    },
  };
}
