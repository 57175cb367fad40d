import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import YAML from 'yaml';
import { z } from 'zod';
import { loadConfig, WORKER_ENV_VARS } from '../../src/config';
import { API_ENV_VARS } from '../../src/config/api';
import { CODEC_ENV_VARS } from '../../src/config/codec';
import { INTEGRATION_ENV_VARS } from '../../src/config/integrations';
import { PLATFORM_ENV_VARS, REPO_ROOT } from '../../src/config/platform';
import { DEFAULT_RETENTION, RECORDS_ENV_VARS } from '../../src/config/records';
import { renderDynamicConfig } from '../../src/dev/cluster/server-config';
import { INCIDENT_SEARCH_ATTRIBUTES } from '../../src/domain/search-attributes';

/** No Docker engine runs here, so the compose file is checked as data against what the code reads. */

const service = z.object({
  image: z.string(),
  ports: z.array(z.string()).optional(),
  environment: z.union([z.array(z.string()), z.record(z.string(), z.string())]).optional(),
  depends_on: z.record(z.string(), z.object({ condition: z.string() })).optional(),
  healthcheck: z.object({ test: z.array(z.string()).min(2) }).optional(),
  command: z.union([z.string(), z.array(z.string())]).optional(),
  volumes: z.array(z.string()).optional(),
});
const compose = z
  .object({ services: z.record(z.string(), service) })
  .parse(YAML.parse(readFileSync(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8')));
const services = compose.services;

function get(name: string): z.infer<typeof service> {
  const found = services[name];
  assert.ok(found, `service ${name} exists`);
  return found;
}

/** Either compose form as a map; a bare `NAME` (passed through from the host only when set) maps to undefined. */
function environment(name: string): Map<string, string | undefined> {
  const entries = get(name).environment ?? [];
  if (!Array.isArray(entries)) return new Map(Object.entries(entries));
  return new Map(
    entries.map((entry) => {
      const [key, ...value] = entry.split('=');
      return [key!, value.length > 0 ? value.join('=') : undefined];
    }),
  );
}

void describe('docker-compose.yml', () => {
  void test('runs Temporal on PostgreSQL, the Web UI, the search-attribute job and the worker', () => {
    assert.match(get('postgresql').image, /^postgres:/);
    assert.match(get('temporal').image, /^temporalio\/auto-setup:/);
    assert.match(get('temporal-ui').image, /^temporalio\/ui:/);
    assert.match(get('register-search-attributes').image, /^temporalio\/admin-tools:/);
    assert.match(get('worker').image, /^node:20/);
    assert.equal(environment('temporal').get('DB'), 'postgres12');
    assert.equal(environment('temporal').get('POSTGRES_SEEDS'), 'postgresql');
  });

  void test('publishes gRPC on 7233 and the Web UI on 8233, like npm start', () => {
    assert.deepEqual(get('temporal').ports, ['7233:7233']);
    assert.deepEqual(get('temporal-ui').ports, ['8233:8080']);
  });

  void test("Temporal runs with the project's dynamic config (eager activities), the file the cluster renders", () => {
    const file = environment('temporal').get('DYNAMIC_CONFIG_FILE_PATH');
    assert.ok(file, 'DYNAMIC_CONFIG_FILE_PATH is set');
    const mount = (get('temporal').volumes ?? []).find((volume) => volume.split(':')[1] === `/etc/temporal/${file}`);
    assert.ok(mount, `a volume mounts /etc/temporal/${file}`);
    const source = path.join(REPO_ROOT, mount.split(':')[0]!);
    assert.deepEqual(YAML.parse(readFileSync(source, 'utf8')), YAML.parse(renderDynamicConfig()));
    const rendered = z.record(z.string(), z.unknown()).parse(YAML.parse(renderDynamicConfig()));
    assert.deepEqual(rendered['system.enableActivityEagerExecution'], [{ value: true }]);
  });

  void test('long-running services have healthchecks, and every health dependency points at one', () => {
    for (const name of ['postgresql', 'temporal', 'temporal-ui', 'api'])
      assert.ok(get(name).healthcheck, `${name} healthcheck`);
    for (const [name, { depends_on: dependsOn }] of Object.entries(services)) {
      for (const [target, { condition }] of Object.entries(dependsOn ?? {})) {
        assert.ok(services[target], `${name} depends on a service that exists (${target})`);
        if (condition === 'service_healthy') assert.ok(services[target]?.healthcheck, `${target} has a healthcheck`);
      }
    }
    assert.deepEqual(get('worker').depends_on, {
      temporal: { condition: 'service_healthy' },
      'register-search-attributes': { condition: 'service_completed_successfully' },
    });
  });

  void test('the job registers every incident search attribute as Keyword', () => {
    const script = [get('register-search-attributes').command ?? []].flat().join('\n');
    for (const name of INCIDENT_SEARCH_ATTRIBUTES) assert.ok(script.includes(name), `${name} registered`);
    assert.match(script, /--type Keyword/);
  });

  void test("the job sets the namespace's retention from INCIDENT_RETENTION, defaulting like npm start", () => {
    const script = [get('register-search-attributes').command ?? []].flat().join('\n');
    assert.match(
      script,
      /temporal operator namespace update --namespace "\$\$TEMPORAL_NAMESPACE" --retention "\$\$INCIDENT_RETENTION"/,
    );
    assert.equal(
      environment('register-search-attributes').get('INCIDENT_RETENTION'),
      `\${INCIDENT_RETENTION:-${DEFAULT_RETENTION}}`,
    );
    assert.ok((RECORDS_ENV_VARS as readonly string[]).includes('INCIDENT_RETENTION'));
  });

  void test('the worker gets only variables the config modules read, pointed at the compose services', () => {
    const known = new Set<string>([...PLATFORM_ENV_VARS, ...WORKER_ENV_VARS, ...CODEC_ENV_VARS]);
    const env = environment('worker');
    for (const name of env.keys()) assert.ok(known.has(name), `${name} is read by src/config`);
    assert.equal(env.get('TEMPORAL_ADDRESS'), 'temporal:7233');
    assert.ok(env.has('TEMPORAL_NAMESPACE'));
    assert.equal(env.get('INCIDENT_POLICY'), undefined, 'policy passes through from the host only when set');
    const command = [get('worker').command ?? []].flat().join(' ');
    const scripts = z
      .object({ scripts: z.record(z.string(), z.string()) })
      .parse(JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'))).scripts;
    const npmScript = /npm run (\S+)/.exec(command)?.[1];
    assert.ok(npmScript !== undefined && scripts[npmScript], `worker runs an existing npm script (${command})`);
  });

  void test('the worker serves /metrics on 9464 like npm start, published and reachable from outside its container', () => {
    const env = environment('worker');
    const { metrics } = loadConfig({
      INCIDENT_METRICS_PORT: env.get('INCIDENT_METRICS_PORT'),
      INCIDENT_METRICS_HOST: env.get('INCIDENT_METRICS_HOST'),
    });
    assert.deepEqual(metrics, { host: '0.0.0.0', port: 9464 }, 'the config the worker reads from the compose file');
    assert.deepEqual(get('worker').ports, [`9464:${metrics.port}`]);
  });

  void test('the API service runs `npm run api` on 8080 with only variables the config modules read', () => {
    const known = new Set<string>([
      ...PLATFORM_ENV_VARS,
      ...WORKER_ENV_VARS,
      ...API_ENV_VARS,
      ...INTEGRATION_ENV_VARS,
      ...CODEC_ENV_VARS,
    ]);
    const env = environment('api');
    for (const name of env.keys()) assert.ok(known.has(name), `${name} is read by src/config`);
    assert.equal(env.get('TEMPORAL_ADDRESS'), 'temporal:7233');
    assert.equal(env.get('INCIDENT_API_HOST'), '0.0.0.0', 'reachable from outside its container');
    assert.equal(env.get('INCIDENT_API_TOKENS'), undefined, 'tokens pass through from the host only when set');
    assert.deepEqual(get('api').ports, ['8080:8080']);
    assert.match([get('api').command ?? []].flat().join(' '), /npm run api\b/);
    assert.ok(get('api').healthcheck, 'api healthcheck');
  });
});
