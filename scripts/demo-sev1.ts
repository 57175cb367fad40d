/**
 * A whole SEV-1, declared to closed, driven with the `incident` CLI against a running `npm start` whose worker
 * uses second-long windows, so the escalations happen while you watch:
 *
 *   INCIDENT_POLICY=examples/policy.fast.yaml npm start      # terminal 1
 *   npx tsx scripts/demo-sev1.ts                             # terminal 2
 *
 * The demo also plays the checkout service: it serves the health endpoint examples/policy.fast.yaml checks
 * (127.0.0.1:8787), broken at first, so the first resolution is refused by the smoke tests.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadPlatformConfig } from '../src/config/platform';
import { provisionTemporalCli } from '../src/dev/temporal-binaries';

const BIN = path.resolve(__dirname, '../bin/incident.cjs');
const FAST_ACK_WINDOW_MS = 10_000;

let checkoutHealthy = false;
const checkout = createServer((_req, res) => {
  res.writeHead(checkoutHealthy ? 200 : 503, { 'content-type': 'text/plain' }).end(checkoutHealthy ? 'ok' : 'down');
});

interface Run {
  code: number | null;
  stdout: string;
}

interface Step {
  /** How the command reads on a terminal, e.g. `incident`. */
  shown: string;
  /** What actually runs before the arguments, e.g. node and the bin. */
  argv: string[];
  expect?: number;
  quiet?: boolean;
}

const quote = (arg: string) => (/^[\w.:=/-]+$/.test(arg) ? arg : `'${arg}'`);

/** Runs a command, echoing it and its output as a terminal would; stops the demo on an unexpected exit code. */
async function sh(step: Step, args: string[]): Promise<Run> {
  const [file = '', ...prefix] = step.argv;
  if (!step.quiet) console.log(`\n\x1b[1m$ ${[step.shown, ...args.map(quote)].join(' ')}\x1b[0m`);
  // Async, not spawnSync: this process must keep answering the health checks the worker makes meanwhile.
  const child = spawn(file, [...prefix, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (!step.quiet) process.stdout.write(chunk);
  });
  const [code] = (await once(child, 'close')) as [number | null];
  const expect = step.expect ?? 0;
  if (code !== expect) throw new Error(`${step.shown} ${args[0] ?? ''} exited ${code}, expected ${expect}`);
  return { code, stdout };
}

const incident = (args: string[], expect = 0, quiet = false) =>
  sh({ shown: 'incident', argv: [process.execPath, BIN], expect, quiet }, args);

async function waitFor(seconds: number, why: string): Promise<void> {
  console.log(`\n\x1b[2m... ${why}: waiting ${seconds}s\x1b[0m`);
  await sleep(seconds * 1000);
}

async function main(): Promise<void> {
  checkout.listen(8787, '127.0.0.1');
  await once(checkout, 'listening');
  await incident(['list', '--status', 'open'], 0, true).catch(() => {
    throw new Error(
      'cannot reach the incident service: start it with INCIDENT_POLICY=examples/policy.fast.yaml npm start',
    );
  });

  const id = `sev1-demo-${Date.now().toString(36)}`;
  console.log('\n# 03:02 checkout starts failing. Someone declares a SEV-1 — and nobody acknowledges it.');
  await incident([
    'declare',
    '--id',
    id,
    '--severity',
    'SEV-1',
    '--title',
    'Checkout: payments fail with 502',
    '--service',
    'checkout',
    '--summary',
    'error rate 30% since the 03:00 deploy',
  ]);
  const { policy } = JSON.parse((await incident(['show', id, '--json'], 0, true)).stdout) as {
    policy: { rules: { acknowledgeWithin: number } };
  };
  if (policy.rules.acknowledgeWithin > FAST_ACK_WINDOW_MS) {
    await incident(['ack', id, '--by', 'demo'], 0, true);
    await incident(['resolve', id, '--by', 'demo'], 0, true).catch(() => undefined);
    await incident(['close', id, '--by', 'demo'], 0, true).catch(() => undefined);
    throw new Error(
      'the worker is not using examples/policy.fast.yaml: restart it with INCIDENT_POLICY=examples/policy.fast.yaml npm start',
    );
  }

  await waitFor(11, 'the ack window is 5s: the ladder climbs to secondary-oncall, then engineering-manager');
  await incident(['show', id]);

  console.log('\n# Alice acknowledges: the ladder stops. Carol takes command.');
  await incident(['ack', id, '--by', 'alice']);
  await incident(['assign', id, '--role', 'commander', '--user', 'carol', '--by', 'alice']);

  await waitFor(5, 'status updates are due every 10s, escalated 5s after the reminder');
  await incident([
    'update',
    id,
    '--impact',
    '30% of payments fail',
    '--hypothesis',
    'the 03:00 deploy',
    '--actions',
    'rolling back',
    '--next',
    '5s',
    '--public',
    'Some payments are failing; we are on it.',
    '--by',
    'carol',
  ]);
  await incident(['mitigate', id, '--action', 'roll back checkout to v41', '--kind', 'rollback', '--by', 'bob']);

  await waitFor(4, 'still unresolved 20s after declaration: the engineering manager is paged');
  await incident(['mitigated', id, 'm1', '--by', 'bob']);

  console.log(
    '\n# The rollback is done, but checkout health is still red: the smoke tests refuse the resolution (exit 4).',
  );
  await incident(['resolve', id, '--by', 'carol'], 4);

  checkoutHealthy = true;
  await incident(['note', id, 'checkout health green again after the cache flush', '--by', 'bob']);
  await incident(['resolve', id, '--by', 'carol', '--summary', 'bad deploy v42 rolled back; cache flushed']);
  await incident(['close', id, '--by', 'carol']);

  console.log('\n# The whole story:');
  await incident(['timeline', id]);
  await incident(['outbox', id]);

  const cli = await provisionTemporalCli(loadPlatformConfig());
  if (cli.source === 'sdk-download') {
    console.log(`\n(no temporal CLI to run \`temporal workflow list\`: ${cli.unavailable})`);
  } else {
    await sh({ shown: 'temporal', argv: [cli.path] }, ['workflow', 'list', '--query', 'IncidentSeverity="SEV-1"']);
  }
}

main()
  .catch((error: unknown) => {
    console.error(`\ndemo stopped: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  })
  .finally(() => checkout.close());
