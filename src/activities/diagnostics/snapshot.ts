import { randomUUID } from 'node:crypto';
import { link, mkdir, readFile, readdir, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import type { RollbackEnvironment } from '../../config/rollback';
import { diagnosticsToolsSchema, type DiagnosticsConfig, type DiagnosticsTools } from '../../domain/policy/diagnostics';
import { incidentIdSchema } from '../../domain/inputs';
import { probe, redactUrl } from '../http/probe';
import type { DiagnosticsCollector } from '../providers';
import type { AnnotationReceipt, AnnotationRequest, DiagnosticsLink, DiagnosticsReport } from '../types';
import { prometheusInstantQuery } from '../verification/prometheus';
import { annotateDashboard } from './grafana';
import { askTools, type ToolSections } from './tools';

export interface DiagnosticsOptions {
  services: Record<string, { diagnostics?: DiagnosticsConfig }>;
  /** Artifacts go to `<artifactDir>/<incidentId>/diagnostics-<timestamp>.json`. */
  artifactDir: string;
  /** Without it (the embedded default) only health endpoints are snapshotted. */
  prometheusUrl?: string;
  /** Per health endpoint and per query. */
  timeout?: number;
  /** Where Grafana, Loki and Sentry answer (the policy's `diagnostics`); without them each is skipped. */
  tools?: DiagnosticsTools;
  /** The worker's environment: {{secret.NAME}} in tool headers, and the variables a command diagnostic may see. */
  env?: RollbackEnvironment;
}

interface HealthSnapshot {
  name: string;
  url: string;
  ok: boolean;
  status: number | null;
  latencyMs: number;
  /** The first 2 KB of the body: enough for a health payload or an error page's headline. */
  body: string | null;
  bodyTruncated: boolean;
  error: string | null;
}

interface QuerySnapshot {
  name: string;
  query: string;
  ok: boolean;
  latencyMs: number;
  resultType: string | null;
  seriesCount: number;
  samples: Array<{ metric: Record<string, string>; value: string }>;
  error: string | null;
}

export interface DiagnosticsArtifact {
  incidentId: string;
  key: string;
  service: string;
  severity: string;
  drill: boolean;
  collectedAt: string;
  summary: string;
  healthEndpoints: HealthSnapshot[];
  prometheus: { url: string | null; skipped: string | null; queries: QuerySnapshot[] };
  /** The team's tools (absent in artifacts written before them). */
  tools?: ToolSections;
  links?: DiagnosticsLink[];
  notConfigured?: string[];
}

const DEFAULT_TIMEOUT_MS = 5_000;
const HEALTH_BODY_BYTES = 2048;
const MAX_SERIES_KEPT = 50;
const MAX_SUMMARY_CHARS = 600;
/** Grafana, Loki, Sentry, the change feed and the command (tools.ts). */
const TOOL_COUNT = 5;

/**
 * Runbook 003's collection step: snapshot the service's health endpoints and Prometheus queries into a JSON
 * artifact. An endpoint that is down or slow is what the snapshot is for, so it is recorded, never thrown.
 * Only the artifact's path and a one-line summary go back through Temporal.
 */
export function snapshotDiagnostics(options: DiagnosticsOptions): DiagnosticsCollector {
  const timeoutMs = options.timeout ?? DEFAULT_TIMEOUT_MS;
  const tools = options.tools ?? diagnosticsToolsSchema.parse({});
  const env = options.env ?? {};
  const configFor = (service: string) =>
    options.services[service]?.diagnostics ?? { healthEndpoints: [], prometheusQueries: [] };
  return {
    async collect(request, heartbeat) {
      const dir = path.resolve(options.artifactDir, safeIncidentId(request.incidentId));
      const existing = await findArtifact(dir, request.key);
      if (existing) return existing;

      const config = configFor(request.service);
      const { prometheusUrl } = options;
      const [healthEndpoints, queries, found] = await Promise.all([
        Promise.all(
          config.healthEndpoints.map(async (endpoint) => {
            const snapshot = await snapshotHealth(endpoint, timeoutMs);
            heartbeat();
            return snapshot;
          }),
        ),
        prometheusUrl === undefined
          ? []
          : Promise.all(
              config.prometheusQueries.map(async (query) => {
                const snapshot = await snapshotQuery(prometheusUrl, query, timeoutMs);
                heartbeat();
                return snapshot;
              }),
            ),
        askTools(config, tools, request, env, heartbeat),
      ]);
      const skipped =
        prometheusUrl === undefined && config.prometheusQueries.length > 0
          ? `Prometheus not configured: ${config.prometheusQueries.length} queries skipped`
          : null;
      const artifact: DiagnosticsArtifact = {
        incidentId: request.incidentId,
        key: request.key,
        service: request.service,
        severity: request.severity,
        drill: request.drill,
        collectedAt: new Date().toISOString(),
        // What is not configured is said once per incident; the artifact still lists it every time.
        summary: request.notConfiguredSaid
          ? summarize(request.service, config, healthEndpoints, queries, null, { ...found, skipped: [] })
          : summarize(request.service, config, healthEndpoints, queries, skipped, found),
        healthEndpoints,
        prometheus: {
          url: prometheusUrl === undefined ? null : redactUrl(prometheusUrl),
          skipped,
          queries,
        },
        tools: found.sections,
        links: found.links,
        notConfigured: found.skipped,
      };
      const file = await writeArtifact(dir, artifact);
      return { artifact: file, summary: artifact.summary, links: found.links };
    },

    async annotate(request: AnnotationRequest, attempt: number): Promise<AnnotationReceipt> {
      const dashboard = configFor(request.service).grafana;
      if (tools.grafana === undefined || dashboard === undefined) {
        const missing =
          tools.grafana === undefined ? 'diagnostics.grafana' : `services.${request.service}.diagnostics.grafana`;
        return { annotated: false, detail: `Grafana not configured (${missing}): no annotation` };
      }
      const annotation = {
        dashboardUid: dashboard.dashboardUid,
        time: request.at,
        text: request.text,
        tags: ['incident', `incident:${request.incidentId}`, request.event, ...(request.drill ? ['drill'] : [])],
      };
      return annotateDashboard(tools.grafana, annotation, `step:${request.key}`, attempt > 1, env, tools.timeout);
    },
  };
}

async function snapshotHealth(endpoint: { name: string; url: string }, timeoutMs: number): Promise<HealthSnapshot> {
  const answer = await probe(endpoint.url, { timeoutMs, maxBodyBytes: HEALTH_BODY_BYTES });
  const base = { name: endpoint.name, url: redactUrl(endpoint.url), latencyMs: answer.latencyMs };
  return answer.ok
    ? {
        ...base,
        ok: answer.status >= 200 && answer.status < 300,
        status: answer.status,
        body: answer.body,
        bodyTruncated: answer.bodyTruncated,
        error: null,
      }
    : { ...base, ok: false, status: null, body: null, bodyTruncated: false, error: answer.error };
}

async function snapshotQuery(
  baseUrl: string,
  query: { name: string; query: string },
  timeoutMs: number,
): Promise<QuerySnapshot> {
  const answer = await prometheusInstantQuery(baseUrl, query.query, { timeoutMs });
  const base = { name: query.name, query: query.query, latencyMs: answer.latencyMs };
  return answer.ok
    ? {
        ...base,
        ok: true,
        resultType: answer.resultType,
        seriesCount: answer.samples.length,
        samples: answer.samples.slice(0, MAX_SERIES_KEPT).map((s) => ({ metric: s.metric, value: s.text })),
        error: null,
      }
    : { ...base, ok: false, resultType: null, seriesCount: 0, samples: [], error: answer.error };
}

/**
 * `3/4 health endpoints OK; error_rate=0.12; Loki: 37 error lines in 15m, top ×12 "..."; not configured: Sentry` —
 * what the channel and timeline show. Tools that are not configured are named once, at the end.
 */
export function summarize(
  service: string,
  config: DiagnosticsConfig,
  health: HealthSnapshot[],
  queries: QuerySnapshot[],
  skipped: string | null,
  tools: { parts: string[]; skipped: string[] } = { parts: [], skipped: [] },
): string {
  const notConfigured = tools.skipped.length > 0 ? `not configured: ${tools.skipped.join(', ')}` : null;
  if (config.healthEndpoints.length === 0 && config.prometheusQueries.length === 0 && tools.parts.length === 0) {
    const none = `no diagnostics configured for ${service} (services.${service}.diagnostics in the policy)`;
    return tools.skipped.length === 0 || tools.skipped.length === TOOL_COUNT ? none : `${none}; ${notConfigured}`;
  }
  const parts: string[] = [];
  if (health.length > 0) {
    parts.push(`${health.filter((h) => h.ok).length}/${health.length} health endpoints OK`);
    const failing = health.filter((h) => !h.ok).map((h) => `${h.name}: ${h.status ?? h.error ?? 'failed'}`);
    if (failing.length > 0) parts.push(`failing ${failing.join(', ')}`);
  }
  for (const query of queries) parts.push(`${query.name}=${queryValue(query)}`);
  if (skipped !== null) parts.push(skipped);
  parts.push(...tools.parts);
  if (notConfigured !== null) parts.push(notConfigured);
  const summary = parts.join('; ');
  return summary.length > MAX_SUMMARY_CHARS ? `${summary.slice(0, MAX_SUMMARY_CHARS - 3)}...` : summary;
}

function queryValue(query: QuerySnapshot): string {
  if (!query.ok) return 'error';
  const first = query.samples[0];
  if (first === undefined) return 'no data';
  const value = formatNumber(first.value);
  return query.seriesCount > 1 ? `${value} (+${query.seriesCount - 1} series)` : value;
}

function formatNumber(text: string): string {
  const value = Number(text);
  return Number.isFinite(value) && !Number.isInteger(value) ? String(Number(value.toPrecision(3))) : text;
}

function safeIncidentId(incidentId: string): string {
  // The id becomes a directory name: anything but the declared id format could escape the artifact directory.
  if (!incidentIdSchema.safeParse(incidentId).success) {
    throw ApplicationFailure.nonRetryable(
      `incident id ${JSON.stringify(incidentId)} is not valid`,
      'InvalidIncidentId',
    );
  }
  return incidentId;
}

/** The same key finds the snapshot it already took, so a retried activity never takes (or writes) a second one. */
async function findArtifact(dir: string, key: string): Promise<DiagnosticsReport | null> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  for (const name of names.filter((n) => /^diagnostics-.*\.json$/.test(n)).sort()) {
    const file = path.join(dir, name);
    try {
      const artifact = JSON.parse(await readFile(file, 'utf8')) as Partial<DiagnosticsArtifact>;
      if (artifact.key === key) {
        return {
          artifact: file,
          summary: artifact.summary ?? '',
          ...(artifact.links ? { links: artifact.links } : {}),
        };
      }
    } catch {
      // Not ours or unreadable: artifacts are only ever published complete (see writeArtifact).
    }
  }
  return null;
}

/** Written to a temporary file and hard-linked into place, so a crash never leaves a half-written artifact. */
async function writeArtifact(dir: string, artifact: DiagnosticsArtifact): Promise<string> {
  await mkdir(dir, { recursive: true });
  const temp = path.join(dir, `.diagnostics-${randomUUID()}.tmp`);
  await writeFile(temp, `${JSON.stringify(artifact, null, 2)}\n`, 'utf8');
  try {
    let at = Date.parse(artifact.collectedAt);
    for (;;) {
      const file = path.join(dir, `diagnostics-${new Date(at).toISOString().replace(/[:.]/g, '-')}.json`);
      try {
        await link(temp, file);
        return file;
      } catch (error) {
        // Another snapshot of this incident in the same millisecond: take the next name, never overwrite.
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        at += 1;
      }
    }
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}
