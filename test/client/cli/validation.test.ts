import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { explain, runCli } from './process';

/**
 * Bad input is refused before anything reaches Temporal. TEMPORAL_ADDRESS points at a loopback listener that
 * counts connections: a refused command exits 2 and the listener never sees a connection, while a valid command
 * does connect (and, since the listener speaks no gRPC, fails with exit 1) — so the test can tell them apart.
 */

let listener: Server;
const sockets = new Set<Socket>();
let connections = 0;
let env: Record<string, string>;

before(async () => {
  listener = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  const address = listener.address();
  assert.ok(address !== null && typeof address === 'object');
  env = { TEMPORAL_ADDRESS: `127.0.0.1:${address.port}`, TEMPORAL_NAMESPACE: 'default' };
});

after(async () => {
  for (const socket of sockets) socket.destroy();
  listener.close();
  await once(listener, 'close');
});

const LONG = 'x'.repeat(2001);

/** One wrong value per command, and the flag or argument the message must name. */
const invalid: Array<{ command: string; args: string[]; names: string }> = [
  { command: 'declare', args: ['declare', '--severity', 'SEV-9', '--title', 'Checkout down'], names: '--severity' },
  { command: 'declare', args: ['declare', '--severity', 'SEV-1', '--title', '   '], names: '--title' },
  { command: 'declare', args: ['declare', '--severity', '1', '--title', 'T', '--id', 'Not An Id'], names: '--id' },
  { command: 'ack', args: ['ack', 'INC_1', '--by', 'alice'], names: 'ID' },
  { command: 'ack', args: ['ack', 'inc-1', '--by', ''], names: '--by' },
  { command: 'assign', args: ['assign', 'inc-1', '--role', 'boss', '--user', 'bob', '--by', 'alice'], names: '--role' },
  {
    command: 'update',
    args: [
      'update',
      'inc-1',
      '--impact',
      'checkout fails',
      '--hypothesis',
      'bad deploy',
      '--next',
      'soon',
      '--by',
      'al',
    ],
    names: '--next',
  },
  {
    command: 'update',
    args: ['update', 'inc-1', '--impact', 'x', '--hypothesis', 'y', '--public', LONG, '--by', 'al'],
    names: '--public',
  },
  { command: 'severity', args: ['severity', 'inc-1', 'SEV-7', '--by', 'alice'], names: 'SEVERITY' },
  {
    command: 'mitigate',
    args: ['mitigate', 'inc-1', '--action', 'roll back', '--kind', 'nuke', '--by', 'al'],
    names: '--kind',
  },
  { command: 'mitigated', args: ['mitigated', 'inc-1', 'x1', '--by', 'alice'], names: 'ACTION_ID' },
  { command: 'resolve', args: ['resolve', 'inc-1', '--by', 'alice', '--summary', LONG], names: '--summary' },
  { command: 'page', args: ['page', 'inc-1', '--target', 'db oncall', '--reason', 'x', '--by', 'al'], names: 'target' },
  { command: 'contacts', args: ['contacts', '--severity', 'SEV-7'], names: '--severity' },
  { command: 'rollback', args: ['rollback', 'inc-1', '--by', 'al\u001b[2J'], names: '--by' },
  { command: 'reopen', args: ['reopen', 'inc-1', '--reason', '', '--by', 'alice'], names: '--reason' },
  { command: 'close', args: ['close', 'inc-1', '--by', ' '], names: '--by' },
  { command: 'note', args: ['note', 'inc-1', '', '--by', 'alice'], names: 'TEXT' },
  { command: 'check', args: ['check', 'inc-1', 'rotate keys', '--by', 'sam'], names: 'ITEM' },
  { command: 'confirm-integrity', args: ['confirm-integrity', 'inc-1', '--by', ' '], names: '--by' },
  { command: 'confirm-breach', args: ['confirm-breach', 'inc-1', '--reason', '', '--by', 'sam'], names: '--reason' },
  { command: 'show', args: ['show', 'inc_1'], names: 'ID' },
  { command: 'postmortem', args: ['postmortem', 'inc-1', '--reviewed', '--by', 'al\u001b[2J'], names: '--by' },
  {
    command: 'action',
    args: ['action', 'add', 'inc-1', '--title', 't', '--owner', 'o', '--due', 'soon', '--kind', 'prevent', '--by', 'a'],
    names: '--due',
  },
  { command: 'timeline', args: ['timeline', 'UPPER'], names: 'ID' },
  { command: 'diagnose', args: ['diagnose', 'inc-1', '--reason', 'now\u001b[2J', '--by', 'al'], names: '--reason' },
  { command: 'drill', args: ['drill', 'run', 'fire drill!'], names: 'NAME' },
  { command: 'report', args: ['report', '--since', 'soon'], names: '--since' },
  { command: 'list', args: ['list', '--status', 'open,sleeping'], names: '--status' },
  { command: 'list', args: ['list', '--severity', 'SEV-0'], names: '--severity' },
  { command: 'outbox', args: ['outbox', 'a b'], names: 'ID' },
  // Bounds and text safety: what used to pass and then break the workflow, or print raw into a terminal.
  {
    command: 'update',
    args: ['update', 'inc-1', '--impact', 'x', '--hypothesis', 'y', '--next', '100000000d', '--by', 'al'],
    names: '--next',
  },
  {
    command: 'declare',
    args: ['declare', '--severity', '1', '--title', 'Checkout \u001b[2J\u001b[Hdown'],
    names: '--title',
  },
  {
    command: 'declare',
    args: ['declare', '--severity', '1', '--title', 'T', '--service', '../etc'],
    names: '--service',
  },
  {
    command: 'assign',
    args: ['assign', 'inc-1', '--role', 'ops', '--user', 'ev\u202eil', '--by', 'al'],
    names: '--user',
  },
];

