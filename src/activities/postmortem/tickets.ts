import type { IncidentRef } from '../types';
import { gitHubCaller } from './writers';

export interface FileActionItemRequest extends IncidentRef {
  itemId: string;
  title: string;
  owner: string;
  kind: string;
  dueAt: number;
  /** The postmortem document, linked from the ticket. */
  document: string;
}

export interface Ticket {
  number: number;
  url: string;
}

/** Where action items are filed as tickets: GitHub issues today, the same two calls for Jira later. */
export interface TicketProvider {
  /** Files the item once (a retry finds the ticket it filed), or returns null when no tracker is configured. */
  file(request: FileActionItemRequest): Promise<Ticket | null>;
  /** Which of these tickets are closed now. */
  closed(incidentId: string, numbers: number[]): Promise<number[]>;
}

/** No tracker configured: action items live in the postmortem workflow only. */
export const noTickets: TicketProvider = {
  file: () => Promise.resolve(null),
  closed: () => Promise.resolve([]),
};

interface GitHubIssue {
  number: number;
  html_url: string;
  state: 'open' | 'closed';
  labels: Array<{ name: string }>;
}

/** Action items as GitHub issues labelled `action-item` and `incident:<id>`; a per-item label finds a retry's issue. */
export function githubTickets(options: { token: string; repo: string; apiUrl?: string }): TicketProvider {
  const base = `${(options.apiUrl ?? 'https://api.github.com').replace(/\/$/, '')}/repos/${options.repo}/issues`;
  const request = gitHubCaller(options);
  const call = async <T>(method: string, url: string, body?: unknown): Promise<T> =>
    (await (await request(method, new URL(url), body)).json()) as T;
  const list = (incidentId: string, extra: string[], state: 'all' | 'closed') =>
    call<GitHubIssue[]>(
      'GET',
      `${base}?${new URLSearchParams({ labels: ['action-item', `incident:${incidentId}`, ...extra].join(','), state, per_page: '100' }).toString()}`,
    );
  return {
    async file(request) {
      const itemLabel = `action:${request.incidentId}/${request.itemId}`;
      const [existing] = await list(request.incidentId, [itemLabel], 'all');
      if (existing) return { number: existing.number, url: existing.html_url };
      const issue = await call<GitHubIssue>('POST', base, {
        title: `[${request.kind}] ${request.title}`,
        body: [
          `Action item ${request.itemId} from the postmortem of incident ${request.incidentId}: ${request.document}`,
          `Owner: ${request.owner}`,
          `Due: ${new Date(request.dueAt).toISOString()}`,
          'Closing this issue closes the action item.',
        ].join('\n\n'),
        labels: ['action-item', `incident:${request.incidentId}`, itemLabel, `kind:${request.kind}`],
      });
      return { number: issue.number, url: issue.html_url };
    },
    async closed(incidentId, numbers) {
      const closed = await list(incidentId, [], 'closed');
      return closed.map((issue) => issue.number).filter((number) => numbers.includes(number));
    },
  };
}

export function ticketActivities(tickets: TicketProvider) {
  return {
    async fileActionItem(request: FileActionItemRequest): Promise<Ticket | null> {
      return tickets.file(request);
    },
    async closedTickets(request: { incidentId: string; numbers: number[] }): Promise<number[]> {
      return tickets.closed(request.incidentId, request.numbers);
    },
  };
}
