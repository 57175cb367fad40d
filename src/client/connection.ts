import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { codecDataConverter } from '../codec/aes-gcm';
import { IncidentClientError, IncidentClientErrorType } from './errors';

/**
 * A Temporal client from the standard TEMPORAL_* settings (address, namespace, TLS, API key) or the active
 * envconfig profile. Shared by the CLI and the HTTP API; close it with `client.connection.close()`.
 */
export async function connectClient(options: { connectTimeoutMs?: number } = {}): Promise<Client> {
  const { connectionOptions, namespace } = loadClientConnectConfig();
  const address = connectionOptions.address ?? 'localhost:7233';
  let connection: Connection;
  try {
    connection = await Connection.connect({
      ...connectionOptions,
      // Fail fast when the server is down: an on-call engineer should not sit through the SDK's default 10 s.
      connectTimeout: options.connectTimeoutMs ?? 5_000,
    });
  } catch (error) {
    throw new IncidentClientError(
      IncidentClientErrorType.Unavailable,
      `cannot reach Temporal at ${address}: ${(error as Error).message} (is it running? see TEMPORAL_ADDRESS)`,
      { cause: error },
    );
  }
  return new Client({ connection, namespace: namespace ?? 'default', dataConverter: codecDataConverter() });
}

/**
 * A client that connects on first use: a long-running process (the HTTP API) starts while Temporal is still coming
 * up or down for maintenance, answers 503 meanwhile, and recovers without a restart.
 */
export function lazyClient(): Client {
  const { connectionOptions, namespace } = loadClientConnectConfig();
  const connection = Connection.lazy({ ...connectionOptions, connectTimeout: 5_000 });
  return new Client({ connection, namespace: namespace ?? 'default', dataConverter: codecDataConverter() });
}
