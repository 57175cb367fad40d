import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { z } from 'zod';
import {
  alertFiredSchema,
  assignRoleSchema,
  declareSchema,
  describeIssues,
  finishMitigationSchema,
  noteSchema,
  reopenSchema,
  severityChangeSchema,
  startMitigationSchema,
  statusUpdateSchema,
} from '../../src/domain/inputs';
import { quoted } from '../../src/domain/text';

/** What the workflow's validator and the CLI would say about this input, or undefined when it passes. */
function refusal(schema: z.ZodType, input: unknown): string | undefined {
  const parsed = schema.safeParse(input);
  return parsed.success ? undefined : describeIssues(parsed.error);
}

const declaration = { id: 'inc-1', severity: 'SEV-2', title: 'Checkout down' };
const update = { impact: 'checkout fails', hypothesis: 'bad deploy', by: 'alice' };

/** Hostile characters, each with how the message must name it. */
const HOSTILE: Array<[string, string]> = [
  ['\u001b[31mred', 'U+001B'],
  ['bell\u0007', 'U+0007'],
  ['nul\u0000', 'U+0000'],
  ['c1\u009b31m', 'U+009B'],
  ['del\u007f', 'U+007F'],
  ['evil\u202Etxt.exe', 'U+202E'],
  ['iso\u2066late', 'U+2066'],
  ['zero\u200Bwidth', 'U+200B'],
  ['\uFEFFbom', 'U+FEFF'],
  ['lone\ud800', 'U+D800'],
  ['line\u2028sep', 'U+2028'],
  ['tag\u{E0041}', 'U+E0041'],
];

describe('--next (nextUpdateIn) is bounded', () => {
  it('refuses durations beyond a day, naming the field', () => {
    for (const next of ['100000000d', '9007199254740993ms', '999999999999d', '25h', '2d']) {
      assert.match(
        refusal(statusUpdateSchema, { ...update, nextUpdateIn: next }) ?? 'accepted',
        /^nextUpdateIn: ".*" is out of range: must be at most 24h$/,
        next,
      );
    }
  });
  it('refuses promises under a minute and keeps the usual ones', () => {
    assert.match(refusal(statusUpdateSchema, { ...update, nextUpdateIn: '0s' }) ?? '', /at least 1m/);
    assert.match(refusal(statusUpdateSchema, { ...update, nextUpdateIn: '30s' }) ?? '', /at least 1m/);
    for (const next of ['1m', '15m', '2h', '24h']) {
      assert.equal(refusal(statusUpdateSchema, { ...update, nextUpdateIn: next }), undefined, next);
    }
  });
});

