import { ApplicationFailure } from '@temporalio/common';
import type { Policy } from '../../domain/policy';
import { unpackMessage } from '../../domain/packed-message';
import type { ChatProvider } from '../providers';
import { serviceLinks, withFields } from '../templates/content';
import type { ChannelReceipt, DeliveryReceipt, OpenChannelRequest, OpeningDelivery } from '../types';

/**
 * Opens an incident's channel and delivers what the incident said before the channel existed: the declaration
 * (posted and pinned by the provider beside the invitations), then the first summary beside the other posts, which
 * go in the order they were made. Every delivery keeps its own key, so a retried attempt finds what an earlier one
 * posted and the channel ends with each message once. A passing failure fails the attempt, and Temporal retries it
 * whole; a message the provider refuses for good is reported as failed and does not keep the channel from opening.
 */
export async function openChannelWithPosts(
  chat: ChatProvider,
  policy: Policy,
  request: OpenChannelRequest,
  attempt: number,
): Promise<ChannelReceipt> {
  const { declaration, summary, posts, ...channelRequest } = request;
  const opened = declaration
    ? await chat.openChannel(channelRequest, {
        post: {
          ...channelRequest,
          key: declaration.key,
          message: withFields(unpackMessage(declaration.message), serviceLinks(policy, declaration.links)),
          pin: true,
        },
        attempt,
      })
    : await chat.openChannel(channelRequest);
  if (summary === undefined && posts === undefined) return opened;

  const { incidentId, drill, topic } = request;
  const channel = opened.channel;
  const pinned =
    summary &&
    unlessRefused(
      chat.updateSummary(
        {
          incidentId,
          drill,
          channel,
          topic,
          key: summary.key,
          summary: withFields(unpackMessage(summary.summary), serviceLinks(policy, summary.links)),
          ...(summary.links === undefined ? {} : { links: summary.links }),
          // A channel found already there may hold this summary from an earlier attempt: look for it first.
          first: !opened.duplicate,
        },
        attempt,
      ),
    );
  const posted = (async () => {
    const receipts: OpeningDelivery[] = [];
    for (const post of posts ?? []) {
      const message = unpackMessage(post.message);
      const request = { incidentId, drill, channel, key: post.key, message, mention: post.mention };
      receipts.push(await unlessRefused(chat.post(request, attempt)));
    }
    return receipts;
  })();
  const [summaryReceipt, postReceipts] = await Promise.all([pinned, posted]);
  return { ...opened, ...(summaryReceipt ? { summary: summaryReceipt } : {}), posts: postReceipts };
}

/** A refusal for good becomes the delivery's answer; anything else fails the attempt, to be retried. */
async function unlessRefused(delivery: Promise<DeliveryReceipt>): Promise<OpeningDelivery> {
  try {
    return await delivery;
  } catch (error) {
    if (error instanceof ApplicationFailure && error.nonRetryable) return { failed: error.message };
    throw error;
  }
}
