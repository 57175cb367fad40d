import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { postStatusUpdate, stateQuery } from '../../src/workflows/definitions';
import { outboxPayloadsOf, startTimeSkippingHarness, TEST_POLICY, type Harness } from './harness';

interface Posted {
  channel?: string;
  kind?: string;
  text?: string;
  subject?: string;
}

/** A team's own template files, named in the policy, are what the worker renders: no workflow change involved. */
describe('template override from the policy (time-skipping)', () => {
  let harness: Harness;
  const dir = mkdtempSync(path.join(tmpdir(), 'team-templates-'));
  before(async () => {
    const internal = path.join(dir, 'internal.eta');
    writeFileSync(
      internal,
      'ACME update: <%= it.headline %>\n\nACME lead for <%= it.service %>.\n\nWhat broke: <%= it.impact %>\nWhy we think so: <%= it.hypothesis %>\n',
    );
    const stakeholders = path.join(dir, 'stakeholders.eta');
    writeFileSync(
      stakeholders,
      'ACME notice: <%= it.headline %>\n\nDear stakeholders.\n\nImpact: <%= it.impact %>\nETA: <%= it.nextUpdate %>\n',
    );
    harness = await startTimeSkippingHarness({
      policy: { ...TEST_POLICY, templates: { 'internal-update': internal, 'stakeholder-notification': stakeholders } },
    });
  });
  after(() => harness?.stop());

  it('the internal update and the stakeholder email come from the team files', async () => {
    const incident = await harness.declare({ severity: 'SEV-1', service: 'checkout' });
    const { id } = await incident.query(stateQuery);
    await incident.executeUpdate(postStatusUpdate, {
      args: [{ impact: 'checkout 500s', hypothesis: 'bad deploy 412', by: 'bob' }],
    });
    const chat = await outboxPayloadsOf<Posted>(harness, id, 'chat', (p) => p.kind === 'status-update');
    const update = chat.find((p) => p.kind === 'status-update');
    assert.equal(update?.text, 'ACME lead for checkout.\nWhat broke: checkout 500s\nWhy we think so: bad deploy 412');
    const email = await outboxPayloadsOf<Posted>(harness, id, 'email', (p) =>
      Boolean(p.subject?.startsWith('ACME notice')),
    );
    const notices = email.filter((p) => p.subject?.startsWith('ACME notice'));
    assert.equal(notices.length, 2, JSON.stringify(email.map((p) => p.subject)));
    for (const notice of notices) {
      assert.match(notice.text ?? '', /^Dear stakeholders\./);
      assert.ok(!notice.text?.includes('bad deploy 412'), 'no hypothesis in the stakeholders template');
    }
  });
});
