import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';

export type Log = (line: string) => void;

export const stderrLog: Log = (line) => process.stderr.write(`${line}\n`);

export interface RunOptions {
  label: string;
  cwd?: string;
  env: Record<string, string | undefined>;
  /** Full output goes here; the console only gets a ticking summary so CI logs stay readable. */
  logFile: string;
  log: Log;
  tickMs?: number;
  /** Aborting (Ctrl-C during `npm start`) kills the build instead of leaving it running unattended. */
  signal?: AbortSignal | undefined;
}

/**
 * Runs a long build step, printing a progress line every few seconds (elapsed time, lines of output, the latest
 * line) and, when it fails, the tail of its output.
 */
export async function runWithProgress(command: string, args: string[], options: RunOptions): Promise<void> {
  const { label, log } = options;
  const started = Date.now();
  const logStream = createWriteStream(options.logFile);
  const tail: string[] = [];
  let lines = 0;
  log(`[${label}] $ ${command} ${args.join(' ')}`);
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    signal: options.signal,
  });
  const onLine = (line: string): void => {
    lines += 1;
    logStream.write(`${line}\n`);
    tail.push(line);
    if (tail.length > 25) tail.shift();
  };
  createInterface({ input: child.stdout }).on('line', onLine);
  createInterface({ input: child.stderr }).on('line', onLine);
  const ticker = setInterval(() => {
    const seconds = Math.round((Date.now() - started) / 1000);
    log(`[${label}] ${seconds}s, ${lines} lines of output; latest: ${tail.at(-1) ?? '(none yet)'}`);
  }, options.tickMs ?? 10_000);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    });
    if (code !== 0) {
      throw new Error(
        `${command} exited with ${code ?? 'a signal'}; last lines (full log: ${options.logFile}):\n  ${tail.join('\n  ')}`,
      );
    }
    log(`[${label}] done in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  } finally {
    clearInterval(ticker);
    await new Promise<void>((resolve) => logStream.end(resolve));
  }
}
