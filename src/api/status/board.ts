import type { IncidentSummary, ListFilter } from '../../client/service';
import type { IncidentView } from '../../workflows/definitions';
import { publicIncident, type PublicIncident } from './public-incident';

/** What the board reads incidents through: the API's IncidentService (Visibility for the list, a query each). */
export interface IncidentSource {
  list(filter: ListFilter): Promise<IncidentSummary[]>;
  show(id: string): Promise<IncidentView>;
}

export interface StatusSnapshot {
  /** When the incidents were read. */
  readAt: number;
  /** Open incidents first, then resolved ones; newest first within each. */
  incidents: PublicIncident[];
  /** The latest public change on the page (or when the board started, on a page that never changed). */
  updatedAt: number;
}

export interface StatusBoardOptions {
  /** How long a read serves every reader before the incidents are read again. */
  ttlMs?: number;
  /** Resolved incidents older than this leave the page. */
  historyDays?: number;
  /** At most this many incidents (newest first) are considered. */
  maxIncidents?: number;
  /** Incident queries in flight at once during a refresh. */
  concurrency?: number;
  now?: () => number;
}

const DAY_MS = 86_400_000;

/**
 * The public page's view of the incidents, read from the workflows themselves and shared by every reader: one
 * Visibility list and one query per open incident every `ttlMs` at most, however many readers arrive (a read in
 * flight is joined, not repeated). A closed incident never changes again, so it is queried once and remembered.
 * When Temporal does not answer, readers get the last good snapshot rather than an error.
 */
export class StatusBoard {
  private readonly ttlMs: number;
  private readonly historyMs: number;
  private readonly maxIncidents: number;
  private readonly concurrency: number;
  private readonly now: () => number;
  private readonly startedAt: number;
  /** Closed incidents by workflow id: their public view (null when the page never shows them). */
  private readonly settled = new Map<string, PublicIncident | null>();
  /** Open incidents' last good view, for a query that fails during a refresh. */
  private readonly lastOpen = new Map<string, PublicIncident | null>();
  private current: StatusSnapshot | undefined;
  private inFlight: Promise<StatusSnapshot> | undefined;

  constructor(
    private readonly source: IncidentSource,
    options: StatusBoardOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 5_000;
    this.historyMs = (options.historyDays ?? 90) * DAY_MS;
    this.maxIncidents = options.maxIncidents ?? 200;
    this.concurrency = options.concurrency ?? 8;
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
  }

  get createdAt(): number {
    return this.startedAt;
  }

  async read(): Promise<StatusSnapshot> {
    if (this.current && this.now() - this.current.readAt < this.ttlMs) return this.current;
    this.inFlight ??= this.refresh().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async refresh(): Promise<StatusSnapshot> {
    let rows: IncidentSummary[];
    try {
      rows = await this.source.list({ drill: false, limit: this.maxIncidents });
    } catch (error) {
      if (this.current) return this.current;
      throw error;
    }
    // Terminated or failed runs are not incidents anyone resolved: the page leaves them out.
    const kept = rows.filter((row) => row.execution === 'RUNNING' || row.execution === 'COMPLETED');
    // p-map is an ES module; this CommonJS build reaches it through import().
    const { default: pMap } = await import('p-map');
    const views = await pMap(kept, (row) => this.publicView(row), { concurrency: this.concurrency });
    const cutoff = this.now() - this.historyMs;
    const incidents = views
      .filter((incident): incident is PublicIncident => incident !== null)
      .filter((incident) => incident.open || (incident.resolvedAt ?? 0) >= cutoff)
      .sort((a, b) => Number(b.open) - Number(a.open) || b.declaredAt - a.declaredAt);
    const present = new Set(kept.map((row) => row.workflowId));
    for (const known of [this.settled, this.lastOpen]) {
      for (const id of known.keys()) if (!present.has(id)) known.delete(id);
    }
    this.current = {
      readAt: this.now(),
      incidents,
      updatedAt: Math.max(this.startedAt, ...incidents.map((incident) => incident.updatedAt)),
    };
    return this.current;
  }

  private async publicView(row: IncidentSummary): Promise<PublicIncident | null> {
    const closed = row.execution === 'COMPLETED';
    if (closed && this.settled.has(row.workflowId)) return this.settled.get(row.workflowId) ?? null;
    try {
      const view = publicIncident(await this.source.show(row.id));
      if (closed) this.settled.set(row.workflowId, view);
      this.lastOpen.set(row.workflowId, view);
      return view;
    } catch {
      // A worker restarting or a query timing out: show what the page last knew rather than nothing.
      return this.lastOpen.get(row.workflowId) ?? null;
    }
  }
}
