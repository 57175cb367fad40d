import { execFileSync } from 'node:child_process';

/** Process-table helpers for the `npm start` test (Linux and macOS `ps`). */

interface ProcessRow {
  pid: number;
  ppid: number;
  zombie: boolean;
  args: string;
}

function processTable(): ProcessRow[] {
  const output = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,stat=,args='], { encoding: 'utf8' });
  return output
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(\S+)\s*(.*)$/.exec(line))
    .filter((match) => match !== null)
    .map((match) => ({
      pid: Number(match[1]),
      ppid: Number(match[2]),
      zombie: match[3]!.startsWith('Z'),
      args: match[4] ?? '',
    }));
}

/** Every live descendant of `root`, with its command line. */
export function descendants(root: number): ProcessRow[] {
  const table = processTable().filter((row) => !row.zombie);
  const found: ProcessRow[] = [];
  let frontier = [root];
  while (frontier.length > 0) {
    const children = table.filter((row) => frontier.includes(row.ppid));
    found.push(...children);
    frontier = children.map((row) => row.pid);
  }
  return found;
}

/** Of these pids, the ones still running (a zombie waiting for its reaper counts as gone). */
export function stillRunning(pids: number[]): ProcessRow[] {
  return processTable().filter((row) => pids.includes(row.pid) && !row.zombie);
}
