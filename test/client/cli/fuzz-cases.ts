import YAML from 'yaml';

/**
 * Hostile inputs for the fuzz test: CLI invocations with exactly one fault each (so the message must name that
 * flag or argument), and broken policy files. Seeded, so a failure replays with FUZZ_SEED.
 */

/** mulberry32: small, fast, and the same sequence on every machine for a seed. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  word(length: number): string {
    return Array.from({ length }, () => 'abcdefghijklmnopqrstuvwxyz'[this.int(0, 25)]).join('');
  }
}

// What a terminal acts on or hides: controls, ANSI/OSC escapes, bidi overrides and isolates, zero-width, BOM.
// A carriage return is followed by a letter: before a newline it would be a Windows line end, which prose keeps.
const CONTROLS = ['\u0000', '\u0007', '\u0008', '\u001b', '\u007f', '\u0085', '\u009b', '\u000b', '\u000c', '\rx'];
const ESCAPES = ['\u001b[31m', '\u001b[2J\u001b[H', '\u001b]0;pwned\u0007', '\u009b6n', '\u001b[?1049h', '\u001bc'];
const BIDI = ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\u200f'];
const INVISIBLE = ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u2028', '\u2029', '\ud800', '\u{e0041}'];
/** Unicode that must keep working: it is the baseline each fault is added to. */
const FRIENDLY = ['Checkout down', 'Zahlungen schlagen fehl – Größe', '支付失败', 'paiement refusé 🔥', 'p99 > 2s'];

function insert(random: Random, text: string, piece: string): string {
  const at = random.int(0, text.length);
  return `${text.slice(0, at)}${piece}${text.slice(at)}`;
}

/** A character sequence no field accepts; one-line fields also refuse newlines and tabs. */
export function hostile(random: Random, base: string, { multiline }: { multiline: boolean }): string {
  const pool = [
    ...CONTROLS,
    ...ESCAPES,
    ...BIDI,
    ...INVISIBLE,
    ...(multiline ? [] : ['\n', '\t', ' ../etc/passwd', ' ..\\windows']),
  ];
  const zwjBetweenLetters = 'a\u200db';
  return insert(random, base, random.chance(0.05) ? zwjBetweenLetters : random.pick(pool));
}

export function tooLong(random: Random, max: number): string {
  const length = random.chance(0.1) ? random.int(50_000, 200_000) : max + random.int(1, 2 * max);
  return `x${'y'.repeat(length)}`;
}

type Kind = 'line' | 'prose' | 'name' | 'service' | 'duration' | 'enum' | 'id' | 'actionId';

interface Field {
  /** The flag (`--title`) or argument (`TEXT`) as the CLI names it. */
  name: string;
  kind: Kind;
  required: boolean;
  max?: number;
  /** For enums: values that are not members (and not aliases the CLI normalizes, like `1` for SEV-1). */
  wrong?: readonly string[];
  valid: (random: Random) => string;
}

const name = (flag: string, required = true): Field => ({
  name: flag,
  kind: 'name',
  required,
  valid: (random) => random.pick(['alice', "Zoë O'Brien", 'bob@example.com', '@carol', '李雷', 'U012AB3CD']),
});
const line = (flag: string, max: number, required = true): Field => ({
  name: flag,
  kind: 'line',
  required,
  max,
  valid: (random) => random.pick(FRIENDLY),
});
const prose = (flag: string, max: number, required = true): Field => ({
  name: flag,
  kind: 'prose',
  required,
  max,
  valid: (random) => `${random.pick(FRIENDLY)}\n\tsee ../runbooks/003`,
});
const SEVERITY_WRONG = [
  'SEV-0',
  'SEV-5',
  'sev9',
  '0',
  '5',
  'critical',
  'SEV–1',
  'ＳＥＶ-1',
  '',
  'SEV-1\u001b[31m',
  'SEV-1;',
];

interface CommandSpec {
  /** Positional arguments in order, then options. */
  args: Field[];
  options: Field[];
  flags?: string[];
}

const ID: Field = { name: 'ID', kind: 'id', required: true, valid: () => 'fz-unused' };

