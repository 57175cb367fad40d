import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadPolicy } from '../../src/config';
import { durationSchema } from '../../src/domain/duration';
import { buildPolicy, escalationWait } from '../../src/domain/policy';

const dir = mkdtempSync(path.join(tmpdir(), 'incident-policy-'));
const write = (name: string, text: string) => {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
};

describe('durations', () => {
  it('reads 90s, 5m, 48h and 2d', () => {
    assert.deepEqual(
      ['90s', '5m', '48h', '2d'].map((d) => durationSchema.parse(d)),
      [90_000, 300_000, 172_800_000, 172_800_000],
    );
  });
  it('refuses bare numbers and words', () => {
    for (const bad of ['15', 'soon', '-5m', '']) assert.equal(durationSchema.safeParse(bad).success, false, bad);
  });
});

describe('severity policy', () => {
  it('defaults to the table in DESIGN.md', () => {
    const { severities } = buildPolicy();
    const row = (s: keyof typeof severities) => [
      severities[s].acknowledgeWithin / 60_000,
      (severities[s].statusUpdates?.every ?? 0) / 60_000,
      (severities[s].statusUpdates?.escalateAfter ?? 0) / 60_000,
      (severities[s].unresolved?.after ?? 0) / 60_000,
      severities[s].pageOnCall,
      severities[s].postmortem?.required ?? false,
    ];
    assert.deepEqual(row('SEV-1'), [5, 15, 5, 15, 'immediately', true]);
    assert.deepEqual(row('SEV-2'), [15, 30, 10, 60, 'immediately', true]);
    assert.deepEqual(row('SEV-3'), [30, 60, 30, 240, 'business-hours', false]);
    assert.deepEqual(row('SEV-4'), [24 * 60, 0, 0, 0, 'never', false]);
    assert.equal(severities['SEV-1'].unresolved?.target, 'engineering-manager');
  });

  it('a policy file overrides fields of one severity and keeps the rest', () => {
    const policy = loadPolicy(
      write(
        'p.yaml',
        'severities:\n  SEV-2:\n    acknowledgeWithin: 2m\n    escalationLadder:\n      - target: lead\n      - target: vp\n        after: 30s\n',
      ),
    );
    const sev2 = policy.severities['SEV-2'];
    assert.equal(sev2.acknowledgeWithin, 120_000);
    assert.equal(escalationWait(sev2, 0), 120_000);
    assert.equal(escalationWait(sev2, 1), 30_000);
    assert.equal(escalationWait(sev2, 2), undefined);
    assert.equal(sev2.statusUpdates?.every, 30 * 60_000, 'untouched fields keep their defaults');
    assert.equal(policy.severities['SEV-1'].acknowledgeWithin, 5 * 60_000);
  });

  it('an invalid file is refused with the bad field named', () => {
    const file = write('bad.json', JSON.stringify({ severities: { 'SEV-1': { acknowledgeWithin: 'soonish' } } }));
    assert.throws(
      () => loadPolicy(file),
      (error: Error) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /severities\.SEV-1\.acknowledgeWithin: "soonish" is not a duration/);
        return true;
      },
    );
    assert.throws(() => loadPolicy(write('typo.json', JSON.stringify({ severites: {} }))), /severites/);
  });

  it('the worker refuses to start on an invalid policy file, naming the field', () => {
    const file = write('worker-bad.yaml', 'severities:\n  SEV-3:\n    pageOnCall: sometimes\n');
    const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, '../../src/worker.ts')], {
      env: { ...process.env, INCIDENT_POLICY: file, TEMPORAL_ADDRESS: '127.0.0.1:1' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /severities\.SEV-3\.pageOnCall/);
  });
});
