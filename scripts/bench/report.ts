import type { AlertPageResult } from './alert-page';
import { API_PATH_LABELS, API_PATHS, type ApiDeclareResult } from './api-declare';
import type { LatencyResult, LifecycleResult, MemoryResult, ThroughputResult, TimerLagResult } from './scenarios';
import type { Summary } from './stats';

/** The table printed at the end and the JSON written next to the README. */
export interface RunResult {
  label: string;
  sqlitePragmas: string[];
  latency?: LatencyResult;
  apiDeclare?: ApiDeclareResult;
  alertToPage?: AlertPageResult;
  timerLag?: TimerLagResult;
  throughput?: ThroughputResult;
  memory?: MemoryResult;
  lifecycle?: LifecycleResult;
  /** Warning and error lines from the dev server and the incident workers during the run, by message. */
  serverWarnings: { count: number; byMessage: Record<string, number> };
  workerWarnings: { count: number; byMessage: Record<string, number> };
  error?: string;
}

export interface BenchReport {
  date: string;
  mode: 'quick' | 'full';
  machine: {
    cores: number;
    cpu: string;
    memoryGiB: number;
    node: string;
    loadAverage: { start: number[]; end: number[] };
  };
  tree: { commit: string; uncommittedFiles: number };
  options: Record<string, unknown>;
  durationSeconds: number;
  runs: RunResult[];
}

const ms = (value: number) => (Number.isFinite(value) ? String(Math.round(value)) : '-');
const triple = (s: Summary | undefined) => (s && s.n > 0 ? `${ms(s.p50)} / ${ms(s.p95)} / ${ms(s.p99)}` : '-');
const tripleFine = (s: Summary) => (s.n > 0 ? [s.p50, s.p95, s.p99].map((v) => v.toFixed(1)).join(' / ') : '-');
const ratio = (a: number, b: number) => (Number.isFinite(a / b) && b > 0 ? `${(a / b).toFixed(1)}×` : '-');
const ratios = (a: Summary | undefined, b: Summary | undefined) =>
  a && b && a.n > 0 && b.n > 0 ? `${ratio(a.p50, b.p50)} / ${ratio(a.p95, b.p95)} / ${ratio(a.p99, b.p99)}` : '-';
const failed = (failures: Record<string, number> | undefined) =>
  Object.values(failures ?? {}).reduce((sum, count) => sum + count, 0);

function rows(run: RunResult): string[][] {
  const out: string[][] = [];
  const { latency, timerLag, throughput, memory, lifecycle } = run;
  if (latency) {
    out.push([
      '1 declare → first chat post, ms',
      triple(latency.firstPostMs.incident),
      triple(latency.firstPostMs.bare),
      ratios(latency.firstPostMs.incident, latency.firstPostMs.bare),
    ]);
    out.push([
      '2 declare() call vs start(), ms',
      triple(latency.callMs.incident),
      triple(latency.callMs.bare),
      ratios(latency.callMs.incident, latency.callMs.bare),
    ]);
  }
  if (timerLag) {
    const { incident, bare } = timerLag.lagMs;
    out.push([
      '3 timer lag at 1 per 0.2 s, ms (max)',
      `${triple(incident)} (${ms(incident.max)})`,
      `${triple(bare)} (${ms(bare.max)})`,
      ratios(incident, bare),
    ]);
  }
  if (throughput) {
    const range = (values: number[]) => `${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)}`;
    const { incident, bare } = throughput.overallPerSecond;
    out.push([
      '4 throughput at concurrency, /s (rounds)',
      `${incident.toFixed(2)} (${range(throughput.perSecond.incident)})`,
      `${bare.toFixed(2)} (${range(throughput.perSecond.bare)})`,
      `${(incident / bare).toFixed(2)}×`,
    ]);
  }
  if (memory) {
    const cell = (side: 'incident' | 'bare') => {
      const fit = memory.slopeMiB[side];
      return (
        `${memory.perOpenMiB[side].toFixed(2)}${fit === null ? '' : `, slope ${fit.toFixed(2)}`} ` +
        `(${ms(memory.idleMiB[side])}→${ms(memory.loadedMiB[side])} @${memory.open[side]})`
      );
    };
    out.push([
      '5 RSS per cached open, MiB (idle→K)',
      cell('incident'),
      cell('bare'),
      // The slope when there is one: the bare delta is often within noise, even below zero.
      memory.slopeMiB.incident !== null && memory.slopeMiB.bare !== null
        ? ratio(memory.slopeMiB.incident, memory.slopeMiB.bare)
        : ratio(memory.perOpenMiB.incident, memory.perOpenMiB.bare),
    ]);
  }
  if (lifecycle) {
    const { timers } = lifecycle;
    out.push([
      '6 full lifecycle history',
      `${lifecycle.events} events, ${(lifecycle.jsonBytes / 1024).toFixed(0)} KiB JSON (${(lifecycle.protoBytes / 1024).toFixed(0)} KiB proto)`,
      `timers ${timers.started} started / ${timers.cancelled} cancelled / ${timers.fired} fired`,
      `updates ${((100 * lifecycle.updateResultBytes) / lifecycle.protoBytes).toFixed(0)}% of bytes`,
    ]);
  }
  return out;
}

