import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The embedded default for every channel: each delivery is one JSON line in `<dir>/<channel>.jsonl`,
 * which `incident outbox` shows. Keys make delivery idempotent: a key already written is not written again.
 */
export const OUTBOX_CHANNELS = ['chat', 'email', 'status-page', 'pager'] as const;
export type OutboxChannel = (typeof OUTBOX_CHANNELS)[number];

export interface OutboxRecord {
  channel: OutboxChannel;
  key: string;
  incidentId: string;
  at: string;
  drill: boolean;
  payload: Record<string, unknown>;
}

export class Outbox {
  private readonly keys = new Map<OutboxChannel, Promise<Set<string>>>();
  /** Appends are chained per process so the check-then-append of a key is never interleaved. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly dir: string) {}

  deliver(record: Omit<OutboxRecord, 'at'>): Promise<{ duplicate: boolean }> {
    const next = this.queue.then(async () => {
      const keys = await this.keysOf(record.channel);
      if (keys.has(record.key)) return { duplicate: true };
      await mkdir(this.dir, { recursive: true });
      const line = JSON.stringify({ ...record, at: new Date().toISOString() } satisfies OutboxRecord);
      await appendFile(this.fileOf(record.channel), `${line}\n`, 'utf8');
      keys.add(record.key);
      return { duplicate: false };
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Whether a delivery with this key was already recorded (by this or an earlier process). */
  async has(channel: OutboxChannel, key: string): Promise<boolean> {
    await this.queue;
    return (await this.keysOf(channel)).has(key);
  }

  async read(filter: { incidentId?: string; channel?: OutboxChannel } = {}): Promise<OutboxRecord[]> {
    const channels = filter.channel ? [filter.channel] : OUTBOX_CHANNELS;
    const records = (await Promise.all(channels.map((channel) => this.readChannel(channel)))).flat();
    return records
      .filter((record) => filter.incidentId === undefined || record.incidentId === filter.incidentId)
      .sort((a, b) => a.at.localeCompare(b.at));
  }

  private keysOf(channel: OutboxChannel): Promise<Set<string>> {
    let keys = this.keys.get(channel);
    if (!keys) {
      keys = this.readChannel(channel).then((records) => new Set(records.map((r) => r.key)));
      this.keys.set(channel, keys);
    }
    return keys;
  }

  private async readChannel(channel: OutboxChannel): Promise<OutboxRecord[]> {
    let text: string;
    try {
      text = await readFile(this.fileOf(channel), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as OutboxRecord);
  }

  private fileOf(channel: OutboxChannel): string {
    return path.join(this.dir, `${channel}.jsonl`);
  }
}
