import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ApplicationFailure, type DataConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { loadCodecConfig, type CodecConfig, type CodecKey } from '../config/codec';

/**
 * AES-256-GCM over the whole payload (metadata and data), in the layout of Temporal's encryption samples: the
 * result's metadata says `binary/encrypted` and which key; its data is IV ‖ ciphertext ‖ tag. Payloads without
 * that encoding pass through decode untouched, so histories written before the codec was switched on still read.
 */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const text = (value: string) => new TextEncoder().encode(value);
const fromBytes = (value: Uint8Array | null | undefined) => (value ? Buffer.from(value).toString('utf8') : undefined);

export class AesGcmCodec implements PayloadCodec {
  private readonly byId: Map<string, Buffer>;
  private readonly current: CodecKey;

  /** Synchronous crypto behind the codec's promise API: a throw becomes a rejection, as callers expect. */
  private each(payloads: Payload[], transform: (payload: Payload) => Payload): Promise<Payload[]> {
    return new Promise((resolve) => resolve(payloads.map(transform)));
  }

  constructor(keys: CodecKey[]) {
    const [current] = keys;
    if (current === undefined) throw new Error('the payload codec needs at least one key');
    this.current = current;
    this.byId = new Map(keys.map(({ id, key }) => [id, key]));
  }

  encode(payloads: Payload[]): Promise<Payload[]> {
    return this.each(payloads, (payload) => {
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
      const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: { encoding: text(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: text(this.current.id) },
        data: sealed,
      };
    });
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    return this.each(payloads, (payload) => {
      if (fromBytes(payload.metadata?.encoding) !== ENCRYPTED_ENCODING) return payload;
      const keyId = fromBytes(payload.metadata?.[KEY_ID_METADATA]) ?? '';
      const key = this.byId.get(keyId);
      // Non-retryable: no restart of the worker brings a key back that the environment does not hold.
      if (key === undefined) {
        throw ApplicationFailure.nonRetryable(`payload encrypted with unknown key "${keyId}"`, 'UnknownCodecKey');
      }
      const sealed = Buffer.from(payload.data ?? new Uint8Array());
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      const plain = Buffer.concat([
        decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)),
        decipher.final(),
      ]);
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}

export function codecFrom(config: CodecConfig | undefined): AesGcmCodec | undefined {
  return config === undefined ? undefined : new AesGcmCodec(config.keys);
}

/** The data converter the worker, the CLI and the API share: the codec when INCIDENT_CODEC_KEYS is set. */
export function codecDataConverter(config: CodecConfig | undefined = loadCodecConfig()): DataConverter {
  const codec = codecFrom(config);
  return codec === undefined ? {} : { payloadCodecs: [codec] };
}