/** 7 has three paths, not an incident and a bare side: a table of its own. */
function apiLines(result: ApiDeclareResult): string[] {
  const table = API_PATHS.map((path) => {
    const difference = path === 'direct' ? undefined : result.p50DifferenceMs[path];
    const paired = path === 'direct' ? undefined : result.pairedDifferenceMs[path];
    const own = path === 'direct' ? undefined : result.ownMs[path];
    return [
      `  ${API_PATH_LABELS[path]}`,
      `${triple(result.callMs[path])} (n ${result.callMs[path].n})`,
      difference === undefined ? '' : `${signed(difference)} (paired ${paired ? signed(paired.p50) : '-'})`,
      own ? tripleFine(own) : '',
      `${failed(result.failures[path])} failed`,
    ];
  });
  const header = [
    '7 declare call, ms',
    'p50 / p95 / p99',
    `p50 − declare() (target ≤ ${result.targetMs})`,
    "API's own part p50 / p95 / p99",
    '',
  ];
  return [...aligned([header, ...table]), `  over ${result.connections} TCP connection(s) (keep-alive)`];
}

/** 8: the alert's path to a page, next to declare()'s. */
function alertLines(result: AlertPageResult): string[] {
  const { alert, declare } = result.toFirstPageMs;
  const table = [
    ['8 to the first page, ms', 'p50 / p95 / p99', 'paired − declare() p50', 'webhook 202 p50 / p95 / p99', ''],
    [
      '  Alertmanager webhook → page',
      `${triple(alert)} (n ${alert.n})`,
      signed(result.pairedDifferenceMs.p50),
      tripleFine(result.webhookMs),
      `${failed(result.failures.alert)} failed`,
    ],
    [
      '  IncidentService.declare() → page',
      `${triple(declare)} (n ${declare.n})`,
      '',
      '',
      `${failed(result.failures.declare)} failed`,
    ],
  ] satisfies [string[], ...string[][]];
  return aligned(table);
}

/** Rows padded into columns, the first one (the header) underlined. */
function aligned([header, ...body]: [string[], ...string[][]]): string[] {
  const widths = header.map((_, column) => Math.max(...[header, ...body].map((row) => (row[column] ?? '').length)));
  const format = (row: string[]) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd();
  return [format(header), widths.map((width) => '-'.repeat(width)).join('  '), ...body.map(format)];
}

const signed = (value: number) => (Number.isFinite(value) ? `${value >= 0 ? '+' : ''}${value.toFixed(1)}` : '-');

export function renderTable(report: BenchReport): string {
  const lines: string[] = [];
  const { machine } = report;
  lines.push(
    `npm run bench — ${report.date}, ${report.mode}, ${machine.cores} cores (${machine.cpu}), node ${machine.node}, ` +
      `load ${machine.loadAverage.start.map((l) => l.toFixed(1)).join('/')} at start, ${Math.round(report.durationSeconds)} s`,
  );
  for (const run of report.runs) {
    lines.push('', `dev server SQLite: ${run.label}`);
    if (run.error) lines.push(`  run failed: ${run.error}`);
    const header = ['measurement', 'incident p50 / p95 / p99', 'bare p50 / p95 / p99', 'incident/bare'];
    const measured = rows(run);
    if (measured.length > 0) lines.push(...aligned([header, ...measured]));
    if (run.latency) {
      const steps = Object.entries(run.latency.incidentPath).map(([method, at]) => `${method} ${ms(at.p50)}`);
      lines.push(`  incident path to its first post, p50 ms after declare(): ${steps.join(', ')}`);
    }
    for (const block of [run.apiDeclare && apiLines(run.apiDeclare), run.alertToPage && alertLines(run.alertToPage)]) {
      if (block) lines.push('', ...block);
    }
    const failures = [
      ['latency', run.latency?.failures],
      ['timer lag', run.timerLag?.failures],
      ['throughput', run.throughput?.failures],
      ['memory', run.memory?.failures],
    ] as const;
    for (const [phase, perSide] of failures) {
      if (!perSide) continue;
      for (const side of ['incident', 'bare'] as const) {
        if (failed(perSide[side]) === 0) continue;
        const [message] = Object.keys(perSide[side]);
        lines.push(`  ${phase} ${side}: ${failed(perSide[side])} failed, e.g. ${message}`);
      }
    }
    for (const [source, { count, byMessage }] of [
      ['dev server', run.serverWarnings],
      ['incident worker', run.workerWarnings],
    ] as const) {
      const top = Object.entries(byMessage)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 2)
        .map(([message, times]) => `${message} ×${times}`);
      lines.push(`  ${source}: ${count} warnings/errors${top.length > 0 ? `, most: ${top.join('; ')}` : ''}`);
    }
  }
  return lines.join('\n');
}
