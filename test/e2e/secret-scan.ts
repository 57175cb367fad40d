import assert from 'node:assert/strict';
import { containsSecret, scanHistories } from './history-scan';
import type { Rig } from './stack';

/**
 * The last step of every end-to-end file: every history the file produced, and everything its worker processes
 * printed, scanned for each configured secret. `mustContain` are values known to travel only inside payloads
 * (a title, a channel id), so the scan provably looks inside them and would see a secret there too.
 */
export async function assertNoSecretLeaked(rig: Rig, mustContain: string[]): Promise<void> {
  const secrets = rig.secretValues;
  assert.equal(secrets.length, 7, `Slack token, SMTP password, Statuspage key, four routing keys: ${secrets.length}`);
  for (const secret of Object.values(rig.secrets).flatMap((value) =>
    typeof value === 'string' ? [value] : Object.values(value),
  )) {
    assert.ok(secrets.includes(secret), 'secretValues() lists every secret the rig configured');
  }

  const scan = await scanHistories(rig.env.client, secrets);
  const logs = rig.workers.map((worker) => `${worker.stdout}\n${worker.stderr}`);
  const logHits = secrets.filter((secret) => logs.some((log) => containsSecret(log, secret)));
  console.log(
    `secret scan: ${scan.histories} histories, ${scan.events} events, ${logs.length} worker logs ` +
      `(${logs.reduce((n, log) => n + log.length, 0)} chars), ${secrets.length} secrets: ` +
      `${scan.hits.length + logHits.length} hits`,
  );

  assert.ok(scan.histories > 0 && scan.events > 0, 'the scan read histories');
  const allText = [...scan.texts.values()].join('\n');
  for (const probe of mustContain) assert.ok(allText.includes(probe), `decoded payloads contain ${probe}`);
  assert.ok(
    logs.every((log) => log.includes('worker: polling task queue')),
    'the scan read each worker log',
  );
  assert.deepEqual(scan.hits, [], 'no configured secret in any workflow history');
  assert.deepEqual(logHits, [], 'no configured secret in any worker output');
}
