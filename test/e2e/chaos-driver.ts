import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { inspect } from 'node:util';
import { IncidentClientError, IncidentClientErrorType } from '../../src/client/errors';
import type { CommandInput, CommandName, IncidentService } from '../../src/client/service';
import { shuffle, type Random } from './chaos-random';

/**
 * Drives incidents through their whole lifecycle the way a responder at a flaky terminal would: every command
 * that fails because the worker or the server is down is sent again with its request id, and a rejection that
 * says the step is already done counts as done. What was sent when is recorded, because whether an escalation
 * was due depends on when a person issued the command, not on when a restarted worker got to it.
 */

export type View = Awaited<ReturnType<IncidentService['show']>>;

/** The fast SEV-1 policy the chaos test runs on; the ack ladder and the unresolved clock are what it checks. */
export const CHAOS_POLICY = {
  ackWithinMs: 4_000,
  /** The ladder's second step, counted from when the first fell due. */
  ladderStepMs: 5_000,
  unresolvedMs: 35_000,
};

export const CHAOS_SEV1 = {
  acknowledgeWithin: `${CHAOS_POLICY.ackWithinMs / 1000}s`,
  escalationLadder: [
    { target: 'secondary-oncall' },
    { target: 'engineering-manager', after: `${CHAOS_POLICY.ladderStepMs / 1000}s` },
  ],
  // No status cadence within the test: a reminder or escalation for it would be due nowhere, so any is a bug.
  statusUpdates: { every: '1h', escalateAfter: '1h', target: 'engineering-manager' },
  unresolved: { after: `${CHAOS_POLICY.unresolvedMs / 1000}s`, target: 'engineering-manager' },
  diagnostics: false,
};

/** Acknowledged at once; 1.5 s after the first escalation fell due; 1.5 s after the second one fell due. */
export type AckTiming = 'prompt' | 'late' | 'very-late';

export interface IncidentPlan {
  id: string;
  /** After the start of the run. */
  declareAfterMs: number;
  ack: AckTiming;
  /** Pauses before assign, status update, mitigation start and finish, resolve and close. */
  gapsMs: number[];
  /** Held open before resolving, so some incidents outlive the unresolved clock and some do not. */
  lingerMs: number;
}

/** Past a due time by this much, an ack is unmistakably late (the clocks are one machine's). */
export const LATE_BY_MS = 1_500;

export function planIncidents(random: Random, runId: string, count: number): IncidentPlan[] {
  const acks = shuffle(
    random,
    Array.from({ length: count }, (_, i): AckTiming => (['prompt', 'late', 'very-late'] as const)[i % 3]!),
  );
  return acks.map((ack, i) => ({
    id: `chaos-${runId}-${String(i + 1).padStart(2, '0')}`,
    declareAfterMs: random.int(0, 20_000),
    ack,
    gapsMs: Array.from({ length: 6 }, () => random.int(300, 2_500)),
    lingerMs: random.int(0, 1) === 0 ? random.int(0, 3_000) : random.int(15_000, 25_000),
  }));
}

export interface Attempt {
  sentAt: number;
  /** When the answer came (applied, or refused), so when the incident had the command at the latest. */
  answeredAt?: number;
  /** Why it did not count, when it did not. */
  error?: string;
}

export interface CommandRecord {
  command: string;
  attempts: Attempt[];
  /** Applied by one of the attempts, or found already done by a rejection or a look at the incident. */
  outcome: 'applied' | 'already-done';
}

export interface DrivenIncident {
  plan: IncidentPlan;
  declaredAt: number;
  /** The ack-escalation deadlines the incident showed while it waited, by level. */
  ackDeadlines: Map<number, number>;
  commands: Map<string, CommandRecord>;
}

type Log = (line: string) => void;

export class IncidentDriver {
  /** Answers a person would be misled by (they are retried all the same); printed at the end of the run. */
  readonly anomalies: string[] = [];

  constructor(
    private readonly incidents: IncidentService,
    private readonly log: Log,
    private readonly giveUpAfterMs = 90_000,
  ) {}

