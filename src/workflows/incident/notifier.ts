import { setCurrentDetails } from '@temporalio/workflow';
import { hasPatch } from './release';
import type { IncidentRef, MessageContent, OpeningPost, PageReason } from '../../activities/types';
import { planDeadlines } from '../../domain/deadlines';
import { packMessage } from '../../domain/packed-message';
import type { IncidentState, PublicUpdate } from '../../domain/incident';
import { factsFor, hears, templateFor, type MessageFacts } from '../../domain/message-facts';
import type { TemplateName } from '../../domain/policy/audiences';
import type { RenderedMessage } from '../../domain/templates';
import { channelTopic, incidentSummary } from '../../domain/templates';
import { notifications } from './activity-profiles';
import { Deliveries } from './deliveries';
import { incidentCurrentDetails } from './details';
import { Pager, type PageAction } from './pager';
import type { Recorder } from './recorder';
import { StatusPageUpdates } from './status-page';

/** Incidents declared since this patch open their channel and post the declaration in one activity. */
export const DECLARATION_WITH_CHANNEL_PATCH = 'declaration-with-channel-v1';

/**
 * Incidents declared since this patch open their channel with everything said before it existed: the activity that
 * opens it also pins the first summary and posts the declaration's prompts and checklists, which would otherwise
 * wait for it and take an activity each. Their channel is scheduled first and a page with nothing before it right
 * away, so both leave with the workflow task that asked for them.
 */
export const CHANNEL_OPENING_PATCH = 'channel-opening-v1' as const;

/**
 * Incidents declared since this patch (their policy carries audiences) tell each audience what its severity makes it
 * hear, by its own channels, rendered by the activity from the facts; announce declaration and resolution in the
 * team channel; and post the internal update and the post-incident summary from the template files. Older incidents
 * email the contacts `stakeholders` and `security` as they did.
 */
export const AUDIENCES_PATCH = 'audiences-v1';

/**
 * The incident's notifications: its channel and what is posted there, audiences, email, the status page and the
 * pager, each sent in the background and recorded on the timeline (deliveries.ts).
 */
export class Notifier extends Deliveries {
  private channelReady: Promise<unknown> = Promise.resolve();
  private lastSummary: Promise<unknown> = Promise.resolve();
  /** Whether the next summary is the first in a channel this incident opened, not one it found already there. */
  private firstSummary = false;
  private shownDetails = '';
  /** A channel whose opening waits for sendChannelOpening(), with the posts made meanwhile (CHANNEL_OPENING_PATCH). */
  private opening?: ChannelOpening;
  private readonly pager: Pager;
  private readonly statusPages: StatusPageUpdates;

  /** @param ordered whether page actions to one target run in order (incidents since the planned-deadlines patch). */
  constructor(state: IncidentState, recorder: Recorder, ordered = true) {
    super(state, recorder);
    // Asked once, when the incident (or its run) starts: an incident declared before the patch keeps its old order.
    const atOnce = ordered && hasPatch(CHANNEL_OPENING_PATCH);
    // When a trigger fails for good, the target still hears of it: a chat mention and an email.
    this.pager = new Pager(this, ordered, atOnce, (fallback, target) => {
      this.chat(fallback, [target]);
      this.email([target], fallback);
    });
    this.statusPages = new StatusPageUpdates(this, () => this.details());
  }

