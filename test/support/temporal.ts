import type { ConnectionPlugin } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { loadPlatformConfig } from '../../src/config/platform';
import { DEV_SERVER_DYNAMIC_CONFIG_ARGS } from '../../src/dev/server-settings';
import { provisionTemporalCli, provisionTestServer, type Provisioned } from '../../src/dev/temporal-binaries';
import { INCIDENT_SEARCH_ATTRIBUTES } from '../../src/domain/search-attributes';

/**
 * The real servers every Temporal test runs against: the Java time-skipping test server and the CLI dev server,
 * provisioned once per test process (a build, if one is needed, happens on first use and is cached).
 */

let cli: Promise<Provisioned> | undefined;
let testServer: Promise<Provisioned> | undefined;

export function provisionedCli(): Promise<Provisioned> {
  return (cli ??= provisionTemporalCli(loadPlatformConfig()));
}

export function provisionedTestServer(): Promise<Provisioned> {
  return (testServer ??= provisionTestServer(loadPlatformConfig()));
}

export const incidentSearchAttributeKeys = INCIDENT_SEARCH_ATTRIBUTES.map((name) =>
  defineSearchAttributeKey(name, SearchAttributeType.KEYWORD),
);

/** When the SDK's download was the last resort and it failed too, say what to install instead. */
async function withFallbackExplained(
  provisioned: Provisioned,
  create: () => Promise<TestWorkflowEnvironment>,
): Promise<TestWorkflowEnvironment> {
  try {
    return await create();
  } catch (error) {
    if (provisioned.source !== 'sdk-download') throw error;
    throw new Error(`${provisioned.unavailable}\nThe SDK's download failed too: ${(error as Error).message}`);
  }
}

/**
 * The Java test server (grpc-java) allows a client ping at most every 5 minutes; the client's default is every
 * 30 s, so after a few idle pings it closes the connection ("excess pings"), failing the calls in flight, and a
 * failed call can leave time skipping locked, so the test then waits for a timer that never fires. A loopback
 * connection needs no keepalive this frequent.
 */
const pingAsTheTestServerAllows: ConnectionPlugin = {
  name: 'incident-response:test-server-keepalive',
  configureConnection: (options) => ({
    ...options,
    channelArgs: { ...options.channelArgs, 'grpc.keepalive_time_ms': 6 * 60_000 },
  }),
};

export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const provisioned = await provisionedTestServer();
  return withFallbackExplained(provisioned, () =>
    TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: provisioned.executable },
      plugins: [pingAsTheTestServerAllows],
    }),
  );
}

export async function createDevServerEnv(): Promise<TestWorkflowEnvironment> {
  const provisioned = await provisionedCli();
  return withFallbackExplained(provisioned, () =>
    TestWorkflowEnvironment.createLocal({
      server: {
        executable: provisioned.executable,
        searchAttributes: incidentSearchAttributeKeys,
        extraArgs: DEV_SERVER_DYNAMIC_CONFIG_ARGS,
      },
    }),
  );
}
