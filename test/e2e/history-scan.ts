import type { Client } from '@temporalio/client';

/**
 * Reads back every workflow history in the namespace and looks for secret values in it. Payloads are bytes
 * (base64 in the JSON form of a history), so every byte field is decoded to text before the search: a secret
 * inside an activity input, a result, a failure's details or a search attribute is found either way.
 */
export interface HistoryScan {
  histories: number;
  events: number;
  /** Workflow ids scanned. */
  workflowIds: string[];
  /** `workflowId: needle` for every needle found. */
  hits: string[];
  /** The searchable text of each history, by `workflowId/runId`. */
  texts: Map<string, string>;
}

export async function scanHistories(client: Client, needles: string[]): Promise<HistoryScan> {
  const scan: HistoryScan = { histories: 0, events: 0, workflowIds: [], hits: [], texts: new Map() };
  for await (const execution of client.workflow.list()) {
    const handle = client.workflow.getHandle(execution.workflowId, execution.runId);
    const history = await handle.fetchHistory();
    const text = JSON.stringify(decoded(history));
    scan.histories += 1;
    scan.events += history.events?.length ?? 0;
    scan.workflowIds.push(execution.workflowId);
    scan.texts.set(`${execution.workflowId}/${execution.runId}`, text);
    for (const needle of needles) {
      if (containsSecret(text, needle)) scan.hits.push(`${execution.workflowId}: ${needle}`);
    }
  }
  return scan;
}

/** A secret counts as found in plain text, base64 or URL-encoded form. */
export function containsSecret(text: string, secret: string): boolean {
  return [secret, Buffer.from(secret).toString('base64'), encodeURIComponent(secret)].some((form) =>
    text.includes(form),
  );
}

/** The history as plain JSON, with every byte field shown both as text and as base64. */
function decoded(value: unknown): unknown {
  if (value instanceof Uint8Array) {
    const bytes = Buffer.from(value);
    return { text: bytes.toString('utf8'), base64: bytes.toString('base64') };
  }
  if (Array.isArray(value)) return value.map(decoded);
  if (value !== null && typeof value === 'object') {
    // protobufjs Longs (event ids, sizes) print as their number.
    if ('low' in value && 'high' in value && 'unsigned' in value) return (value as { toString(): string }).toString();
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, decoded(inner)]));
  }
  return value;
}