  /**
   * Opens the incident channel and pins the declaration in it; every later chat message waits for both. Incidents
   * declared since CHANNEL_OPENING_PATCH hold the opening until sendChannelOpening(), so the chat posts and the summary
   * made until then travel with it.
   */
  openChannel(declaration: RenderedMessage, responders: string[]): void {
    const ref = this.ref('channel');
    // Since this patch one activity opens the channel and posts the declaration: one workflow task and one
    // activity less before responders read anything. Incidents declared before it post the declaration on its own.
    const together = hasPatch(DECLARATION_WITH_CHANNEL_PATCH);
    if (together && hasPatch(CHANNEL_OPENING_PATCH)) {
      let open!: (ready: Promise<unknown>) => void;
      // Messages that cannot travel with the opening (templates, rendered by their own activity) wait for it.
      this.channelReady = new Promise<Promise<unknown>>((resolve) => (open = resolve));
      this.lastSummary = this.channelReady;
      this.opening = { ref, declarationKey: this.ref('chat').key, declaration, responders, posts: [], open };
      this.details();
      return;
    }
    const declarationRef = together ? this.ref('chat') : undefined;
    const opened = notifications
      .openIncidentChannel({
        ...ref,
        title: this.state.title,
        severity: this.state.severity,
        security: this.state.security,
        topic: channelTopic(this.state),
        responders,
        ...(declarationRef
          ? { declaration: { key: declarationRef.key, message: packMessage(declaration), links: this.state.service } }
          : {}),
      })
      .then((receipt) => {
        this.state.chatChannel = receipt.channel;
        this.firstSummary &&= !receipt.duplicate;
        return receipt;
      });
    void this.track('chat', () => opened);
    // The declaration is the channel's first message; the rest may then arrive in any order but after it. When the
    // channel cannot be opened, the declaration still goes out the way every message does without a channel.
    this.channelReady = opened.catch(() => undefined);
    const post = { message: packMessage(declaration), links: this.state.service };
    this.channelReady = together
      ? opened.then(
          (receipt) => (receipt.declaration ? this.recordSent('chat', receipt.declaration) : undefined),
          // Not behind channelReady: that is this very promise, which would then wait for itself.
          () => this.postChat(post, undefined, true, Promise.resolve()),
        )
      : this.postChat(post, undefined, true);
    this.lastSummary = this.channelReady;
    this.firstSummary = true;
    this.summary();
  }

  /** Whether openChannel() holds the opening for sendChannelOpening() (incidents since CHANNEL_OPENING_PATCH). */
  holdsChannelOpening(): boolean {
    return this.opening !== undefined;
  }

  /**
   * Sends the channel opening that openChannel() held, with the posts and the summary made since. When the channel
   * cannot be opened, each of them still goes out the way every message does without a channel.
   */
  sendChannelOpening(): void {
    const opening = this.opening;
    if (!opening) return;
    this.opening = undefined;
    const links = this.state.service;
    const summaryRef = this.ref('summary');
    const opened = notifications
      .openIncidentChannel({
        ...opening.ref,
        title: this.state.title,
        severity: this.state.severity,
        security: this.state.security,
        topic: channelTopic(this.state),
        responders: opening.responders,
        declaration: { key: opening.declarationKey, message: packMessage(opening.declaration), links },
        summary: { key: summaryRef.key, summary: packMessage(incidentSummary(this.state)), links },
        posts: opening.posts,
      })
      .then((receipt) => {
        this.state.chatChannel = receipt.channel;
        return receipt;
      });
    void this.track('chat', () => opened);
    const delivered = opened.then(
      (receipt) => {
        for (const part of [receipt.declaration, receipt.summary, ...(receipt.posts ?? [])]) {
          if (part === undefined) continue;
          if ('failed' in part) this.recordFailed('chat', part.failed);
          else this.recordSent('chat', part);
        }
      },
      () => {
        const declared = this.postChat({ message: packMessage(opening.declaration), links }, undefined, true, READY);
        for (const post of opening.posts) void this.postChat({ message: post.message }, post.mention, false, declared);
        this.lastSummary = declared;
        this.summary();
        return declared;
      },
    );
    opening.open(this.watch(delivered));
    this.details();
  }

  chat(message: RenderedMessage, mention?: string[]): void {
    if (this.opening) {
      const { key } = this.ref('chat');
      this.opening.posts.push({ key, message: packMessage(message), ...(mention ? { mention } : {}) });
      return;
    }
    void this.postChat({ message: packMessage(message) }, mention);
  }

  /** A message the activity renders from a template file and these facts; settles once it is posted or failed. */
  chatTemplate(template: TemplateName, facts: MessageFacts): Promise<void> {
    return this.postChat({ template, facts });
  }

  private postChat(
    content: MessageContent,
    mention?: string[],
    pin?: boolean,
    ready: Promise<unknown> = this.channelReady,
  ): Promise<void> {
    const ref = this.ref('chat');
    return this.track('chat', async () => {
      await ready;
      return notifications.postToChat({ ...ref, channel: this.state.chatChannel, ...content, mention, pin });
    });
  }

  /** Whether this incident tells audiences (see AUDIENCES_PATCH); older incidents email as they did. */
  byAudience(): boolean {
    return this.state.policy.audiences !== undefined && hasPatch(AUDIENCES_PATCH);
  }

