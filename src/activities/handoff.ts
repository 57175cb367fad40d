import { Context } from '@temporalio/activity';
import type { DeliveryHandoff } from './providers';
import type { DeliveryReceipt } from './types';

/**
 * Heartbeat details are kept by Temporal with the activity and given to its next attempt on any worker, so what one
 * attempt got done (an email the SMTP server accepted) is known to the retry without a store the workers share.
 * `Context.heartbeat` only queues the details (the SDK throttles them, and a failure report is sent without waiting
 * for them), so the acceptance is also recorded through the client, whose call returns once the server stored it.
 */
export function heartbeatHandoff(): DeliveryHandoff {
  const context = Context.current();
  return {
    earlier: context.info.heartbeatDetails as DeliveryReceipt | undefined,
    accepted: async (receipt) => {
      context.heartbeat(receipt);
      try {
        await context.client.activity.heartbeat(context.info.taskToken, receipt);
      } catch (error) {
        // Left with the queued heartbeat only: a retry may not see it and would send again.
        context.log.warn('the SMTP acceptance could not be recorded with Temporal; a retry may send the email again', {
          error: error instanceof Error ? error.message : String(error),
        });
      }
    },
  };
}
