import type { Outbox } from '../outbox/store';
import type { StatusPageProvider } from '../providers';

/** The embedded default records each public update; the built-in status page reads the workflow state. */
export function outboxStatusPage(outbox: Outbox): StatusPageProvider {
  return {
    async publish(request) {
      const { duplicate } = await outbox.deliver({
        channel: 'status-page',
        key: request.key,
        incidentId: request.incidentId,
        drill: request.drill,
        payload: { title: request.title, service: request.service, phase: request.phase, message: request.message },
      });
      return { destination: `status page (${request.phase})`, duplicate };
    },
  };
}
