import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { chromium, type BrowserContext } from 'playwright-core';
import { DEV_SERVER_DYNAMIC_CONFIG_ARGS } from '../../src/dev/server-settings';
import { freePort } from '../../src/dev/test-server-jvm';
import { incidentSearchAttributeKeys, provisionedCli } from './temporal';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_INSTALL = 'apt-get install -y chromium';

/** The dev server with its Web UI, both on free ports: what `npm start` runs, for a browser to look at. */
export async function createDevServerWithUi(): Promise<{ env: TestWorkflowEnvironment; uiUrl: string }> {
  const provisioned = await provisionedCli();
  const uiPort = await freePort();
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: provisioned.executable,
      ui: true,
      uiPort,
      searchAttributes: incidentSearchAttributeKeys,
      extraArgs: DEV_SERVER_DYNAMIC_CONFIG_ARGS,
    },
  });
  return { env, uiUrl: `http://127.0.0.1:${uiPort}` };
}

/**
 * Debian's Chromium, headless, with a fresh profile and nothing that phones home. Missing, it fails rather than
 * skips: a skipped browser test would pass a CI machine that never looked at the page.
 */
export async function launchChromium(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium is missing at ${CHROMIUM_PATH}: install it with \`${CHROMIUM_INSTALL}\` (as root)`);
  }
  const profile = mkdtempSync(path.join(tmpdir(), 'incident-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: 1440, height: 1600 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
