import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { METRICS } from '../../src/metrics/catalog';
import { IncidentMetrics } from '../../src/metrics/registry';

interface Dashboard {
  panels: Array<{ title: string; targets?: Array<{ expr: string }> }>;
}

const dashboard = JSON.parse(
  readFileSync(path.join(__dirname, '../../examples/grafana-incident-response.json'), 'utf8'),
) as Dashboard;

/** Grafana's own variables are not PromQL: stand a value in for each, as Grafana does before it sends the query. */
const asPromql = (expr: string) =>
  expr.replaceAll('$__range', '30d').replaceAll('$__rate_interval', '5m').replaceAll('$severity', 'SEV-1');

/** What the worker's registry exports, histograms with their _bucket, _sum and _count series. */
async function exportedSeries(): Promise<Set<string>> {
  const metrics = new IncidentMetrics({ providers: {}, countOpen: () => Promise.resolve([]) });
  const names = (await metrics.registry.getMetricsAsJSON()).flatMap(({ name, type }) =>
    String(type) === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name],
  );
  return new Set(names);
}

describe('examples/grafana-incident-response.json', () => {
  let queried: Array<{ panel: Dashboard['panels'][number]; name: string }> = [];
  before(async () => {
    // An ES module: this CommonJS build reaches it through import().
    const { parser } = await import('@prometheus-io/lezer-promql');
    /** The metric names an expression selects, read by PromQL's own grammar; a syntax error fails the test. */
    const selectedMetrics = (expr: string): string[] => {
      const text = asPromql(expr);
      const names: string[] = [];
      parser.parse(text).iterate({
        enter(node) {
          assert.notEqual(node.type.isError, true, `not PromQL at ${node.from}: ${text}`);
          if (node.name !== 'VectorSelector') return;
          const identifier = node.node.getChild('Identifier');
          if (identifier) names.push(text.slice(identifier.from, identifier.to));
        },
      });
      return names;
    };
    queried = dashboard.panels.flatMap((panel) =>
      (panel.targets ?? []).flatMap((target) => selectedMetrics(target.expr).map((name) => ({ panel, name }))),
    );
  });

  it('queries only metrics the worker exports', async () => {
    const exported = await exportedSeries();
    assert.ok(queried.length >= 10, `${queried.length} series queried`);
    for (const { panel, name } of queried) assert.ok(exported.has(name), `panel "${panel.title}" queries ${name}`);
  });

  it('plots every incident metric of the catalog', () => {
    const base = new Set(queried.map(({ name }) => name.replace(/_(bucket|sum|count)$/, '')));
    for (const name of Object.values(METRICS)) assert.ok(base.has(name), `${name} is on no panel`);
  });
});
