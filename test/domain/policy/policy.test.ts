import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadPolicy } from '../../../src/config';
import { boundedDuration } from '../../../src/domain/duration';
import { describeIssues } from '../../../src/domain/inputs';
import { escalationWait } from '../../../src/domain/deadlines';
import { buildPolicy } from '../../../src/domain/policy';

const dir = mkdtempSync(path.join(tmpdir(), 'incident-policy-'));
const write = (name: string, text: string) => {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
};

/** The one-line message buildPolicy's refusal carries, as the worker and `loadPolicy` print it. */
function refusal(content: unknown): string {
  try {
    buildPolicy(content);
  } catch (error) {
    if (error instanceof Error && 'issues' in error)
      return describeIssues(error as Parameters<typeof describeIssues>[0]);
    throw error;
  }
  return assert.fail(`accepted: ${JSON.stringify(content)}`);
}

describe('durations', () => {
  const duration = boundedDuration({ max: '30d' });
  it('reads 90s, 5m, 48h and 2d', () => {
    assert.deepEqual(
      ['90s', '5m', '48h', '2d'].map((d) => duration.parse(d)),
      [90_000, 300_000, 172_800_000, 172_800_000],
    );
  });
  it('refuses bare numbers and words', () => {
    for (const bad of ['15', 'soon', '-5m', '', '1e3d']) assert.equal(duration.safeParse(bad).success, false, bad);
  });
  it('refuses what is beyond the bounds, saying which bound', () => {
    for (const huge of ['100000000d', '9007199254740993ms', '999999999999d', '31d', '2y']) {
      const issue = duration.safeParse(huge).error?.issues[0]?.message ?? '';
      assert.match(issue, /out of range: must be at most 30d/, huge);
    }
    assert.match(duration.safeParse('0s').error?.issues[0]?.message ?? '', /must be at least 1s/);
    assert.equal(duration.parse('30d'), 30 * 86_400_000, 'the bound itself is allowed');
    assert.equal(boundedDuration({ min: '0s', max: '1h' }).parse('0s'), 0);
  });
  it('echoes a hostile value escaped and clipped', () => {
    const message = duration.safeParse(`\x1b[2J${'9'.repeat(100)}`).error?.issues[0]?.message ?? '';
    assert.ok(!message.includes('\x1b'), message);
    assert.match(message, /^"\\u001b\[2J9{36}…" is not a duration/);
  });
});

describe('policy bounds', () => {
  const sev1 = (fields: Record<string, unknown>) => ({ severities: { 'SEV-1': fields } });
  it('bounds every policy duration, naming the field', () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ acknowledgeWithin: '999999999999d' }, /SEV-1\.acknowledgeWithin: .*at most 30d/],
      [{ acknowledgeWithin: '0s' }, /SEV-1\.acknowledgeWithin: .*at least 1s/],
      [{ escalationLadder: [{ target: 'a', after: '31d' }] }, /SEV-1\.escalationLadder\.0\.after: .*at most 30d/],
      [{ statusUpdates: { every: '5s', escalateAfter: '5m', target: 'x' } }, /statusUpdates\.every: .*at least 10s/],
      [{ statusUpdates: { every: '5m', escalateAfter: '100000000d', target: 'x' } }, /statusUpdates\.escalateAfter/],
      [{ unresolved: { after: '9007199254740993ms', target: 'x' } }, /SEV-1\.unresolved\.after: .*at most 30d/],
      [{ postmortem: { required: true, due: '91d' } }, /SEV-1\.postmortem\.due: .*at most 90d/],
      [{ postmortem: { required: true, due: '30m' } }, /SEV-1\.postmortem\.due: .*at least 1h/],
    ];
    for (const [fields, expected] of cases) assert.match(refusal(sev1(fields)), expected);
    const within = buildPolicy(sev1({ escalationLadder: [{ target: 'a' }, { target: 'b', after: '0s' }] }));
    assert.equal(escalationWait(within.severities['SEV-1'], 1), 0, 'a step may page together with the previous one');
    assert.equal(
      buildPolicy(sev1({ postmortem: { required: true, due: '90d' } })).severities['SEV-1'].postmortem?.due,
      90 * 86_400_000,
    );
  });
  it('bounds the ladder and names its targets like contacts', () => {
    const ladder = Array.from({ length: 11 }, () => ({ target: 'lead' }));
    assert.match(refusal(sev1({ escalationLadder: ladder })), /escalationLadder: at most 10 steps/);
    assert.match(refusal(sev1({ escalationLadder: [{ target: '../lead' }] })), /escalationLadder\.0\.target/);
    assert.match(refusal(sev1({ escalationLadder: [{ target: 'lead', afer: '1m' }] })), /Unrecognized key: "afer"/);
  });
});

