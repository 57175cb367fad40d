import {
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { archiveKey, type ArchivedIncident, type IncidentArchive } from './record';

export interface S3ArchiveOptions {
  bucket: string;
  /** Keys are `<prefix><incident id>.json`. */
  prefix: string;
  region: string;
  /** An S3-compatible server; addressed path-style, as most of them expect. */
  endpoint?: string;
  /** Tests pass them; otherwise the SDK's own chain (environment, profile, instance role) finds them. */
  credentials?: S3ClientConfig['credentials'];
}

/** Closed incidents as objects in an S3 bucket; a PUT replaces the object whole, so writing again is idempotent. */
export function s3Archive(options: S3ArchiveOptions): IncidentArchive {
  const client = new S3Client({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint, forcePathStyle: true } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    maxAttempts: 3,
  });
  const key = (incidentId: string) => `${options.prefix}${archiveKey(incidentId)}`;
  const read = async (objectKey: string): Promise<ArchivedIncident | null> => {
    try {
      const object = await client.send(new GetObjectCommand({ Bucket: options.bucket, Key: objectKey }));
      return JSON.parse((await object.Body?.transformToString('utf8')) ?? 'null') as ArchivedIncident | null;
    } catch (error) {
      if (error instanceof NoSuchKey) return null;
      throw error;
    }
  };
  return {
    location: `s3://${options.bucket}/${options.prefix}`,
    async put(record) {
      const objectKey = key(record.incident.id);
      await client.send(
        new PutObjectCommand({
          Bucket: options.bucket,
          Key: objectKey,
          Body: JSON.stringify(record),
          ContentType: 'application/json',
        }),
      );
      return { destination: `s3://${options.bucket}/${objectKey}` };
    },
    async get(incidentId) {
      return read(key(incidentId));
    },
    async list() {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: options.bucket, Prefix: options.prefix, ContinuationToken: token }),
        );
        for (const object of page.Contents ?? []) if (object.Key?.endsWith('.json')) keys.push(object.Key);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
      const records = await Promise.all(keys.map(read));
      return records.filter((record): record is ArchivedIncident => record !== null);
    },
  };
}
