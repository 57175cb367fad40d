import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';

/**
 * The bench's sizes, from flags or BENCH_* variables. The defaults finish in about ten minutes on a 2-core
 * machine; `--quick` is a smoke run of a minute or two whose figures only show that everything works.
 */
export const PHASES = ['latency', 'api', 'alerts', 'timer', 'throughput', 'memory', 'lifecycle', 'cluster'] as const;
export type Phase = (typeof PHASES)[number];

export interface BenchOptions {
  quick: boolean;
  samples: number;
  apiSamples: number;
  alertSamples: number;
  rateSeconds: number;
  rateRounds: number;
  rateIntervalMs: number;
  ackWindowSeconds: number;
  throughput: number;
  throughputRounds: number;
  concurrency: number;
  rssOpen: number;
  rssRounds: number;
  /** One run per entry: the SQLite pragmas its dev server gets. */
  modes: string[][];
  phases: Phase[];
  retries: number;
  out: string;
}

const FULL = {
  samples: 30,
  apiSamples: 100,
  alertSamples: 30,
  rateSeconds: 10,
  rateRounds: 2,
  throughput: 150,
  throughputRounds: 3,
  rssOpen: 200,
  rssRounds: 4,
};
const QUICK: typeof FULL = {
  samples: 5,
  apiSamples: 10,
  alertSamples: 5,
  rateSeconds: 4,
  rateRounds: 1,
  throughput: 30,
  throughputRounds: 1,
  rssOpen: 20,
  rssRounds: 1,
};

function positiveInt(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('must be a positive whole number');
  return parsed;
}

function pragma(value: string, previous: string[] = []): string[] {
  if (!/^[a-z_]+=[\w-]+$/i.test(value)) throw new InvalidArgumentError('write PRAGMA=VALUE, e.g. journal_mode=wal');
  return [...previous, value];
}

function phaseList(value: string): Phase[] {
  const phases = value.split(',').map((phase) => phase.trim());
  const unknown = phases.filter((phase) => !(PHASES as readonly string[]).includes(phase));
  if (unknown.length > 0)
    throw new InvalidArgumentError(`unknown phase ${unknown.join(', ')}; use ${PHASES.join(',')}`);
  return phases as Phase[];
}

export function parseOptions(argv: string[]): BenchOptions {
  const sized = (flag: string, env: string, description: string) =>
    new Option(`${flag} <n>`, description).env(env).argParser(positiveInt);
  const program = new Command('bench')
    .description('Incident workload against a bare Temporal baseline, interleaved on one dev server.')
    .addOption(new Option('--quick', 'a smoke run with small sizes').env('BENCH_QUICK'))
    .addOption(sized('--samples', 'BENCH_SAMPLES', `sequential declarations per side (${FULL.samples})`))
    .addOption(
      sized('--api-samples', 'BENCH_API_SAMPLES', `declarations per path, API vs declare() (${FULL.apiSamples})`),
    )
    .addOption(sized('--alert-samples', 'BENCH_ALERT_SAMPLES', `alert deliveries → first page (${FULL.alertSamples})`))
    .addOption(
      sized(
        '--rate-seconds',
        'BENCH_RATE_SECONDS',
        `seconds of steady declarations per round and side (${FULL.rateSeconds})`,
      ),
    )
    .addOption(sized('--rate-rounds', 'BENCH_RATE_ROUNDS', `timer-lag rounds per side (${FULL.rateRounds})`))
    .addOption(sized('--rate-interval', 'BENCH_RATE_INTERVAL_MS', 'ms between declarations (200)').default(200))
    .addOption(sized('--ack-window', 'BENCH_ACK_WINDOW_SECONDS', 'SEV-1 acknowledge window, seconds (3)').default(3))
    .addOption(sized('--throughput', 'BENCH_THROUGHPUT', `declarations per side (${FULL.throughput})`))
    .addOption(
      sized('--throughput-rounds', 'BENCH_THROUGHPUT_ROUNDS', `throughput rounds per side (${FULL.throughputRounds})`),
    )
    .addOption(sized('--concurrency', 'BENCH_CONCURRENCY', 'declarations in flight (30)').default(30))
    .addOption(sized('--rss-open', 'BENCH_RSS_OPEN', `open workflows cached per worker (${FULL.rssOpen})`))
    .addOption(sized('--rss-rounds', 'BENCH_RSS_ROUNDS', `memory rounds per side (${FULL.rssRounds})`))
    .addOption(
      new Option(
        '--sqlite-pragma <pragma>',
        'a dev server SQLite pragma, e.g. journal_mode=wal (repeatable)',
      ).argParser(pragma),
    )
    .addOption(
      new Option('--compare-wal', 'run twice, default journal then journal_mode=wal (memory and lifecycle once)').env(
        'BENCH_COMPARE_WAL',
      ),
    )
    .addOption(new Option('--only <phases>', `comma-separated subset of ${PHASES.join(',')}`).argParser(phaseList))
    .addOption(sized('--retries', 'BENCH_RETRIES', 'attempts to get a first declaration through (6)').default(6))
    .addOption(
      new Option('--out <file>', 'where the last run is written').default(
        path.resolve(__dirname, '../../docs/bench/last-run.json'),
      ),
    );
  program.parse(argv);
  const flags = program.opts<Record<string, unknown>>();
  const quick = flags.quick === true || flags.quick === '1' || flags.quick === 'true';
  const base = quick ? QUICK : FULL;
  const size = (key: keyof typeof FULL) => (flags[key] as number | undefined) ?? base[key];
  const pragmas = (flags.sqlitePragma as string[] | undefined) ?? [];
  const compare = flags.compareWal !== undefined && flags.compareWal !== false && flags.compareWal !== '0';
  return {
    quick,
    samples: size('samples'),
    apiSamples: size('apiSamples'),
    alertSamples: size('alertSamples'),
    rateSeconds: size('rateSeconds'),
    rateRounds: size('rateRounds'),
    rateIntervalMs: flags.rateInterval as number,
    ackWindowSeconds: flags.ackWindow as number,
    throughput: size('throughput'),
    throughputRounds: size('throughputRounds'),
    concurrency: flags.concurrency as number,
    rssOpen: size('rssOpen'),
    rssRounds: size('rssRounds'),
    modes: compare ? [pragmas, [...pragmas, 'journal_mode=wal']] : [pragmas],
    phases: (flags.only as Phase[] | undefined) ?? [...PHASES],
    retries: flags.retries as number,
    out: path.resolve(flags.out as string),
  };
}
