import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { publicIncident } from '../../../src/api/status/public-incident';
import { renderStatusPage } from '../../../src/api/status/render';
import { statusView } from '../../../src/api/status/statuspage-format';
import { openIncidentState } from '../../../src/domain/incident';
import { declareSchema } from '../../../src/domain/inputs';
import { buildPolicy, incidentPolicyFor } from '../../../src/domain/policy';
import type { IncidentView } from '../../../src/workflows/definitions';

const T0 = Date.parse('2026-12-01T09:00:00Z');
const MIN = 60_000;
const policy = buildPolicy();

/** A live SEV-2 as the state query returns it, with the public updates given. */
function view(publicUpdates: IncidentView['publicUpdates']): IncidentView {
  const declaration = declareSchema.parse({
    id: 'inc-9',
    title: 'Checkout slow',
    severity: 'SEV-2',
    service: 'checkout',
    summary: 'INTERNAL-SUMMARY pool leak',
  });
  const state = openIncidentState(declaration, incidentPolicyFor(policy, 'SEV-2'), T0);
  return { ...state, status: 'investigating', publicUpdates, deadlines: [], verifying: false };
}

function page(incident: IncidentView, now: number): string {
  const shown = publicIncident(incident);
  const snapshot = { readAt: now, incidents: shown ? [shown] : [], updatedAt: now };
  const url = 'https://status.example.com/status';
  const statusPolicy = policy.statusPage;
  const rendered = statusView(snapshot, { policy: statusPolicy, services: ['checkout'], url, createdAt: T0 });
  return renderStatusPage(rendered, { now, readAt: now, historyDays: 90, feedUrl: url, summaryUrl: url });
}

describe('the status page’s words (rendered HTML, no server)', () => {
  it('a missed update: the page says when it was due and when the latest is from, and writes nothing itself', () => {
    const incident = view([
      { at: T0, phase: 'investigating', message: 'workflow line', published: 'RENDERED-1 We are looking into it.' },
    ]);
    const due = publicIncident(incident)?.nextUpdateAt;
    assert.equal(due, T0 + 30 * MIN, 'SEV-2: the page hears again 30 minutes after its last update');
    const html = page(incident, T0 + 45 * MIN);
    assert.match(html, /An update was due by 2026-12-01 09:30 UTC; the latest is from 2026-12-01 09:00 UTC/);
    assert.equal(html.match(/RENDERED-1/g)?.length, 1, 'the one real update, once');
    assert.ok(!html.includes('workflow line') && !html.includes('INTERNAL-SUMMARY'));
    assert.match(page(incident, T0 + 10 * MIN), /Next update by 2026-12-01 09:30 UTC/);
  });

  it('shows each update as rendered; one still being rendered (or never) is not shown, older ones show their text', () => {
    const incident = view([
      { at: T0, phase: 'investigating', message: 'OLD-TEXT from before the template' },
      { at: T0 + MIN, phase: 'identified', message: 'workflow line', published: 'RENDERED-2 A fix is on its way.' },
      { at: T0 + 2 * MIN, phase: 'monitoring', message: 'PENDING workflow line', published: null },
    ]);
    const shown = publicIncident(incident);
    assert.deepEqual(
      shown?.updates.map((update) => update.message),
      ['RENDERED-2 A fix is on its way.', 'OLD-TEXT from before the template'],
    );
    assert.equal(shown?.phase, 'identified', 'the page’s phase is its latest published word');
    assert.ok(!page(incident, T0 + 3 * MIN).includes('PENDING'));
    const unpublished = view([{ at: T0, phase: 'investigating', message: 'x', published: null }]);
    assert.equal(publicIncident(unpublished), null, 'an incident nothing was published for is not on the page');
  });
});
