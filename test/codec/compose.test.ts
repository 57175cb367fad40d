import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import YAML from 'yaml';
import { REPO_ROOT } from '../../src/config/platform';

/** Encryption is off on `npm start` (no keys) and required by the compose file, where the UI decodes through the API. */

const compose = YAML.parse(readFileSync(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, { environment?: string[]; ports?: string[] }>;
};
const env = (service: string) =>
  new Map(
    (compose.services[service]?.environment ?? []).map((entry) => {
      const at = entry.indexOf('=');
      return at < 0 ? [entry, undefined] : [entry.slice(0, at), entry.slice(at + 1)];
    }),
  );

test('the worker and the API refuse to start without INCIDENT_CODEC_KEYS in compose', () => {
  for (const service of ['worker', 'api']) {
    assert.match(env(service).get('INCIDENT_CODEC_KEYS') ?? '', /^\$\{INCIDENT_CODEC_KEYS:\?/, service);
  }
});

test("the Web UI calls the API's codec endpoint, and the API allows the UI's origin", () => {
  const ui = env('temporal-ui');
  const [apiPort] = (compose.services.api?.ports?.[0] ?? '').split(':');
  assert.equal(ui.get('TEMPORAL_CODEC_ENDPOINT'), `http://localhost:${apiPort}/codec`);
  assert.equal(ui.get('TEMPORAL_CODEC_PASS_ACCESS_TOKEN'), 'true');
  const [uiPort] = (compose.services['temporal-ui']?.ports?.[0] ?? '').split(':');
  assert.deepEqual(env('api').get('INCIDENT_CODEC_CORS_ORIGINS')?.split(','), [`http://localhost:${uiPort}`]);
});