const COMMANDS: Record<string, CommandSpec> = {
  declare: {
    args: [],
    options: [
      {
        name: '--severity',
        kind: 'enum',
        required: true,
        wrong: SEVERITY_WRONG,
        valid: (r) => r.pick(['SEV-1', 'sev2', '3']),
      },
      line('--title', 200),
      {
        name: '--service',
        kind: 'service',
        required: false,
        valid: (r) => r.pick(['checkout', 'payments-api', 'search.v2']),
      },
      prose('--summary', 2000, false),
      name('--commander', false),
      { ...ID, name: '--id', required: false },
    ],
    flags: ['--drill', '--security'],
  },
  ack: { args: [ID], options: [name('--by')] },
  assign: {
    args: [ID],
    options: [
      {
        name: '--role',
        kind: 'enum',
        required: true,
        wrong: ['boss', 'Commander', 'COMMS', 'root', '', 'ops\u202e', 'scribe '],
        valid: (r) => r.pick(['commander', 'comms', 'ops', 'oncall', 'scribe']),
      },
      name('--user'),
      name('--by'),
    ],
  },
  update: {
    args: [ID],
    options: [
      prose('--impact', 1000),
      prose('--hypothesis', 1000),
      prose('--actions', 1000, false),
      { name: '--next', kind: 'duration', required: false, valid: (r) => r.pick(['1m', '15m', '2h', '24h']) },
      prose('--public', 1000, false),
      name('--by'),
    ],
  },
  severity: {
    args: [ID, { name: 'SEVERITY', kind: 'enum', required: true, wrong: SEVERITY_WRONG, valid: () => 'SEV-2' }],
    options: [name('--by'), line('--reason', 500, false)],
  },
  mitigate: {
    args: [ID],
    options: [
      line('--action', 500),
      {
        name: '--kind',
        kind: 'enum',
        required: false,
        wrong: ['nuke', 'ROLLBACK', '', 'rollback\n', 'scale;rm'],
        valid: (r) => r.pick(['rollback', 'feature-flag', 'restart']),
      },
      name('--by'),
    ],
  },
  mitigated: {
    args: [ID, { name: 'ACTION_ID', kind: 'actionId', required: true, valid: () => 'm1' }],
    options: [name('--by')],
    flags: ['--failed'],
  },
  rollback: { args: [ID], options: [name('--by'), line('--reason', 500, false)] },
  diagnose: { args: [ID], options: [name('--by'), line('--reason', 500, false)] },
  resolve: { args: [ID], options: [name('--by'), prose('--summary', 2000, false)] },
  reopen: { args: [ID], options: [line('--reason', 500), name('--by')] },
  close: { args: [ID], options: [name('--by')] },
  note: { args: [ID, prose('TEXT', 2000)], options: [name('--by')] },
  show: { args: [ID], options: [] },
  timeline: { args: [ID], options: [] },
  list: {
    args: [],
    options: [
      {
        name: '--status',
        kind: 'enum',
        required: false,
        wrong: ['sleeping', 'OPEN', 'open,bogus', 'resolved\u001b[2J', '../x', 'closed;'],
        valid: () => 'open',
      },
      {
        name: '--severity',
        kind: 'enum',
        required: false,
        wrong: ['SEV-0', '9', 'high', 'SEV-1,SEV-7', 'ＳＥＶ-1'],
        valid: () => 'SEV-1',
      },
    ],
  },
  outbox: { args: [{ ...ID, required: false }], options: [] },
};
export const CLI_COMMANDS = Object.keys(COMMANDS);

const BAD_IDS = [
  '',
  'A',
  'INC_1',
  'Inc-1',
  '../etc',
  'a',
  'x'.repeat(64),
  'ínc-1',
  'inc 1',
  'inc/1',
  '.',
  '..',
  'inc-1\n',
];
const BAD_ACTION_IDS = ['x1', 'm', 'M1', 'm-1', 'm1234567', 'm1\u001b', '../m1', 'm 1', '', 'm١'];
const BAD_NAMES = [
  '../root',
  'a/b',
  '<b>x</b>',
  'x;y',
  '$(id)',
  '`id`',
  'a..b',
  '🔥',
  '%2e%2e',
  'a|b',
  'a"b',
  ':x',
  '.x',
];
const BAD_SERVICES = ['Checkout', 'check out', '../etc', '.hidden', 'a..b', 'a/b', 'x'.repeat(64), 'café', '_x', '🔥'];
const BAD_DURATIONS = [
  '100000000d',
  '9007199254740993ms',
  '999999999999d',
  '0s',
  '30s',
  '25h',
  '2d',
  '1y',
  '-5m',
  '5',
  'soon',
  '',
  '  ',
  '1e3d',
  'Infinityh',
  'NaNm',
  '1.5.5h',
  '5mm',
  '5m\u001b[2J',
  '\u202e5m',
  `${'9'.repeat(400)}ms`,
];

