import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { TokenRegistry } from '../../src/api/plugins/auth';
import { ConfigError } from '../../src/config';
import { loadApiConfig } from '../../src/config/api';

const SECRET = 'very-secret-token-0123456789';

function refusal(env: NodeJS.ProcessEnv): string {
  try {
    loadApiConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.message;
  }
  assert.fail('accepted');
}

describe('API settings', () => {
  it('reads tokens from INCIDENT_API_TOKENS or the file INCIDENT_API_TOKENS_FILE names', async () => {
    const tokens = { [SECRET]: { actor: 'alice', scopes: ['respond'] } };
    const inline = loadApiConfig({ INCIDENT_API_TOKENS: JSON.stringify(tokens) });
    assert.deepEqual(inline.tokens.get(SECRET), { actor: 'alice', scopes: ['respond'] });
    assert.equal(inline.port, 8080);
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'api-tokens-')), 'tokens.json');
    await writeFile(file, JSON.stringify(tokens));
    assert.equal(loadApiConfig({ INCIDENT_API_TOKENS_FILE: file }).tokens.size, 1);
    assert.match(refusal({ INCIDENT_API_TOKENS: JSON.stringify(tokens), INCIDENT_API_TOKENS_FILE: file }), /not both/);
  });

  it('names the bad entry by position, never echoing a token', () => {
    const bad = [
      { [SECRET]: { actor: 'alice', scopes: ['root'] } },
      { [SECRET]: { actor: 'ali:ce', scopes: ['read'] } },
      { short: { actor: 'alice', scopes: ['read'] } },
      { [SECRET]: { actor: 'alice', scopes: [] } },
    ];
    for (const tokens of bad) {
      const message = refusal({ INCIDENT_API_TOKENS: JSON.stringify(tokens) });
      assert.match(message, /INCIDENT_API_TOKENS: (token #1|tokens)/, message);
      assert.doesNotMatch(message, new RegExp(`${SECRET}|short`), 'the token stays secret');
    }
    const broken = refusal({ INCIDENT_API_TOKENS: `{"${SECRET}": ` });
    assert.match(broken, /must be a JSON object/);
    assert.doesNotMatch(broken, new RegExp(SECRET));
    assert.match(refusal({ INCIDENT_API_PORT: '99999' }), /INCIDENT_API_PORT: must be 0-65535/);
  });

  it('finds a token’s identity, and nothing for a near miss', () => {
    const registry = new TokenRegistry(
      loadApiConfig({ INCIDENT_API_TOKENS: JSON.stringify({ [SECRET]: { actor: 'alice', scopes: ['read'] } }) }).tokens,
    );
    assert.equal(registry.find(SECRET)?.actor, 'alice');
    for (const guess of [`${SECRET}x`, SECRET.slice(1), SECRET.toUpperCase(), ''])
      assert.equal(registry.find(guess), null);
  });
});
