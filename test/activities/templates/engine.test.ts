import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { renderEmailHtml } from '../../../src/activities/email/nodemailer';
import { renderSlackMessage } from '../../../src/activities/chat/slack/blocks';
import { PUBLIC_TEXT_LIMIT, publicText } from '../../../src/activities/templates/content';
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

describe('the status page text of a user-facing update', () => {
  it('is the rendering without its subject: the public text (or the phase’s line) and its fields', () => {
    const templates = new MessageTemplates();
    const facts: MessageFacts = {
      ...FACTS,
      headline: '[SEV-2] Checkout',
      publicText: 'Some payments fail.',
      phase: 'identified',
      nextPublicUpdate: '2026-12-01T03:45:00.000Z',
    };
    const text = publicText(templates.render('user-facing-update', facts));
    assert.equal(text, 'Some payments fail.\nNext update: 2026-12-01T03:45:00.000Z');
    const unwritten: MessageFacts = { ...FACTS, headline: '[SEV-2] Checkout', phase: 'resolved' };
    assert.equal(
      publicText(templates.render('user-facing-update', unwritten)),
      'The issue affecting checkout has been resolved. Thank you for your patience.',
    );
  });

  it('a template that renders nothing, or too much for a status page, fails for good', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'public-text-'));
    const empty = path.join(dir, 'empty.eta');
    writeFileSync(empty, 'Subject only: <%= it.headline %>\n');
    const huge = path.join(dir, 'huge.eta');
    writeFileSync(huge, `S\n\n${'x'.repeat(PUBLIC_TEXT_LIMIT + 1)}\n`);
    for (const file of [empty, huge]) {
      const templates = new MessageTemplates({ 'user-facing-update': file });
      assert.throws(
        () => publicText(templates.render('user-facing-update', FACTS)),
        (error: unknown) =>
          error instanceof ApplicationFailure && error.type === TemplateFailureType.Invalid && error.nonRetryable,
      );
    }
  });
});