/** A value the field refuses, whatever else the command says. */
function wrongValue(random: Random, field: Field): string {
  const base = field.valid(random);
  switch (field.kind) {
    case 'line':
    case 'prose': {
      const faults = [
        () => hostile(random, base, { multiline: field.kind === 'prose' }),
        () => tooLong(random, field.max ?? 0),
      ];
      if (field.required) faults.push(() => random.pick(['', '   ', '\n\t ']));
      return random.pick(faults)();
    }
    case 'name':
      return random.pick([
        () => random.pick(BAD_NAMES),
        () => hostile(random, base, { multiline: false }),
        () => `a${'b'.repeat(random.int(100, 5000))}`,
        () => random.pick(['', '  ']),
      ])();
    case 'service':
      return random.chance(0.5) ? random.pick(BAD_SERVICES) : hostile(random, 'checkout', { multiline: false });
    case 'duration':
      return random.pick([
        () => random.pick(BAD_DURATIONS),
        () => `${random.int(25, 1e9)}h`,
        () => `${random.int(2, 1e12)}d`,
        () => `${random.int(0, 59)}s`,
        () => `${random.int(86_400_001, Number.MAX_SAFE_INTEGER)}ms`,
      ])();
    case 'enum':
      return random.pick(field.wrong ?? ['']);
    case 'id':
      return random.chance(0.8) ? random.pick(BAD_IDS) : hostile(random, 'inc-1', { multiline: false });
    case 'actionId':
      return random.pick(BAD_ACTION_IDS);
  }
}

export interface CliCase {
  args: string[];
  /** The exit code this case must end with: 2 refused, 3 unknown incident, 4 refused by the incident. */
  exit: 2 | 3 | 4;
  /** What stderr must name: the flag or argument at fault, or the incident. */
  names: string;
  /** Whether the case reaches Temporal; validation.test.ts proves that refused input never connects. */
  remote: boolean;
}

/** A whole invocation of `command` with every field valid, for `id`. */
function validArgs(random: Random, command: string, id: string): Array<{ field: Field; value: string | undefined }> {
  const spec = COMMANDS[command] as CommandSpec;
  return [...spec.args, ...spec.options].map((field) => {
    if (field.kind === 'id') return { field, value: field.name === '--id' ? undefined : id };
    if (!field.required && random.chance(0.5)) return { field, value: undefined };
    return { field, value: field.valid(random) };
  });
}

function render(command: string, fields: Array<{ field: Field; value: string | undefined }>, extra: string[] = []) {
  const positional = fields.filter((f) => !f.field.name.startsWith('-') && f.value !== undefined).map((f) => f.value);
  const options = fields
    .filter((f) => f.field.name.startsWith('-') && f.value !== undefined)
    .flatMap((f) => [f.field.name, f.value as string]);
  return [command, ...(positional as string[]), ...options, ...extra];
}