  /** Declare → acknowledge (on time or late, as planned) → assign → update → mitigate → resolve → close. */
  async drive(plan: IncidentPlan, startedAt: number): Promise<DrivenIncident> {
    const { id } = plan;
    const commands = new Map<string, CommandRecord>();
    const step = async <C extends CommandName>(
      name: C,
      input: CommandInput<C>,
      applied: (view: View) => boolean,
    ): Promise<void> => {
      const requestId = randomUUID();
      const send = () => this.incidents.command(name, id, input, { requestId });
      commands.set(name, await this.command(id, name, send, applied));
    };
    const gap = (i: number) => sleep(plan.gapsMs[i] ?? 500);

    await sleep(Math.max(0, startedAt + plan.declareAfterMs - Date.now()));
    const declaration = { requestId: randomUUID() };
    const declare = () =>
      this.incidents.declare(
        {
          id,
          title: `Chaos ${id}`,
          severity: 'SEV-1',
          service: 'checkout',
          summary: `Checkout errors (${id})`,
          declaredBy: 'pat',
        },
        declaration,
      );
    commands.set('declare', await this.command(id, 'declare', declare, () => true));
    const declared = await this.answer(id);
    const incident: DrivenIncident = { plan, declaredAt: declared.declaredAt, ackDeadlines: new Map(), commands };
    noteAckDeadlines(incident, declared);

    if (plan.ack !== 'prompt') {
      const due = await this.ackDeadline(incident, plan.ack === 'late' ? 1 : 2);
      await sleep(Math.max(0, due + LATE_BY_MS - Date.now()));
    }
    await step('acknowledge', { by: 'pat' }, (view) => view.acknowledgedAt !== null);
    await gap(0);
    await step(
      'assignRole',
      { role: 'commander', user: 'alice', by: 'pat' },
      (view) => view.roles.commander === 'alice',
    );
    await gap(1);
    const impact = `Checkout fails for some customers (${id})`;
    await step(
      'postStatusUpdate',
      { impact, hypothesis: `bad deploy (${id})`, userFacing: `Some customers cannot check out (${id}).`, by: 'alice' },
      (view) => view.statusUpdates.some((update) => update.impact === impact),
    );
    await gap(2);
    const action = `Roll back checkout (${id})`;
    await step('startMitigation', { action, kind: 'rollback', by: 'alice' }, (view) =>
      view.mitigations.some((m) => m.action === action),
    );
    await gap(3);
    const mitigation = (await this.answer(id)).mitigations.find((m) => m.action === action);
    if (!mitigation) throw new Error(`${id}: the mitigation "${action}" is not on the incident`);
    await step('finishMitigation', { actionId: mitigation.id, outcome: 'succeeded', by: 'alice' }, (view) =>
      view.mitigations.some((m) => m.id === mitigation.id && m.outcome === 'succeeded'),
    );
    await sleep(plan.lingerMs);
    await gap(4);
    await step('resolve', { by: 'alice', summary: `Rolled back (${id})` }, (view) => view.resolvedAt !== null);
    await gap(5);
    await step('close', { by: 'alice' }, (view) => view.status === 'closed');
    return incident;
  }