describe('text is refused where a terminal or chat would act on it', () => {
  it('one-line fields refuse control, escape, bidi and zero-width characters, naming field and character', () => {
    const cases: Array<[z.ZodType, (value: string) => unknown, string]> = [
      [declareSchema, (title) => ({ ...declaration, title }), 'title'],
      [startMitigationSchema, (action) => ({ action, by: 'al' }), 'action'],
      [reopenSchema, (reason) => ({ reason, by: 'al' }), 'reason'],
      [severityChangeSchema, (reason) => ({ severity: 'SEV-1', by: 'al', reason }), 'reason'],
    ];
    for (const [schema, input, field] of cases) {
      for (const [value, codePoint] of HOSTILE) {
        const message = refusal(schema, input(value)) ?? 'accepted';
        assert.ok(message.startsWith(`${field}: must not contain `), `${field} ${quoted(value)}: ${message}`);
        assert.ok(message.includes(codePoint), `${field} ${quoted(value)}: ${message}`);
      }
      assert.match(refusal(schema, input('two\nlines')) ?? '', /U\+000A/, `${field} is one line`);
    }
  });

  it('prose keeps newlines and tabs, turns CRLF into LF, refuses the rest', () => {
    const note = (text: string) => noteSchema.safeParse({ text, by: 'al' });
    assert.equal(note('first line\r\n\tsecond line').data?.text, 'first line\n\tsecond line');
    assert.equal(note('see ../runbooks/003.md').success, true, 'a path in prose is only shown');
    for (const [value, codePoint] of HOSTILE) {
      const message = refusal(noteSchema, { text: value, by: 'al' }) ?? 'accepted';
      assert.match(message, new RegExp(`^text: must not contain .*${codePoint.replace('+', '\\+')}`), quoted(value));
    }
    assert.match(refusal(noteSchema, { text: 'carriage\rreturn', by: 'al' }) ?? '', /^text: .*U\+000D/);
    for (const field of ['impact', 'hypothesis', 'actions', 'userFacing']) {
      assert.match(refusal(statusUpdateSchema, { ...update, [field]: 'x\u001b[2J' }) ?? '', new RegExp(`^${field}: `));
    }
    assert.match(refusal(declareSchema, { ...declaration, summary: 'a\u202Eb' }) ?? '', /^summary: .*U\+202E/);
  });

  it('titles refuse ../ (titles name things); text keeps emoji, accents and other scripts', () => {
    for (const title of ['../../etc/passwd', 'a ..\\windows', '..']) {
      assert.match(refusal(declareSchema, { ...declaration, title }) ?? 'accepted', /^title: must not contain \.\.\//);
    }
    const title = 'Checkout 👩‍💻 down 🏳️‍🌈 for 👩🏽‍💻 users… ünïcødé 日本語 العربية';
    assert.equal(refusal(declareSchema, { ...declaration, title }), undefined);
    assert.match(
      refusal(declareSchema, { ...declaration, title: 'a\u200Db' }) ?? '',
      /U\+200D/,
      'a joiner outside emoji',
    );
  });

  it('names (actors, roles users, commanders) use letters, digits, spaces and . _ - @', () => {
    for (const name of [
      'alice',
      "Zoë O'Brien",
      'bob@example.com',
      '@carol',
      'U012AB3CD',
      'José García',
      '李雷',
      'slack:U012AB3CD',
    ]) {
      assert.equal(refusal(assignRoleSchema, { role: 'ops', user: name, by: name }), undefined, name);
    }
    for (const name of [
      '../root',
      'a/b',
      'al\u001b[0m',
      'x\u202Ey',
      'a..b',
      '-rf',
      'a;b',
      '<script>',
      'a\nb',
      '👩‍💻',
      'slack:alice',
      'x:y',
    ]) {
      assert.match(refusal(assignRoleSchema, { role: 'ops', user: name, by: 'al' }) ?? 'accepted', /^user: /, name);
      assert.match(refusal(declareSchema, { ...declaration, commander: name }) ?? 'accepted', /^commander: /, name);
    }
    assert.match(refusal(assignRoleSchema, { role: 'ops', user: 'x'.repeat(101), by: 'al' }) ?? '', /at most 100/);
    // Found by the fuzz test: a trailing form feed was trimmed away instead of refused.
    for (const name of ['@carol\f', 'carol\u000b', '\u001bcarol']) {
      assert.match(
        refusal(assignRoleSchema, { role: 'ops', user: 'al', by: name }) ?? 'accepted',
        /^by: must not contain control/,
      );
    }
  });

  it('services use lowercase letters, digits, . _ and -, and no ..', () => {
    for (const service of ['checkout', 'payments-api', 'search.v2', 'auth_2']) {
      assert.equal(refusal(declareSchema, { ...declaration, service }), undefined, service);
    }
    for (const service of [
      '../etc',
      'a/b',
      'Checkout',
      'check out',
      'a..b',
      '.hidden',
      'x\u0000',
      'x'.repeat(64),
      'x\f',
    ]) {
      assert.match(refusal(declareSchema, { ...declaration, service }) ?? 'accepted', /^service: /, quoted(service));
    }
  });

  it('a mitigation id is short, and a detection time is a real date', () => {
    assert.match(
      refusal(finishMitigationSchema, { actionId: `m${'9'.repeat(7)}`, outcome: 'failed', by: 'a' }) ?? '',
      /actionId/,
    );
    assert.match(refusal(declareSchema, { ...declaration, detectedAt: '2025-13-45T99:99:99Z' }) ?? '', /detectedAt/);
  });

  it('an alert cannot retype its payload: its text is neutralized, not refused', () => {
    const alert = alertFiredSchema.parse({ source: 'alertmanager\u001b[2J', summary: 'p99 \u202Ehigh\nsee graph' });
    assert.equal(alert.source, 'alertmanager\uFFFD[2J');
    assert.equal(alert.summary, 'p99 \uFFFDhigh\nsee graph');
    assert.equal(alertFiredSchema.safeParse({ source: '  ' }).success, false);
    const long = alertFiredSchema.parse({ source: 'am', summary: `${'x'.repeat(999)}🔥🔥` }).summary ?? '';
    assert.equal(Array.from(long).length, 1000, 'cut at whole characters, never half an emoji');
    assert.ok(long.endsWith('🔥'), long.slice(-4));
  });

  it('messages echo what was typed only quoted, clipped and escaped', () => {
    const parsed = statusUpdateSchema.safeParse({ ...update, nextUpdateIn: '\u001b[2J' });
    assert.ok(!parsed.success);
    assert.ok(!describeIssues(parsed.error).includes('\u001b'), describeIssues(parsed.error));
    assert.equal(quoted('\u001b[2J\u202E'), '"\\u001b[2J\\u202e"');
    assert.equal(quoted('x'.repeat(50)), `"${'x'.repeat(40)}…"`);
  });
});
