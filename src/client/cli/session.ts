import type { Client } from '@temporalio/client';
import { Outbox } from '../../activities/outbox/store';
import { openArchive } from '../../activities/archive/open';
import { loadConfig, loadPolicy, type AppConfig } from '../../config';
import { loadRecordsConfig } from '../../config/records';
import { connectClient } from '../connection';
import { DrillService } from '../drills';
import type { IncidentClientError } from '../errors';
import { IncidentService } from '../service';

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

const processIo: Io = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

/**
 * One CLI invocation: its output mode and, only once a command has passed validation, its configuration
 * and Temporal connection. Nothing connects before then, so invalid input never reaches Temporal.
 */
export class CliSession {
  json = false;
  /** `--request-id`: makes a retried command apply at most once. */
  requestId: string | undefined;
  private client: Client | undefined;
  private config: AppConfig | undefined;

  constructor(readonly io: Io = processIo) {}

  async incidents(): Promise<IncidentService> {
    const { taskQueue } = this.appConfig();
    this.client ??= await connectClient();
    return new IncidentService(this.client, { taskQueue, archive: openArchive(loadRecordsConfig().archive) });
  }

  /** The policy's drills and their Schedules, over the same connection. */
  async drills(): Promise<DrillService> {
    const { policyPath } = this.appConfig();
    this.client ??= await connectClient();
    return new DrillService(this.client, loadPolicy(policyPath).drills);
  }

  outbox(): Outbox {
    return new Outbox(this.appConfig().dirs.outboxDir);
  }

  request(): { requestId?: string } {
    return this.requestId === undefined ? {} : { requestId: this.requestId };
  }

  emit(human: string, machine: unknown): void {
    this.io.out(`${this.json ? JSON.stringify(machine, null, 2) : human}\n`);
  }

  fail(error: IncidentClientError): void {
    const { type, reason, requestId } = error;
    // A request that may still apply can be sent again under its id: Temporal applies it at most once.
    const message =
      requestId === undefined
        ? error.message
        : `${error.message}\nTo retry it safely (applied at most once), run it again with --request-id ${requestId}.`;
    if (this.json) return this.io.err(`${JSON.stringify({ error: { type, reason, message } })}\n`);
    this.io.err(
      `${message
        .split('\n')
        .map((line) => `incident: ${line}\n`)
        .join('')}`,
    );
  }

  async close(): Promise<void> {
    await this.client?.connection.close();
  }

  private appConfig(): AppConfig {
    return (this.config ??= loadConfig());
  }
}