  /**
   * Sends a command until it counts. Every attempt carries the same request id, so an attempt the client gave up
   * on and that still applies later is not applied again by the retry: Temporal answers the retry with the first
   * outcome. The final checks count every command on the timeline, so a second application would show.
   */
  async command(
    id: string,
    command: string,
    send: () => Promise<unknown>,
    applied: (view: View) => boolean,
  ): Promise<CommandRecord> {
    const attempts: Attempt[] = [];
    const giveUpAt = Date.now() + this.giveUpAfterMs;
    for (;;) {
      // Retry once the incident answers again, rather than spinning while the worker or the server is away
      // (a declaration has no incident to ask yet).
      if (attempts.length > 0) await (command === 'declare' ? sleep(500) : this.answer(id, giveUpAt));
      const attempt: Attempt = { sentAt: Date.now() };
      attempts.push(attempt);
      try {
        await send();
        attempt.answeredAt = Date.now();
        return { command, attempts, outcome: 'applied' };
      } catch (error) {
        if (isRejection(error)) attempt.answeredAt = Date.now();
        attempt.error = describe(error);
        if (isRejection(error)) {
          const view = await this.answer(id, giveUpAt);
          if (applied(view)) {
            this.log(`${id} ${command}: rejected as already done (${attempt.error})`);
            return { command, attempts, outcome: 'already-done' };
          }
          throw new Error(`${id} ${command} was rejected: ${attempt.error}`, { cause: error });
        }
        // A declaration sent while the server restarts can come back "no incident": it never started, so send it again.
        const undeclared = command === 'declare' && isNotFound(error);
        if (undeclared) this.anomalies.push(`${id} declare answered "not found" (${attempt.error})`);
        if ((!isTransient(error) && !undeclared) || Date.now() > giveUpAt) {
          throw new Error(`${id} ${command} failed after ${attempts.length} attempts: ${attempt.error}`, {
            cause: error,
          });
        }
        this.log(`${id} ${command}: attempt ${attempts.length} failed, will retry (${attempt.error})`);
      }
    }
  }

  /** The incident's state, once it answers (the worker and the server may be on their way back). */
  answer(id: string, giveUpAt = Date.now() + this.giveUpAfterMs): Promise<View> {
    return this.read(() => this.incidents.show(id), giveUpAt);
  }

  /** A read (show, timeline) retried while the worker or the server is away. */
  async read<T>(query: () => Promise<T>, giveUpAt = Date.now() + this.giveUpAfterMs): Promise<T> {
    for (;;) {
      try {
        return await query();
      } catch (error) {
        if (!isTransient(error) || Date.now() > giveUpAt) throw error;
        await sleep(250);
      }
    }
  }

  /** When the ack escalation of `level` falls due, as the incident itself plans it (level 2 exists once 1 fired). */
  private async ackDeadline(incident: DrivenIncident, level: number): Promise<number> {
    const giveUpAt = Date.now() + this.giveUpAfterMs;
    for (;;) {
      const known = incident.ackDeadlines.get(level);
      if (known !== undefined) return known;
      if (Date.now() > giveUpAt) throw new Error(`${incident.plan.id}: no ack escalation of level ${level} planned`);
      await sleep(200);
      noteAckDeadlines(incident, await this.answer(incident.plan.id, giveUpAt));
    }
  }
}

/**
 * Ack deadlines as the incident plans them. One may come and go between two looks (a worker back from a kill
 * fires every step that fell due meanwhile at once), so a fired step's time comes from its timeline entry:
 * the `dueAt` it records when it fired late, otherwise when it fired.
 */
function noteAckDeadlines(incident: DrivenIncident, view: View): void {
  for (const deadline of view.deadlines) {
    if (deadline.kind === 'ack-escalation') incident.ackDeadlines.set(deadline.level, deadline.at);
  }
  for (const entry of view.timeline) {
    if (entry.type !== 'escalation' || entry.data?.reason !== 'ack-timeout') continue;
    const level = Number(entry.data.level);
    const dueAt = typeof entry.data.dueAt === 'string' ? Date.parse(entry.data.dueAt) : entry.at;
    if (!incident.ackDeadlines.has(level)) incident.ackDeadlines.set(level, dueAt);
  }
}

function isRejection(error: unknown): boolean {
  return error instanceof IncidentClientError && error.type === IncidentClientErrorType.Rejected;
}

/** The worker or the server is away: the command may or may not have been applied. */
function isTransient(error: unknown): boolean {
  return error instanceof IncidentClientError && error.type === IncidentClientErrorType.Unavailable;
}

function isNotFound(error: unknown): boolean {
  return error instanceof IncidentClientError && error.type === IncidentClientErrorType.NotFound;
}

/** The error and its causes, first lines only. */
function describe(error: unknown): string {
  const chain: string[] = [];
  for (let e: unknown = error; e !== undefined && chain.length < 4; e = e instanceof Error ? e.cause : undefined) {
    const text = e instanceof Error ? `${e.name}: ${e.message}` : inspect(e);
    chain.push(text.split('\n')[0]!.slice(0, 160));
  }
  return chain.join(' ← ');
}