/** Usage errors commander catches itself: also exit 2, also before any connection. */
const usage: Array<{ what: string; args: string[]; names: string }> = [
  { what: 'missing --by', args: ['ack', 'inc-1'], names: '--by' },
  { what: 'missing required --title', args: ['declare', '--severity', 'SEV-1'], names: '--title' },
  { what: 'unknown option', args: ['close', 'inc-1', '--by', 'al', '--force'], names: '--force' },
  { what: 'missing argument', args: ['note', 'inc-1', '--by', 'al'], names: 'TEXT' },
  { what: 'unknown command', args: ['escalate', 'inc-1'], names: 'escalate' },
];

void describe('invalid input exits 2, names the flag, and sends nothing', { concurrency: 8 }, () => {
  for (const { command, args, names } of invalid) {
    void test(`${command}: ${names}`, async () => {
      const run = await runCli(args, env);
      assert.equal(run.code, 2, explain(run));
      assert.match(run.stderr, new RegExp(`${names}: `), explain(run));
      assert.equal(run.stdout, '', explain(run));
      assert.doesNotMatch(run.stderr, /[\p{Cc}\p{Cf}](?<!\n)/u, `echoed raw into the terminal\n${explain(run)}`);
    });
  }

  for (const { what, args, names } of usage) {
    void test(`usage error: ${what}`, async () => {
      const run = await runCli(args, env);
      assert.equal(run.code, 2, explain(run));
      assert.ok(run.stderr.includes(names), explain(run));
    });
  }

  void test('every command is covered by a wrong-value case', async () => {
    const run = await runCli(['--help'], env);
    const commands = [...run.stdout.matchAll(/^ {2}([a-z-]+) /gm)].map((m) => m[1]).filter((c) => c !== 'help');
    assert.equal(commands.length, new Set(invalid.map((c) => c.command)).size, run.stdout);
    assert.deepEqual(new Set(commands), new Set(invalid.map((c) => c.command)));
  });
});

void test('--json reports invalid input as a typed error on stderr', async () => {
  const run = await runCli(
    ['update', 'inc-1', '--impact', 'x', '--hypothesis', 'y', '--next', '5', '--by', 'a', '--json'],
    env,
  );
  assert.equal(run.code, 2, explain(run));
  const { error } = JSON.parse(run.stderr) as { error: { type: string; message: string } };
  assert.equal(error.type, 'InvalidInput');
  assert.match(error.message, /^--next: "5" is not a duration/);
});

void test('an unknown flag is echoed with its escapes neutralized', async () => {
  const run = await runCli(['ack', 'a1', '--by', 'al', '--colour\u001b[31m'], env);
  assert.equal(run.code, 2, explain(run));
  assert.match(run.stderr, /unknown option '--colour\\u001b\[31m'/);
  assert.ok(!run.stderr.includes('\u001b'), 'no raw escape reaches the terminal');
});

void test('--help works on every command and exits 0', async () => {
  const commands = [...new Set(invalid.map((c) => c.command))];
  const runs = await Promise.all(commands.map((command) => runCli([command, '--help'], env)));
  runs.forEach((run, i) => {
    assert.equal(run.code, 0, explain(run));
    assert.match(run.stdout, new RegExp(`^Usage: incident ${commands[i]} `), explain(run));
    assert.match(run.stdout, /--json/, explain(run));
  });
});

// Runs last: until here the listener must not have seen a single connection.
void test('nothing above connected; a valid command does connect, and fails with exit 1 on a non-Temporal port', async () => {
  assert.equal(connections, 0, 'an invalid command opened a connection to Temporal');
  const run = await runCli(['ack', 'inc-1', '--by', 'alice'], env);
  assert.equal(run.code, 1, explain(run));
  assert.match(run.stderr, /cannot reach Temporal at 127\.0\.0\.1:\d+/, explain(run));
  assert.ok(connections > 0, 'the valid command never tried to connect, so the checks above prove nothing');
});
