import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import ms, { type StringValue } from 'ms';
import YAML from 'yaml';
import { z } from 'zod';
import { REPO_ROOT } from '../../src/config/platform';
import { loadRecordsConfig } from '../../src/config/records';
import { CLUSTER, renderServerConfig } from '../../src/dev/cluster/server-config';

/**
 * `npm run start:cluster` and `docker compose up` must be the same Temporal: version, SQL plugin and schema,
 * databases, shards, retention and search attributes. The compose side is read from docker-compose.yml with
 * auto-setup's documented defaults for whatever it leaves unset.
 */

const AUTO_SETUP_DEFAULTS = {
  DBNAME: 'temporal',
  VISIBILITY_DBNAME: 'temporal_visibility',
  NUM_HISTORY_SHARDS: '4',
  DEFAULT_NAMESPACE_RETENTION: '24h',
};

const composeText = readFileSync(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8');
const compose = z
  .object({
    services: z.record(
      z.string(),
      z.looseObject({
        image: z.string(),
        environment: z.union([z.array(z.string()), z.record(z.string(), z.string())]).optional(),
        command: z.union([z.string(), z.array(z.string())]).optional(),
      }),
    ),
  })
  .parse(YAML.parse(composeText));

function service(name: string) {
  const found = compose.services[name];
  assert.ok(found, `docker-compose.yml has a ${name} service`);
  return found;
}

function env(name: string, key: keyof typeof AUTO_SETUP_DEFAULTS | 'DB'): string | undefined {
  const environment = service(name).environment ?? [];
  const value = Array.isArray(environment)
    ? environment.find((e) => e.startsWith(`${key}=`))?.slice(key.length + 1)
    : environment[key];
  return value ?? (key === 'DB' ? undefined : AUTO_SETUP_DEFAULTS[key]);
}

function commandOf(name: string): string {
  const command = service(name).command;
  return Array.isArray(command) ? command.join('\n') : (command ?? '');
}

function envList(name: string): string[] {
  const environment = service(name).environment ?? [];
  return Array.isArray(environment) ? environment : Object.entries(environment).map(([k, v]) => `${k}=${v}`);
}

/** `${TEMPORAL_VERSION:-1.29.1}` → 1.29.1. */
function imageVersion(image: string): string {
  const match = /:(?:\$\{\w+:-([^}]+)\}|([^:/]+))$/.exec(image);
  return match?.[1] ?? match?.[2] ?? 'latest';
}

void describe('the local cluster and docker-compose.yml', () => {
  void test('run the same server version (auto-setup and admin-tools)', () => {
    assert.equal(imageVersion(service('temporal').image), CLUSTER.serverVersion);
    assert.equal(imageVersion(service('register-search-attributes').image), CLUSTER.serverVersion);
  });

  void test('use the same SQL plugin, databases and history shards', () => {
    assert.equal(env('temporal', 'DB'), CLUSTER.sqlPlugin);
    assert.equal(env('temporal', 'DBNAME'), CLUSTER.databases.default);
    assert.equal(env('temporal', 'VISIBILITY_DBNAME'), CLUSTER.databases.visibility);
    const config = YAML.parse(
      renderServerConfig(
        { host: '127.0.0.1', port: 5432, user: 'temporal', password: 'x' },
        {
          frontend: 1,
          frontendHttp: 2,
          frontendMembership: 3,
          history: 4,
          historyMembership: 5,
          matching: 6,
          matchingMembership: 7,
          worker: 8,
          workerMembership: 9,
        },
        '/dev/null',
      ),
    ) as {
      persistence: {
        numHistoryShards: number;
        datastores: Record<string, { sql: { pluginName: string; databaseName: string } }>;
      };
    };
    assert.equal(String(config.persistence.numHistoryShards), env('temporal', 'NUM_HISTORY_SHARDS'));
    assert.deepEqual(
      Object.values(config.persistence.datastores).map(({ sql }) => [sql.pluginName, sql.databaseName]),
      [
        [CLUSTER.sqlPlugin, CLUSTER.databases.default],
        [CLUSTER.sqlPlugin, CLUSTER.databases.visibility],
      ],
    );
  });

  void test('register the namespace with the same retention, then set INCIDENT_RETENTION like the compose job', () => {
    // auto-setup registers the namespace; the start:cluster registration uses the same value.
    assert.equal(env('temporal', 'DEFAULT_NAMESPACE_RETENTION'), CLUSTER.retention);
    // Then the compose job sets `--retention "$$VAR"` from its environment, as start:cluster does from the same variable.
    const script = commandOf('register-search-attributes');
    const variable = /--retention "\$\$(\w+)"/.exec(script)?.[1];
    assert.equal(variable, 'INCIDENT_RETENTION');
    const value = envList('register-search-attributes').find((e) => e.startsWith(`${variable}=`));
    const composeDefault = /^\w+=\$\{\w+:-([^}]+)\}$/.exec(value ?? '')?.[1];
    assert.equal(ms(composeDefault as StringValue), loadRecordsConfig({}).retentionMs);
  });

  void test('create the same search attributes, all Keyword', () => {
    const script = commandOf('register-search-attributes');
    const names = /for name in ([\w ]+); do/.exec(script)?.[1]?.trim().split(/\s+/);
    assert.ok(names, 'the compose job loops over the attribute names');
    assert.match(script, /--type Keyword/);
    assert.deepEqual(
      names,
      CLUSTER.searchAttributes.map((a) => a.name),
    );
    assert.ok(CLUSTER.searchAttributes.every((a) => a.type === 'Keyword'));
  });
});
