import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { AesGcmCodec, codecDataConverter, ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../../src/codec/aes-gcm';
import { loadCodecConfig } from '../../src/config/codec';

const key = () => randomBytes(32).toString('base64');
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('utf8');
const incident = { title: 'Customer database exfiltrated', impact: 'all EU customers', hypothesis: 'stolen token' };

void describe('AES-256-GCM payload codec', () => {
  void test('encrypts the whole payload, names its key, and decrypts it back', async () => {
    const config = loadCodecConfig({ INCIDENT_CODEC_KEYS: `k2026=${key()}` });
    assert.ok(config);
    const codec = new AesGcmCodec(config.keys);
    const plain = defaultPayloadConverter.toPayload(incident);
    const [sealed] = await codec.encode([plain]);
    assert.equal(text(sealed!.metadata?.encoding), ENCRYPTED_ENCODING);
    assert.equal(text(sealed!.metadata?.[KEY_ID_METADATA]), 'k2026');
    assert.ok(!Buffer.from(sealed!.data!).toString('latin1').includes('exfiltrated'));
    // The plaintext's own metadata (json/plain) is inside the ciphertext too.
    assert.ok(!Object.keys(sealed!.metadata ?? {}).some((k) => !['encoding', KEY_ID_METADATA].includes(k)));
    const [opened] = await codec.decode([sealed!]);
    assert.deepEqual(defaultPayloadConverter.fromPayload(opened!), incident);
  });

  void test('rotation: the first key encrypts, older keys still decrypt what they wrote', async () => {
    const old = `k2025=${key()}`;
    const fresh = `k2026=${key()}`;
    const before = new AesGcmCodec(loadCodecConfig({ INCIDENT_CODEC_KEYS: old })!.keys);
    const after = new AesGcmCodec(loadCodecConfig({ INCIDENT_CODEC_KEYS: `${fresh},${old}` })!.keys);
    const [written] = await before.encode([defaultPayloadConverter.toPayload(incident)]);
    const [read] = await after.decode([written!]);
    assert.deepEqual(defaultPayloadConverter.fromPayload(read!), incident);
    const [rewritten] = await after.encode([read!]);
    assert.equal(text(rewritten!.metadata?.[KEY_ID_METADATA]), 'k2026');
  });

  void test('refuses an unknown key and a tampered payload; passes unencrypted payloads through', async () => {
    const codec = new AesGcmCodec(loadCodecConfig({ INCIDENT_CODEC_KEYS: `a=${key()}` })!.keys);
    const other = new AesGcmCodec(loadCodecConfig({ INCIDENT_CODEC_KEYS: `b=${key()}` })!.keys);
    const [sealed] = await other.encode([defaultPayloadConverter.toPayload(incident)]);
    await assert.rejects(codec.decode([sealed!]), /unknown key "b"/);
    const [mine] = await codec.encode([defaultPayloadConverter.toPayload(incident)]);
    const tampered: Payload = { ...mine!, data: Buffer.from(mine!.data!).fill(1, 20, 21) };
    await assert.rejects(codec.decode([tampered]), /unable to authenticate|auth/i);
    const plain = defaultPayloadConverter.toPayload(incident);
    assert.deepEqual(await codec.decode([plain]), [plain]);
  });

  void test('off unless keys are set; bad keys are named', () => {
    assert.equal(loadCodecConfig({}), undefined);
    assert.deepEqual(codecDataConverter(undefined), {});
    assert.throws(
      () => loadCodecConfig({ INCIDENT_CODEC_KEYS: `short=${randomBytes(16).toString('base64')}` }),
      /32 bytes/,
    );
    assert.throws(() => loadCodecConfig({ INCIDENT_CODEC_KEYS: 'no-equals-sign' }), /INCIDENT_CODEC_KEYS/);
    assert.throws(() => loadCodecConfig({ INCIDENT_CODEC_KEYS: `a=${key()},a=${key()}` }), /unique/);
    assert.throws(
      () => loadCodecConfig({ INCIDENT_CODEC_KEYS: `a=${key()}`, INCIDENT_CODEC_CORS_ORIGINS: 'not a url' }),
      /INCIDENT_CODEC_CORS_ORIGINS/,
    );
  });
});
