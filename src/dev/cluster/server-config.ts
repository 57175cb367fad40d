import YAML from 'yaml';
import { INCIDENT_SEARCH_ATTRIBUTES } from '../../domain/search-attributes';
import { SERVER_VERSION, SQL_PLUGIN } from './server-builder';
import { SERVER_DYNAMIC_CONFIG } from '../server-settings';

/**
 * What the cluster is, as data: the compose file's auto-setup runs the same version, plugin, databases, retention
 * and search attributes (test/platform/cluster-config.test.ts holds the two side by side).
 */
export const CLUSTER = {
  serverVersion: SERVER_VERSION,
  sqlPlugin: SQL_PLUGIN,
  databases: { default: 'temporal', visibility: 'temporal_visibility' },
  /** The schema directories inside `schema/` of the build, as auto-setup applies them. */
  schemaDirs: { default: 'temporal/versioned', visibility: 'visibility/versioned' },
  /** auto-setup's DEFAULT_NAMESPACE_RETENTION default. */
  retention: '24h',
  searchAttributes: INCIDENT_SEARCH_ATTRIBUTES.map((name) => ({ name, type: 'Keyword' as const })),
} as const;

export interface ServerPorts {
  frontend: number;
  frontendHttp: number;
  frontendMembership: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  worker: number;
  workerMembership: number;
}

export interface DatabaseAccess {
  host: string;
  port: number;
  user: string;
  password: string;
}

/** The server's YAML config: every service in one process, bound to loopback, no metrics or pprof listener. */
export function renderServerConfig(db: DatabaseAccess, ports: ServerPorts, dynamicConfigFile: string): string {
  const datastore = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: CLUSTER.sqlPlugin,
      databaseName,
      connectAddr: `${db.host}:${db.port}`,
      connectProtocol: 'tcp',
      user: db.user,
      password: db.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const service = (grpcPort: number, membershipPort: number, httpPort?: number) => ({
    rpc: { grpcPort, membershipPort, bindOnLocalHost: true, ...(httpPort !== undefined ? { httpPort } : {}) },
  });
  const config = {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      // auto-setup's NUM_HISTORY_SHARDS default.
      numHistoryShards: 4,
      datastores: {
        'postgres-default': datastore(CLUSTER.databases.default, 20),
        'postgres-visibility': datastore(CLUSTER.databases.visibility, 10),
      },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' } },
    services: {
      frontend: service(ports.frontend, ports.frontendMembership, ports.frontendHttp),
      history: service(ports.history, ports.historyMembership),
      matching: service(ports.matching, ports.matchingMembership),
      worker: service(ports.worker, ports.workerMembership),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: `127.0.0.1:${ports.frontend}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    dynamicConfigClient: { filepath: dynamicConfigFile, pollInterval: '10s' },
  };
  return YAML.stringify(config);
}

/** The project's server settings (server-settings.ts) in the server's dynamic config file format. */
export function renderDynamicConfig(): string {
  const entries = Object.entries(SERVER_DYNAMIC_CONFIG).map(([key, value]) => [key, [{ value }]]);
  return YAML.stringify(Object.fromEntries(entries));
}
