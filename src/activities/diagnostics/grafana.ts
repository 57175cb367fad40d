import type { RollbackEnvironment } from '../../config/rollback';
import type { DiagnosticsTools } from '../../domain/policy/diagnostics';
import { joinUrl, requestTool } from './tool-request';

export type GrafanaTool = NonNullable<DiagnosticsTools['grafana']>;

export interface Annotation {
  dashboardUid: string;
  /** Epoch ms: when it happened, not when the (possibly retried) activity ran. */
  time: number;
  text: string;
  tags: string[];
}

export interface AnnotationOutcome {
  annotated: boolean;
  detail: string;
}

/**
 * Marks the dashboard with Grafana's annotations API (`POST /api/annotations`). Grafana takes no idempotency key, so
 * the step's key travels as a tag and a retry first looks for it: a crash after Grafana answered never marks twice.
 */
export async function annotateDashboard(
  grafana: GrafanaTool,
  annotation: Annotation,
  stepTag: string,
  retry: boolean,
  env: RollbackEnvironment,
  timeoutMs: number,
): Promise<AnnotationOutcome> {
  const where = `dashboard ${annotation.dashboardUid}`;
  const tags = [...annotation.tags, stepTag];
  if (retry) {
    const url = joinUrl(grafana.url, 'api/annotations');
    url.searchParams.set('dashboardUID', annotation.dashboardUid);
    url.searchParams.set('tags', stepTag);
    url.searchParams.set('limit', '1');
    const found = await requestTool(url.toString(), { headers: grafana.headers, timeoutMs }, env);
    if (found.ok && Array.isArray(found.json) && found.json.length > 0) {
      return { annotated: true, detail: `${where} already annotated` };
    }
  }
  const answer = await requestTool(
    joinUrl(grafana.url, 'api/annotations').toString(),
    {
      method: 'POST',
      headers: grafana.headers,
      body: { dashboardUID: annotation.dashboardUid, time: annotation.time, tags, text: annotation.text },
      timeoutMs,
    },
    env,
  );
  if (!answer.ok) throw new Error(`Grafana annotation on ${where}: ${answer.error}`);
  const id = (answer.json as { id?: unknown }).id;
  return { annotated: true, detail: `${where} annotated${typeof id === 'number' ? ` (annotation ${id})` : ''}` };
}

export function dashboardLink(grafana: GrafanaTool, dashboardUid: string): string {
  const url = joinUrl(grafana.url, `d/${dashboardUid}`);
  url.searchParams.set('orgId', String(grafana.orgId));
  return url.toString();
}

/** The same LogQL over the same window in Grafana Explore, for whoever wants more than the top lines. */
export function exploreLink(grafana: GrafanaTool, query: string, window: string): string | null {
  const uid = grafana.lokiDatasourceUid;
  if (uid === undefined) return null;
  const panes = {
    a: {
      datasource: uid,
      queries: [{ refId: 'A', expr: query, datasource: { type: 'loki', uid } }],
      range: { from: `now-${window}`, to: 'now' },
    },
  };
  const url = joinUrl(grafana.url, 'explore');
  url.searchParams.set('schemaVersion', '1');
  url.searchParams.set('orgId', String(grafana.orgId));
  url.searchParams.set('panes', JSON.stringify(panes));
  return url.toString();
}
