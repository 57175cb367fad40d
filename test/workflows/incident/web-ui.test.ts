import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { incidentWorkflowId } from '../../../src/workflows/definitions';
import { createDevServerWithUi, launchChromium } from '../../support/web-ui';
import { HYPOTHESIS, startLiveSuite, USER_FACING, workedIncident, type LiveSuite } from './live-incident';

/** The page's text, frames included: the UI renders each Markdown summary and details in a sandboxed iframe. */
async function textOf(page: Page): Promise<string> {
  const texts = await Promise.all(
    page.frames().map((frame) =>
      frame
        .locator('body')
        .innerText()
        .catch(() => ''),
    ),
  );
  return texts.join('\n');
}

async function waitForText(page: Page, expected: string[], timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await textOf(page);
    const missing = expected.filter((part) => !text.includes(part));
    if (missing.length === 0) return text;
    if (Date.now() > deadline) assert.fail(`the page never showed ${JSON.stringify(missing)}; it showed:\n${text}`);
    await page.waitForTimeout(250);
  }
}

describe('the Temporal Web UI shows a live incident (dev server, headless Chromium)', () => {
  let suite: LiveSuite;
  let uiUrl: string;
  before(async () => {
    const server = await createDevServerWithUi();
    uiUrl = server.uiUrl;
    suite = await startLiveSuite(server.env);
  });
  after(() => suite?.stop());

  it("the workflow's User Metadata page shows the summary, the current details and what each step is for", async () => {
    const { env, incidents } = suite;
    await workedIncident(incidents, 'ui-sev1');
    const workflowId = incidentWorkflowId('ui-sev1');
    const { runId } = await env.client.workflow.getHandle(workflowId).describe();
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      // A running workflow's page keeps polling, so the network never goes idle: wait for the text instead.
      await page.goto(`${uiUrl}/namespaces/default/workflows/${workflowId}/${runId}/user-metadata`, {
        waitUntil: 'domcontentloaded',
      });
      const shown = await waitForText(page, [
        'SEV-1 · checkout · Checkout is down',
        'investigating · SEV-1 · checkout · IC: alice',
        USER_FACING,
        'deadline: SEV-1 ack window (5m) → page secondary-oncall',
        'page primary-oncall: SEV-1 declared',
      ]);
      assert.ok(!shown.includes(HYPOTHESIS), 'the internal hypothesis never reaches the UI');
      const screenshot = path.join(tmpdir(), `incident-web-ui-${process.pid}.png`);
      await page.screenshot({ path: screenshot, fullPage: true });
      console.log(`Web UI screenshot: ${screenshot}`);
    } finally {
      await browser.close();
    }
  });
});
