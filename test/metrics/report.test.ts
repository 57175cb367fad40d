import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { responseMeasures } from '../../src/domain/response-measures';
import { percentile, responseReport } from '../../src/metrics/report';
import { EXPECTED, inMinutes, minutesOf, reportFixtures } from './report-fixtures';

const DAY = 24 * 60 * 60_000;

describe('the response report over a fixture set of incidents', () => {
  const now = Date.parse('2026-12-01T12:00:00Z');
  const incidents = reportFixtures(now);

  it('gives the known MTTA, MTTM and MTTR (median, p90), counts, escalations and missed updates', () => {
    const report = responseReport(incidents, { since: now - 30 * DAY, until: now });
    assert.deepEqual(inMinutes(report), EXPECTED);
    assert.equal(report.since, '2026-11-01T12:00:00.000Z');
  });

  it('filters by severity and service as the incidents stand', () => {
    const sev2 = responseReport(incidents, { since: now - 30 * DAY, until: now, severity: 'SEV-2' });
    assert.equal(sev2.incidents, 1);
    assert.equal(minutesOf(sev2.mttr.medianMs), 90);
    assert.equal(responseReport(incidents, { since: now - 30 * DAY, until: now, service: 'search' }).incidents, 0);
    const wider = responseReport(incidents, { since: now - 60 * DAY, until: now });
    assert.equal(wider.incidents, 4);
    assert.equal(minutesOf(wider.mtta.medianMs), 10);
  });

  it('an empty window has no medians rather than zeros', () => {
    const report = responseReport([], { since: now - DAY, until: now });
    assert.deepEqual(report.mtta, { incidents: 0, medianMs: null, p90Ms: null });
  });

  it('percentiles interpolate between ranks', () => {
    assert.equal(percentile([4, 8, 12], 0.5), 8);
    assert.equal(percentile([1, 2, 3, 4], 0.5), 2.5);
    assert.equal(percentile([10], 0.9), 10);
    assert.equal(percentile([], 0.5), null);
  });

  it('a reopened incident keeps its first resolution and counts the reopening', () => {
    const measures = responseMeasures(incidents[2]!);
    assert.equal(minutesOf(measures.resolveMs), 90);
    assert.equal(minutesOf(measures.mitigateMs), 40);
    assert.equal(measures.reopened, 1);
  });
});