/** One CLI case: a single fault in an otherwise valid command, or a valid command that must be refused remotely. */
export function cliCase(random: Random, reference: string): CliCase {
  const command = random.pick(CLI_COMMANDS);
  const spec = COMMANDS[command] as CommandSpec;
  const json = random.chance(0.2) ? ['--json'] : [];
  const flags = (spec.flags ?? []).filter(() => random.chance(0.3));
  const unknownId = `fz-${random.word(8)}`;
  const fields = validArgs(random, command, random.chance(0.3) ? reference : unknownId);
  const hasId = spec.args.some((f) => f.kind === 'id');
  const roll = random.next();

  // Valid input that only Temporal can refuse: an unknown incident, or a transition the reference cannot take.
  if (roll < 0.12 && command !== 'list' && command !== 'declare' && hasId) {
    const forUnknown = fields.map((f) => (f.field.kind === 'id' ? { ...f, value: unknownId } : f));
    return { args: render(command, forUnknown, [...flags, ...json]), exit: 3, names: unknownId, remote: true };
  }
  if (roll < 0.16) return referenceCase(random, reference, json);
  // A command that does not exist.
  if (roll < 0.2) {
    const unknown = `${command}${random.word(2)}`;
    return { args: [unknown, ...render(command, fields).slice(1)], exit: 2, names: unknown, remote: false };
  }

  const faults: Array<() => CliCase> = [];
  // A wrong value for one field: refused before connecting, naming that field.
  faults.push(() => {
    const target = random.pick(fields);
    const changed = fields.map((f) => (f === target ? { ...f, value: wrongValue(random, f.field) } : f));
    return { args: render(command, changed, [...flags, ...json]), exit: 2, names: target.field.name, remote: false };
  });
  // A required option or argument left out.
  const required = fields.filter((f) => f.field.required && f.value !== undefined);
  if (required.length > 0) {
    faults.push(() => {
      const dropped = random.pick(required);
      // Without its ID, a command's later positional would be read as the ID: drop from the end.
      const positional = fields.filter((f) => !f.field.name.startsWith('-') && f.value !== undefined);
      const target = dropped.field.name.startsWith('-') ? dropped : (positional.at(-1) ?? dropped);
      const kept = fields.filter((f) => f !== target);
      return { args: render(command, kept, [...flags, ...json]), exit: 2, names: target.field.name, remote: false };
    });
  }
  // An option that does not exist (with or without a value).
  faults.push(() => {
    const unknown = `--${random.pick(['force', 'yes', 'all', 'verbose', 'dry-run', 'token', 'sev'])}-${random.word(3)}`;
    const extra = random.chance(0.5) ? [unknown] : [unknown, random.pick(FRIENDLY)];
    return { args: render(command, fields, [...flags, ...json, ...extra]), exit: 2, names: unknown, remote: false };
  });
  // An option given without its value, at the end.
  if (spec.options.length > 0) {
    faults.push(() => {
      const option = random.pick(spec.options);
      const others = fields.filter((f) => f.field !== option);
      return {
        args: [...render(command, others, [...flags, ...json]), option.name],
        exit: 2,
        names: option.name,
        remote: false,
      };
    });
  }
  // One argument too many.
  faults.push(() => {
    const args = render(command, fields, [...flags, ...json]);
    const positionals = spec.args.length;
    args.splice(
      1 + positionals,
      0,
      ...Array.from({ length: random.int(1, 3) }, () => random.pick(['extra', 'fz-x', '42'])),
    );
    return { args, exit: 2, names: `'${command}'`, remote: false };
  });
  return random.pick(faults)();
}

/** Valid commands the reference incident (declared, never acknowledged) must refuse without a trace. */
function referenceCase(random: Random, reference: string, json: string[]): CliCase {
  const by = ['--by', random.pick(['alice', 'Zoë', 'bob@example.com'])];
  const choices: string[][] = [
    ['close', reference, ...by],
    ['reopen', reference, '--reason', random.pick(FRIENDLY), ...by],
    ['mitigated', reference, `m${random.int(1, 999_999)}`, ...by],
    ['declare', '--id', reference, '--severity', random.pick(['SEV-1', 'SEV-4']), '--title', random.pick(FRIENDLY)],
  ];
  return { args: [...random.pick(choices), ...json], exit: 4, names: reference, remote: true };
}

export interface PolicyCase {
  text: string;
  extension: 'yaml' | 'json';
  /** What the loader's message must name: the field's dotted path, a key, or a phrase. */
  names: string;
}