describe('policy gaps', () => {
  const hours = (fields: Record<string, unknown>) => ({
    businessHours: { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00', utcOffsetMinutes: 0, ...fields },
  });
  it('business hours are real times, end after start, real offsets and days', () => {
    assert.match(refusal(hours({ start: '25:99' })), /^businessHours\.start: write HH:MM between 00:00 and 23:59$/);
    assert.match(refusal(hours({ start: '9:00' })), /businessHours\.start/);
    assert.match(refusal(hours({ end: '24:30' })), /businessHours\.end: write HH:MM/);
    assert.match(refusal(hours({ start: '18:00' })), /businessHours\.end: must be after start/);
    assert.match(refusal(hours({ end: '09:00' })), /businessHours\.end: must be after start/);
    assert.match(refusal(hours({ days: [0] })), /businessHours\.days\.0: days are 1 \(Monday\) to 7/);
    assert.match(refusal(hours({ days: [8] })), /businessHours\.days\.0/);
    assert.match(refusal(hours({ days: [1, 1] })), /businessHours\.days: a day is listed twice/);
    assert.match(refusal(hours({ days: [] })), /businessHours\.days: name at least one day/);
    assert.match(refusal(hours({ utcOffsetMinutes: -13 * 60 })), /businessHours\.utcOffsetMinutes/);
    assert.match(refusal(hours({ utcOffsetMinutes: 15 * 60 })), /businessHours\.utcOffsetMinutes/);
    assert.match(refusal(hours({ timezone: 'CET' })), /Unrecognized key: "timezone"/);
    const allDay = buildPolicy(hours({ start: '00:00', end: '24:00', utcOffsetMinutes: 14 * 60 })).businessHours;
    assert.equal(allDay.end, '24:00', '24:00 ends the day at midnight');
  });

  it('a rollback is exactly one of a non-empty argv or an http(s) webhook', () => {
    const rollback = (value: unknown) => ({ services: { checkout: { rollback: value } } });
    const both = refusal(rollback({ command: [], webhook: 'ftp://x' }));
    assert.match(both, /services\.checkout\.rollback\.command: name the program to run/);
    assert.match(both, /services\.checkout\.rollback\.webhook: must be an http:\/\/ or https:\/\/ URL/);
    assert.match(refusal(rollback({ webhook: 'ftp://x' })), /rollback\.webhook: must be an http/);
    assert.match(refusal(rollback({ webhook: 'file:///etc/passwd' })), /rollback\.webhook/);
    assert.match(refusal(rollback({})), /services\.checkout\.rollback: give exactly one of command or webhook/);
    assert.match(
      refusal(rollback({ command: ['kubectl'], webhook: 'https://deploy.example.com/x' })),
      /rollback: give exactly one of command or webhook/,
    );
    assert.match(refusal(rollback({ command: [''] })), /rollback\.command\.0: an argument must not be empty/);
    assert.match(refusal(rollback({ command: ['sh', 'a\u001b'] })), /rollback\.command\.1: .*control characters/);
    assert.match(refusal(rollback({ cmd: ['x'] })), /Unrecognized key: "cmd"/);
    const { services } = buildPolicy({
      services: {
        checkout: { rollback: { webhook: 'https://deploy.example.com/hooks/rollback' } },
        search: { rollback: { command: ['kubectl', 'rollout', 'undo'] } },
      },
    });
    assert.deepEqual(services.checkout?.rollback, { webhook: 'https://deploy.example.com/hooks/rollback' });
    assert.deepEqual(services.search?.rollback, { command: ['kubectl', 'rollout', 'undo'] });
  });

  it('an empty policy file is refused; {} is the explicit "no overrides"', () => {
    for (const [name, text] of [
      ['empty.yaml', ''],
      ['comments.yaml', '# nothing here yet\n'],
      ['null.yaml', '~\n'],
    ] as const) {
      assert.throws(
        () => loadPolicy(write(name, text)),
        (error: Error) => {
          assert.ok(error instanceof ConfigError, name);
          assert.match(error.message, /the policy file is empty: write \{\} for a file with no overrides/, name);
          return true;
        },
      );
    }
    assert.throws(() => loadPolicy(write('empty.json', '')), /Cannot read policy file .*empty\.json/);
    assert.throws(() => loadPolicy(write('list.yaml', '- a\n')), /input: a policy file holds a mapping/);
    assert.deepEqual(loadPolicy(write('braces.yaml', '{}\n')), buildPolicy());
  });

  it('urls are http(s), names are safe, keys are names, numbers are finite', () => {
    const service = (config: unknown) => ({ services: { checkout: config } });
    assert.match(
      refusal(service({ smokeChecks: [{ name: 'h', url: 'ftp://x/health' }] })),
      /smokeChecks\.0\.url: must be an http/,
    );
    assert.match(
      refusal(service({ diagnostics: { healthEndpoints: [{ name: 'h', url: 'javascript:alert(1)' }] } })),
      /healthEndpoints\.0\.url: must be an http/,
    );
    assert.match(
      refusal(
        service({
          smokeChecks: [
            { type: 'prometheus', name: 'p', query: 'up', comparison: '>', threshold: 1, prometheusUrl: 'gopher://x' },
          ],
        }),
      ),
      /smokeChecks\.0\.prometheusUrl: must be an http/,
    );
    assert.match(
      refusal(service({ smokeChecks: [{ name: 'h', url: 'http://x', maxLatency: '100000000d' }] })),
      /smokeChecks\.0\.maxLatency: .*at most 60s/,
    );
    assert.match(
      refusal(service({ smokeChecks: [{ name: '\u001b[31mred', url: 'http://x' }] })),
      /smokeChecks\.0\.name: must not contain control characters/,
    );
    assert.match(refusal({ services: { '../etc': {} } }), /^services\."\.\.\/etc": is not a valid service name/);
    assert.match(
      refusal({ services: { 'Check\u001bout': {} } }),
      /^services\."Check\\u001bout": is not a valid service name/,
    );
    assert.match(refusal({ contacts: { 'x y': {} } }), /^contacts\."x y": is not a valid contact name/);
    assert.match(refusal({ contacts: { lead: { slackUserId: 'alice' } } }), /contacts\.lead\.slackUserId/);
    assert.match(refusal({ contacts: { lead: { name: 'Lead\u202E' } } }), /contacts\.lead\.name: .*bidi/);
    assert.match(
      refusal({ contacts: { lead: { manager: 'boss' } } }),
      /contacts\.lead\.manager: names no contact: add boss to contacts/,
    );
    assert.match(refusal({ contacts: { lead: { manager: 'lead' } } }), /contacts\.lead\.manager: must name another/);
    const managed = buildPolicy({ contacts: { lead: { manager: 'boss' }, boss: { email: ['b@example.com'] } } });
    assert.equal(managed.contacts.lead?.manager, 'boss');
    assert.match(refusal({ chat: { responders: ['../x'] } }), /chat\.responders\.0/);
    assert.match(refusal({ chat: { archive: true } }), /Unrecognized key: "archive"/);
    assert.equal(refusal({ 'a\u001b[31m': 1 }), 'input: Unrecognized key: "a\\u001b[31m"', 'a hostile key is escaped');
  });

  it('an unknown key anywhere stops loading, naming where it is', () => {
    const file = write('unknown.yaml', 'contacts:\n  security:\n    email: [s@example.com]\n    chatMention: "@sec"\n');
    assert.throws(
      () => loadPolicy(file),
      (error: Error) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /contacts\.security: Unrecognized key: "chatMention"/);
        return true;
      },
    );
    const http = { name: 'h', url: 'http://x.test/' };
    const places: [unknown, RegExp][] = [
      [
        { severities: { 'SEV-1': { unresolved: { after: '1m', target: 'm', extra: 1 } } } },
        /SEV-1\.unresolved:.*"extra"/,
      ],
      [
        { severities: { 'SEV-1': { escalationLadder: [{ target: 'a', wait: '1m' }] } } },
        /escalationLadder\.0:.*"wait"/,
      ],
      [{ services: { api: { smokeChecks: [{ ...http, header: 'x' }] } } }, /smokeChecks\.0:.*"header"/],
      [{ services: { api: { diagnostics: { healthEndpoints: [{ ...http, x: 1 }] } } } }, /healthEndpoints\.0:.*"x"/],
      [{ services: { api: { rolback: { webhook: 'http://x.test/' } } } }, /services\.api:.*"rolback"/],
      [{ alerts: { severityLabels: 'x' } }, /alerts:.*"severityLabels"/],
      [{ businessHours: { days: [1], start: '09:00', end: '17:00', utcOffsetMinutes: 0, tz: 'x' } }, /"tz"/],
    ];
    for (const [content, expected] of places) assert.match(refusal(content), expected);
  });

  it('the example policies still load', () => {
    for (const example of ['policy.yaml', 'policy.fast.yaml']) {
      loadPolicy(path.join(__dirname, '../../../examples', example));
    }
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
    const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, '../../../src/worker.ts')], {
      env: { ...process.env, INCIDENT_POLICY: file, TEMPORAL_ADDRESS: '127.0.0.1:1' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /severities\.SEV-3\.pageOnCall/);
  });
});
