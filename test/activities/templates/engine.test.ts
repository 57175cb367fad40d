import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { renderEmailHtml } from '../../../src/activities/email/nodemailer';
import { renderSlackMessage } from '../../../src/activities/chat/slack/blocks';
import { MessageTemplates, TemplateFailureType } from '../../../src/activities/templates/engine';
import type { MessageFacts } from '../../../src/domain/message-facts';

const FACTS: MessageFacts = {
  event: 'status-update',
  incidentId: 'inc-1',
  headline: '[SEV-1] Checkout <script>alert(1)</script>',
  severity: 'SEV-1',
  service: 'checkout',
  status: 'investigating',
  drill: false,
  security: false,
  declaredAt: '2026-12-01T03:12:00.000Z',
  impact: 'card payments fail <!channel>\nHypothesis: INJECTED',
  hypothesis: 'pool leak',
  nextUpdate: '2026-12-01T03:30:00.000Z',
};

describe('message templates (Eta, escaping every value)', () => {
  it('the four defaults render a subject, a lead and fields; absent facts leave no empty field', () => {
    const templates = new MessageTemplates();
    const update = templates.render('internal-update', FACTS);
    assert.equal(update.subject, 'Status update: [SEV-1] Checkout <script>alert(1)</script>');
    assert.deepEqual(
      update.fields.map((f) => f.label),
      ['Impact', 'Hypothesis', 'Next update', 'Incident'],
    );
    const stakeholders = templates.render('stakeholder-notification', { ...FACTS, event: 'declaration' });
    assert.match(stakeholders.subject, /— incident declared$/);
    assert.ok(!stakeholders.text.includes('pool leak'), 'the stakeholder template shows no hypothesis');
    const summary = templates.render('post-incident-summary', { ...FACTS, event: 'post-incident-summary' });
    assert.match(summary.subject, /^Post-incident summary:/);
    const page = templates.render('user-facing-update', { ...FACTS, phase: 'identified' });
    assert.match(page.text, /^We have identified the cause of the issue affecting checkout/);
  });

  it('a value with a line break stays in its field: it cannot add a field, and each medium escapes it', () => {
    const update = new MessageTemplates().render('internal-update', FACTS);
    assert.equal(update.fields.filter((f) => f.label === 'Hypothesis').length, 1);
    assert.equal(
      update.fields.find((f) => f.label === 'Impact')?.value,
      'card payments fail <!channel>\nHypothesis: INJECTED',
    );
    const html = renderEmailHtml(update, false);
    assert.ok(!html.includes('<script>') && html.includes('&lt;script&gt;'), html);
    // Slack's mrkdwn would turn <!channel> into a ping to everyone: every section shows it escaped.
    const { blocks } = renderSlackMessage(update, { incidentId: 'inc-1', drill: false, mentions: [] });
    const sections = JSON.stringify(blocks.filter((block) => block.type === 'section'));
    assert.ok(!sections.includes('<!channel>') && sections.includes('&lt;!channel&gt;'), sections);
  });

  it('a team file replaces a default; a broken one fails for good, naming the file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'templates-'));
    const own = path.join(dir, 'update.eta');
    writeFileSync(own, 'Our update: <%= it.headline %>\n\nImpact first, always.\n\nWhat users see: <%= it.impact %>\n');
    const broken = path.join(dir, 'broken.eta');
    writeFileSync(broken, 'Subject\n\nLead\n\nthis is not a field\n');
    const templates = new MessageTemplates({ 'internal-update': own, 'post-incident-summary': broken });
    const update = templates.render('internal-update', FACTS, [{ label: 'Runbook', value: 'https://runbooks/x' }]);
    assert.match(update.subject, /^Our update:/);
    assert.deepEqual(
      update.fields.map((f) => f.label),
      ['What users see', 'Runbook'],
    );
    assert.throws(
      () => templates.render('post-incident-summary', FACTS),
      (error: unknown) =>
        error instanceof ApplicationFailure &&
        error.nonRetryable &&
        error.type === TemplateFailureType.Invalid &&
        error.message.includes(broken),
    );
  });
});
