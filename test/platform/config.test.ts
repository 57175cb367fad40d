import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { parsePlatformEnv, PlatformConfigError } from '../../src/config/platform';

const repo = '/srv/incident-response';
// A missing config file keeps envconfig from picking up the developer's own ~/.config profile.
const isolated = { HOME: '/nonexistent-home', TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml' };

void describe('platform environment', () => {
  void test('defaults: cache under XDG_CACHE_HOME, data in the repo, local ports, no external cluster', () => {
    const config = parsePlatformEnv({ ...isolated, XDG_CACHE_HOME: '/xdg', PATH: '/a:/b::/c' }, repo);
    assert.equal(config.cacheDir, '/xdg/incident-response');
    assert.equal(config.dataDir, path.join(repo, '.data'));
    assert.equal(config.port, 7233);
    assert.equal(config.uiPort, 8233);
    assert.equal(config.externalAddress, undefined);
    assert.equal(config.namespace, 'default');
    assert.deepEqual(config.pathDirs, ['/a', '/b', '/c']);
    assert.equal(config.cliPathOverride, undefined);
  });

  void test('every variable is honoured', () => {
    const config = parsePlatformEnv(
      {
        ...isolated,
        TEMPORAL_CLI_PATH: '/opt/temporal',
        TEMPORAL_TEST_SERVER_PATH: '/opt/test-server',
        INCIDENT_CACHE_DIR: '/cache',
        INCIDENT_DATA_DIR: 'state',
        TEMPORAL_ADDRESS: 'temporal.internal:7233',
        TEMPORAL_NAMESPACE: 'incidents',
        TEMPORAL_PORT: '17233',
        TEMPORAL_UI_PORT: '18233',
      },
      repo,
    );
    assert.equal(config.cliPathOverride, '/opt/temporal');
    assert.equal(config.testServerPathOverride, '/opt/test-server');
    assert.equal(config.cacheDir, '/cache');
    assert.equal(config.dataDir, path.join(repo, 'state'));
    assert.equal(config.externalAddress, 'temporal.internal:7233');
    assert.equal(config.namespace, 'incidents');
    assert.equal(config.port, 17233);
    assert.equal(config.uiPort, 18233);
  });

  void test('an empty override counts as unset', () => {
    assert.equal(parsePlatformEnv({ ...isolated, TEMPORAL_CLI_PATH: '' }, repo).cliPathOverride, undefined);
  });

  for (const [value, reason] of [
    ['abc', /must be a TCP port number/],
    ['70000', /must be between 1 and 65535/],
  ] as const) {
    void test(`a bad port (${value}) fails fast naming the variable and its value`, () => {
      assert.throws(
        () => parsePlatformEnv({ ...isolated, TEMPORAL_UI_PORT: value }, repo),
        (error: unknown) =>
          error instanceof PlatformConfigError &&
          error.message.includes(`TEMPORAL_UI_PORT="${value}"`) &&
          reason.test(error.message),
      );
    });
  }
});
