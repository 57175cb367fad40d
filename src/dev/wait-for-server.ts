import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';

export interface WaitOptions {
  timeoutMs: number;
  /** Checked between attempts so a server that crashed on start is reported at once, not after the timeout. */
  gaveUp?: () => string | undefined;
  /** When set, also wait until this namespace is registered (start-dev creates it shortly after listening). */
  namespace?: string;
}

/** Polls until a Temporal frontend answers GetSystemInfo (and optionally knows the namespace); returns it open. */
export async function waitForTemporal(address: string, options: WaitOptions): Promise<Connection> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError = 'no attempt yet';
  for (;;) {
    const reason = options.gaveUp?.();
    if (reason !== undefined) throw new Error(`Temporal server at ${address} ${reason}`);
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({ address, connectTimeout: 1000 });
      if (options.namespace !== undefined) {
        await connection.workflowService.describeNamespace({ namespace: options.namespace });
      }
      return connection;
    } catch (error) {
      lastError = (error as Error).message;
      await connection?.close();
    }
    if (Date.now() > deadline) {
      throw new Error(`Temporal server at ${address} did not answer within ${options.timeoutMs} ms: ${lastError}`);
    }
    await sleep(200);
  }
}