/** A policy using every section, valid as a whole: each case breaks one thing in it. */
function basePolicy(): Record<string, unknown> {
  return {
    severities: {
      'SEV-1': {
        acknowledgeWithin: '5m',
        escalationLadder: [{ target: 'secondary-oncall' }, { target: 'engineering-manager', after: '10m' }],
        statusUpdates: { every: '15m', escalateAfter: '5m', target: 'engineering-manager' },
        unresolved: { after: '1h', target: 'vp-engineering' },
        postmortem: { required: true, due: '48h' },
      },
      'SEV-3': { pageOnCall: 'business-hours' },
    },
    businessHours: { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00', utcOffsetMinutes: 60 },
    contacts: { stakeholders: { name: 'Stakeholders', email: ['incidents@example.com'], slackUserId: 'U012AB3CD' } },
    services: {
      checkout: {
        smokeChecks: [{ name: 'health', url: 'https://checkout.example.com/healthz', maxLatency: '2s' }],
        diagnostics: { healthEndpoints: [{ name: 'health', url: 'https://checkout.example.com/healthz' }] },
        rollback: { webhook: 'https://deploy.example.com/hooks/rollback/checkout' },
      },
      search: { rollback: { command: ['kubectl', 'rollout', 'undo', 'deployment/search'] } },
    },
    chat: { responders: ['primary-oncall'], archiveOnClose: true },
  };
}

const BAD_POLICY_DURATIONS = [
  '999999999999d',
  '100000000d',
  '9007199254740993ms',
  '0s',
  '91d',
  'soon',
  '15',
  5,
  null,
  [],
];
const BAD_URLS = ['ftp://x', 'file:///etc/passwd', 'javascript:alert(1)', 'not a url', '', 'http://', 42];

/** Dotted paths into the base policy and the values that must be refused there. */
const POLICY_FAULTS: Array<[string, readonly unknown[]]> = [
  ['severities.SEV-1.acknowledgeWithin', BAD_POLICY_DURATIONS],
  ['severities.SEV-1.escalationLadder.1.after', BAD_POLICY_DURATIONS.filter((d) => d !== '0s')],
  ['severities.SEV-1.escalationLadder.0.target', ['../x', '', 'a b', 'x\u001b[2J', 7]],
  ['severities.SEV-1.escalationLadder', ['x', Array.from({ length: 11 }, () => ({ target: 'lead' })), [{}]]],
  ['severities.SEV-1.statusUpdates.every', [...BAD_POLICY_DURATIONS, '5s']],
  ['severities.SEV-1.statusUpdates.escalateAfter', BAD_POLICY_DURATIONS],
  ['severities.SEV-1.unresolved.after', BAD_POLICY_DURATIONS],
  ['severities.SEV-1.postmortem.due', ['30m', '91d', '999999999999d', 'never']],
  ['severities.SEV-1.pageOnCall', ['sometimes', true, '']],
  ['severities.SEV-1.statusPage', ['false', 1]],
  ['severities.SEV-1.stakeholderEmail', ['everyone', null]],
  ['businessHours.start', ['25:99', '24:00', '9:00', '12:60', 'noon', 1200, '09:00\u001b']],
  ['businessHours.end', ['08:00', '09:00', '24:01', '25:00', '']],
  ['businessHours.days', [[0], [8], [1, 1], [], 'mon', [1.5]]],
  ['businessHours.utcOffsetMinutes', [900, -800, 1.5, '60']],
  [
    'services.checkout.rollback',
    [
      { command: [], webhook: 'ftp://x' },
      { webhook: 'ftp://x' },
      { command: [] },
      {},
      { command: [''] },
      { command: 'kubectl rollout undo' },
      { webhook: 'javascript:alert(1)' },
      { command: ['kubectl'], webhook: 'https://deploy.example.com/x' },
      { command: ['sh', '-c', 'x\u001b'] },
    ],
  ],
  ['services.checkout.smokeChecks.0.url', BAD_URLS],
  ['services.checkout.smokeChecks.0.maxLatency', ['100000000d', '0ms', '61s', 'fast']],
  ['services.checkout.smokeChecks.0.name', ['', 'x\u001b[31m', 'a\u202eb', 'two\nlines']],
  ['services.checkout.diagnostics.healthEndpoints.0.url', BAD_URLS],
  ['contacts.stakeholders.email', [['not-an-email'], 'incidents@example.com']],
  ['contacts.stakeholders.slackUserId', ['alice', '../U1']],
  ['contacts.stakeholders.name', ['x\u001b]0;t\u0007', 'a\u200bb']],
  ['chat.responders', [['../x'], 'primary-oncall', [7]]],
  ['chat.archiveOnClose', ['yes']],
];

function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[keys.at(-1) as string] = value;
}

