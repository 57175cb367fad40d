import type { FakePagerDutyApi, RecordedEvent } from '../../test/fakes/pagerduty-api';
import type { FakeSlackApi, RecordedCall } from '../../test/fakes/slack-api';

/**
 * Tails what a loopback fake recorded and hands each waiter the first record carrying its key. The time that
 * counts is the one the fake stamped on arrival, not when the poll noticed it, so the poll interval adds nothing.
 */
export class Tail<T> {
  private cursor = 0;
  private readonly first = new Map<string, T>();
  private readonly waiters = new Map<string, Array<(item: T) => void>>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly items: readonly T[],
    private readonly keyOf: (item: T) => string | undefined,
  ) {
    this.timer = setInterval(() => this.drain(), 5);
  }

  /** Resolves with the first record for `key` (perhaps one that arrived already); rejects after `timeoutMs`. */
  waitFor(key: string, timeoutMs: number): Promise<T> {
    this.drain();
    const seen = this.first.get(key);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise<T>((resolve, reject) => {
      const timeout = setTimeout(() => {
        this.waiters.set(
          key,
          (this.waiters.get(key) ?? []).filter((w) => w !== done),
        );
        reject(new Error(`nothing for ${key} within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (item: T) => {
        clearTimeout(timeout);
        resolve(item);
      };
      this.waiters.set(key, [...(this.waiters.get(key) ?? []), done]);
    });
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private drain(): void {
    while (this.cursor < this.items.length) {
      const item = this.items[this.cursor++]!;
      const key = this.keyOf(item);
      if (key === undefined || this.first.has(key)) continue;
      this.first.set(key, item);
      for (const waiter of this.waiters.get(key) ?? []) waiter(item);
      this.waiters.delete(key);
    }
  }
}

/** Successful chat.postMessage calls, keyed by the name of the channel they landed in. */
export function slackPosts(slack: FakeSlackApi): Tail<RecordedCall> {
  return new Tail(slack.calls, (call) => {
    if (call.method !== 'chat.postMessage' || call.status !== 200 || call.error !== undefined) return undefined;
    const channel = call.params.channel;
    return typeof channel === 'string' ? slack.channels.get(channel)?.name : undefined;
  });
}

/** Accepted PagerDuty triggers for one routing key, keyed by the incident id in the dedup key. */
export function pagesTo(pagerduty: FakePagerDutyApi, routingKey: string, incidentId: RegExp): Tail<RecordedEvent> {
  return new Tail(pagerduty.events, (record) => {
    const { event } = record;
    if (record.status !== 202 || event.event_action !== 'trigger' || event.routing_key !== routingKey) return undefined;
    return incidentId.exec(event.dedup_key ?? '')?.[1];
  });
}

/** The last time either fake heard anything: a run is quiet once this stops moving. */
export function lastActivityAt(slack: FakeSlackApi, pagerduty: FakePagerDutyApi): number {
  return Math.max(slack.calls.at(-1)?.at ?? 0, pagerduty.events.at(-1)?.at ?? 0);
}
