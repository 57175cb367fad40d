import { condition, proxyActivities, sleep } from '@temporalio/workflow';
import type { BareActivities } from './activities';

/**
 * The baseline: the least a Temporal workflow can do to reach the same Slack fake the incident worker posts to.
 * Each one stands for one incident measurement, so the ratio shows what the incident workflow adds.
 */
const { post } = proxyActivities<BareActivities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '200ms', maximumAttempts: 5 },
});

export interface BarePostInput {
  channel: string;
}

/** Start → one activity that posts: the counterpart of declare → first chat post. */
export async function barePost(input: BarePostInput): Promise<void> {
  await post({ channel: input.channel, text: 'bare: declared' });
}

/** Sleep, then post: the counterpart of an acknowledgement deadline that pages. */
export async function bareTimer(input: BarePostInput & { sleepMs: number }): Promise<void> {
  // The deadline by workflow time, as the incident computes its own from its declaredAt.
  const deadline = Date.now() + input.sleepMs;
  await sleep(input.sleepMs);
  await post({ channel: input.channel, text: `bare: deadline=${deadline}` });
}

/** Post, then stay open and cached until terminated: the counterpart of an open incident. */
export async function bareBlocked(input: BarePostInput): Promise<void> {
  await post({ channel: input.channel, text: 'bare: declared' });
  await condition(() => false);
}