  /**
   * Tells every audience that hears this event (runbook 002), each in the template its detail calls for and with
   * only the facts it may read: one email to its addresses, one post per Slack channel or person.
   */
  audiences(facts: MessageFacts): void {
    for (const audience of this.state.policy.audiences ?? []) {
      if (!hears(audience, facts.event, this.state.security)) continue;
      const seen = factsFor(audience, facts);
      if (seen === null) continue;
      const template = templateFor(audience, seen);
      const links = facts.event === 'declaration' ? { links: this.state.service } : {};
      if (audience.email.length > 0) {
        const ref = this.ref(`email-${audience.name}`);
        const request = { ...ref, audience: audience.email, template, facts: seen, ...links };
        void this.track('email', () => notifications.sendEmail(request), undefined, audience.name);
      }
      for (const channel of audience.slack) {
        const ref = this.ref(`chat-${audience.name}`);
        const request = { ...ref, channel, template, facts: seen, ...links };
        void this.track('chat', () => notifications.postToChat(request), undefined, audience.name);
      }
    }
  }

  /** One line in the team's announcement channel (runbook 002's #incident-response); drills stay out of it. */
  announce(line: string): void {
    const announcements = this.state.policy.announcements;
    if (!announcements || this.state.drill) return;
    const ref = this.ref('announce');
    const message: RenderedMessage = { kind: 'note', subject: line, text: line, fields: [] };
    const request = { ...ref, channel: announcements.slack, message };
    void this.track('chat', () => notifications.postToChat(request), undefined, 'announcements');
  }

  /**
   * Refreshes the pinned summary message and the channel topic from the state as it is now. Refreshes run one
   * after another, so an older summary can never land after a newer one.
   */
  summary(): void {
    // The opening pins the summary of the state as it is when it is sent.
    if (this.opening) return this.details();
    const ref = this.ref('summary');
    const previous = this.lastSummary;
    const summary = packMessage(incidentSummary(this.state));
    const topic = channelTopic(this.state);
    const refresh = (async () => {
      await previous;
      const links = this.state.service;
      const first = this.firstSummary ? { first: true } : {};
      this.firstSummary = false;
      return notifications.updateChatSummary({
        ...ref,
        channel: this.state.chatChannel,
        summary,
        topic,
        links,
        ...first,
      });
    })();
    this.lastSummary = refresh.catch(() => undefined);
    void this.track('chat', () => refresh);
    this.details();
  }

  /**
   * Refreshes the details the Web UI shows (status, IC, next deadline, last public update). They live in the worker's
   * memory and are read by the UI's metadata query: no history, and a replay renders them again from the same state.
   */
  details(): void {
    const details = incidentCurrentDetails(this.state, planDeadlines(this.state)[0]);
    if (details === this.shownDetails) return;
    this.shownDetails = details;
    setCurrentDetails(details);
  }

  /** Archives the channel once everything already queued (the closing note, the last summary) has landed. */
  archiveChannel(): void {
    const ref = this.ref('archive');
    const queued = Promise.all([this.channelReady, ...this.pending]);
    void this.track('chat', async () => {
      await queued;
      return notifications.archiveChannel({ ...ref, channel: this.state.chatChannel });
    });
  }

  /** Public updates never reach a status page for security incidents or drills. */
  statusPage(phase: PublicUpdate['phase'], text?: string): void {
    this.statusPages.publish(phase, text);
  }

  /** Pages through the pager; when a trigger fails for good, falls back to a chat mention and an email. */
  page(action: PageAction, target: string, reason: PageReason, level: number): void {
    this.pager.page(action, target, reason, level);
  }

  email(audience: string[], message: RenderedMessage): void {
    const ref = this.ref('email');
    void this.track('email', () => notifications.sendEmail({ ...ref, audience, message: packMessage(message) }));
  }
}

/** Already settled: what a delivery waits on when nothing comes before it. */
const READY: Promise<unknown> = Promise.resolve();

interface ChannelOpening {
  ref: IncidentRef;
  declarationKey: string;
  declaration: RenderedMessage;
  responders: string[];
  posts: OpeningPost[];
  /** Settles channelReady with the opening's delivery. */
  open: (ready: Promise<unknown>) => void;
}
