import type { Client } from '@temporalio/client';
import { listQuery } from '../client/service';
import { SEVERITIES, type Severity } from '../domain/severity';

export interface OpenIncidentCount {
  severity: Severity;
  drill: boolean;
  count: number;
}

/** Visibility's count of running incidents per severity and drill flag (8 count requests, each bounded in time). */
export function openIncidentCounter(client: Client, timeoutMs = 5_000): () => Promise<OpenIncidentCount[]> {
  return () =>
    Promise.all(
      SEVERITIES.flatMap((severity) =>
        [false, true].map(async (drill) => {
          // Running, not merely "not closed": a terminated incident is not open, whatever its status says.
          const query = `${listQuery({ severities: [severity], drill })} AND ExecutionStatus = "Running"`;
          const { count } = await client.withDeadline(Date.now() + timeoutMs, () => client.workflow.count(query));
          return { severity, drill, count };
        }),
      ),
    );
}