/** One broken policy file: a bad value at a path, an unknown or hostile key, or a file that is not a policy. */
export function policyCase(random: Random): PolicyCase {
  const extension = random.chance(0.5) ? 'yaml' : 'json';
  const serialize = (value: unknown) => (extension === 'yaml' ? YAML.stringify(value) : JSON.stringify(value));
  const policy = basePolicy();
  const roll = random.next();
  if (roll < 0.1) {
    const files: Array<[string, 'yaml' | 'json', string]> = [
      ['', 'yaml', 'the policy file is empty'],
      ['# nothing yet\n', 'yaml', 'the policy file is empty'],
      ['~\n', 'yaml', 'the policy file is empty'],
      ['', 'json', 'Cannot read policy file'],
      ['[]', 'json', 'a policy file holds a mapping'],
      ['- severities\n', 'yaml', 'a policy file holds a mapping'],
      ['42', 'json', 'a policy file holds a mapping'],
      ['"text"', 'json', 'a policy file holds a mapping'],
      ['{"severities": ', 'json', 'Cannot read policy file'],
      ['severities:\n\t- x\n', 'yaml', 'Cannot read policy file'],
      [
        'a: &a [1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n',
        'yaml',
        'policy file',
      ],
      ['\u0000\u0001\u0002', 'json', 'Cannot read policy file'],
    ];
    const [text, ext, names] = random.pick(files);
    return { text, extension: ext, names };
  }
  if (roll < 0.25) {
    // A key that does not belong: a typo, or a hostile name, at some level.
    const typo = random.pick(['severites', 'acknowledgeWithn', `x${random.word(4)}`, 'a\u001b[2J', 'b\u202ec']);
    const parent = random.pick(['', 'severities.SEV-1', 'businessHours', 'services.checkout', 'chat']);
    const node =
      parent === ''
        ? policy
        : parent.split('.').reduce<Record<string, unknown>>((n, k) => n[k] as Record<string, unknown>, policy);
    node[typo] = '1m';
    const shown = JSON.stringify(typo).replace(
      /[\p{Cc}\p{Cf}]/gu,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
    return { text: serialize(policy), extension, names: `Unrecognized key: ${shown}` };
  }
  if (roll < 0.35) {
    // A service or contact whose name is not one.
    const section = random.pick(['services', 'contacts'] as const);
    const key = random.pick(['../etc', 'Check Out', 'a\u001b[31m', 'x/y', '..', ' ', 'a..b']);
    (policy[section] as Record<string, unknown>)[key] = {};
    return { text: serialize(policy), extension, names: `${section}.` };
  }
  const [path, values] = random.pick(POLICY_FAULTS);
  setPath(policy, path, random.pick(values));
  return { text: serialize(policy), extension, names: path };
}

/** Raw values a client other than the CLI could send (the API): what the CLI's parser never produces. */
const NOT_TEXT: readonly unknown[] = [42, null, {}, [], true, 1e308];

const UPDATE_FIELDS: Record<string, Record<string, Field>> = {
  acknowledge: { by: name('--by') },
  assignRole: { role: COMMANDS.assign?.options[0] as Field, user: name('--user'), by: name('--by') },
  postStatusUpdate: {
    impact: prose('--impact', 1000),
    hypothesis: prose('--hypothesis', 1000),
    actions: prose('--actions', 1000, false),
    nextUpdateIn: COMMANDS.update?.options[3] as Field,
    userFacing: prose('--public', 1000, false),
    by: name('--by'),
  },
  changeSeverity: {
    severity: COMMANDS.severity?.args[1] as Field,
    by: name('--by'),
    reason: line('--reason', 500, false),
  },
  startMitigation: { action: line('--action', 500), kind: COMMANDS.mitigate?.options[1] as Field, by: name('--by') },
  addNote: { text: prose('TEXT', 2000), by: name('--by') },
  // Lifecycle commands parse their input before checking the transition, so a declared incident says InvalidInput.
  finishMitigation: {
    actionId: COMMANDS.mitigated?.args[1] as Field,
    outcome: { name: '--failed', kind: 'enum', required: true, wrong: ['ok', '', 'FAILED'], valid: () => 'failed' },
    by: name('--by'),
  },
  rollback: { by: name('--by'), reason: line('--reason', 500, false) },
  resolve: { by: name('--by'), summary: prose('--summary', 2000, false) },
  reopen: { reason: line('--reason', 500), by: name('--by') },
  close: { by: name('--by') },
};

export interface ValidatorCase {
  update: string;
  input: Record<string, unknown>;
  /** The field at fault: the workflow's refusal must name it. */
  field: string;
}

/** A payload sent straight to the workflow's update, past the CLI: its validator must refuse it the same way. */
export function validatorCase(random: Random): ValidatorCase {
  const update = random.pick(Object.keys(UPDATE_FIELDS));
  const fields = UPDATE_FIELDS[update] as Record<string, Field>;
  const field = random.pick(Object.keys(fields));
  const input: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(fields)) {
    if (key === field) input[key] = random.chance(0.2) ? random.pick(NOT_TEXT) : wrongValue(random, spec);
    else if (spec.required || random.chance(0.5)) input[key] = spec.valid(random);
  }
  return { update, input, field };
}
