import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { IncidentService } from '../../src/client/service';
import type { Severity } from '../../src/domain/severity';
import { incidentWorkflowId } from '../../src/workflows/definitions';
import type { RecordedEvent } from '../../test/fakes/pagerduty-api';
import type { RecordedCall } from '../../test/fakes/slack-api';
import { barePost, bareTimer, bareBlocked } from './bare/workflows';
import type { Rig } from './rig';
import { lastActivityAt, pagesTo, slackPosts, type Tail } from './watch';

/**
 * The two sides of every measurement on one rig: incidents declared through the real IncidentService on the
 * incident worker's queue, and bare workflows started on the bare worker's queue. Both end in the same fakes.
 */
export type Side = 'incident' | 'bare';
export const SIDES: readonly Side[] = ['incident', 'bare'];

const TITLE = 'Checkout is down';
/** Who declares: the service's `declaredBy`, the API token's actor. */
export const BY = 'pat';
/** How long a declaration may take to reach Slack before the bench counts it as failed. */
export const FIRST_POST_TIMEOUT_MS = 60_000;

export interface Started {
  /** Epoch ms just before the call (declare or start). */
  calledAt: number;
  /** How long the call itself took (from the monotonic clock, to a fraction of a millisecond). */
  callMs: number;
  /** The workflow's own deadline base, when it told us (the incident's declaredAt). */
  declaredAt?: number;
}

export class Workload {
  readonly posts: Tail<RecordedCall>;
  readonly secondaryPages: Tail<RecordedEvent>;
  private readonly tag = randomBytes(3).toString('hex');
  private next = 0;
  /** Incidents and bare workflows left open, terminated between rounds so they stop costing the worker. */
  private readonly open = new Set<string>();

  constructor(
    readonly rig: Rig,
    readonly incidents: IncidentService,
    readonly bareQueue: string,
  ) {
    this.posts = slackPosts(rig.slack);
    this.secondaryPages = pagesTo(rig.pagerduty, rig.secrets.routingKeys['secondary-oncall'], /^incident-(b\w+-\d+)-/);
  }

  newId(): string {
    return `b${this.tag}-${this.next++}`;
  }

  /** The channel the incident's first post lands in: named by the provider from id and title. */
  incidentChannel(id: string): string {
    return `inc-${id}-${TITLE.toLowerCase().replaceAll(' ', '-')}`;
  }

  bareChannel(id: string): string {
    return `bare-${id}`;
  }

  /** What every bench incident declares: the HTTP API sends the same fields, its token standing for `by`. */
  declaration(severity: Severity) {
    return { title: TITLE, severity, service: 'checkout', summary: 'Checkout answers 502 for most requests' };
  }

  async declare(id: string, severity: Severity): Promise<Started> {
    const calledAt = Date.now();
    const t0 = performance.now();
    this.track(id);
    const view: unknown = await this.incidents.declare({ id, ...this.declaration(severity), declaredBy: BY });
    const declaredAt = (view as { declaredAt?: unknown } | undefined)?.declaredAt;
    return {
      calledAt,
      callMs: performance.now() - t0,
      ...(typeof declaredAt === 'number' ? { declaredAt } : {}),
    };
  }

  /** An incident declared some other way (the HTTP API) is terminated between rounds like the others. */
  track(incidentId: string): void {
    this.open.add(incidentWorkflowId(incidentId));
  }

  async startBare(id: string, kind: 'post' | 'timer' | 'blocked', sleepMs = 0): Promise<Started> {
    const channel = this.rig.slack.addChannel({ name: this.bareChannel(id), creator: this.rig.slack.botUserId });
    const workflowId = `bare-${id}`;
    const options = { taskQueue: this.bareQueue, workflowId };
    const calledAt = Date.now();
    const t0 = performance.now();
    if (kind === 'post')
      await this.rig.client.workflow.start(barePost, { ...options, args: [{ channel: channel.id }] });
    if (kind === 'timer')
      await this.rig.client.workflow.start(bareTimer, { ...options, args: [{ channel: channel.id, sleepMs }] });
    if (kind === 'blocked') {
      this.open.add(workflowId);
      await this.rig.client.workflow.start(bareBlocked, { ...options, args: [{ channel: channel.id }] });
    }
    return { calledAt, callMs: performance.now() - t0 };
  }

  /** Declare (or start) and wait for the first chat post in its channel; returns both times in ms. */
  async toFirstPost(side: Side, id: string, severity: Severity = 'SEV-2', kind: 'post' | 'blocked' = 'post') {
    const started = side === 'incident' ? await this.declare(id, severity) : await this.startBare(id, kind);
    const channel = side === 'incident' ? this.incidentChannel(id) : this.bareChannel(id);
    const post = await this.posts.waitFor(channel, FIRST_POST_TIMEOUT_MS);
    return { calledAt: started.calledAt, callMs: started.callMs, firstPostMs: post.at - started.calledAt };
  }

  /** Waits until neither fake has heard anything for `quietMs` (at most `maxMs`), so samples do not overlap. */
  async quiet(quietMs = 150, maxMs = 5_000): Promise<void> {
    const until = Date.now() + maxMs;
    while (Date.now() < until && Date.now() - lastActivityAt(this.rig.slack, this.rig.pagerduty) < quietMs) {
      await sleep(25);
    }
  }

  /** Terminates what is still open, a few at a time: an open incident stays cached and keeps its timers. */
  async closeOpen(): Promise<void> {
    const ids = [...this.open];
    this.open.clear();
    await pool(ids, 8, async (workflowId) => {
      await this.rig.client.workflow
        .getHandle(workflowId)
        .terminate('bench round over')
        .catch(() => undefined);
    });
  }

  stop(): void {
    this.posts.stop();
    this.secondaryPages.stop();
  }
}

/** Runs `task` over `items` with at most `concurrency` in flight. */
export async function pool<T>(items: readonly T[], concurrency: number, task: (item: T) => Promise<void>) {
  let index = 0;
  const runners = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (index < items.length) await task(items[index++]!);
  });
  await Promise.all(runners);
}

/** Alternates which side goes first in each round, so neither always runs on a warmer (or busier) machine. */
export function sidesFor(round: number): readonly Side[] {
  return round % 2 === 0 ? SIDES : [...SIDES].reverse();
}

export function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.slice(0, 300);
}
