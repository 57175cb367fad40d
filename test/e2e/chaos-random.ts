import { randomInt } from 'node:crypto';
import { Random } from '../client/cli/fuzz-cases';

/**
 * The chaos test's only source of randomness: the fuzz test's seeded generator. Every choice (kill moments, down
 * times, who acknowledges late, pacing) comes from one 32-bit seed, so a failing run is replayed with
 * `CHAOS_SEED=<seed>`. Wall-clock timing still varies between runs; the schedule does not.
 */
export { Random };

/** `CHAOS_SEED` when given (decimal), otherwise a fresh seed. */
export function chaosSeed(fromEnv: string | undefined): number {
  if (fromEnv === undefined || fromEnv.trim() === '') return randomInt(0, 2 ** 32 - 1);
  const seed = Number(fromEnv);
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) {
    throw new Error(`CHAOS_SEED must be an integer in [0, 2^32), got "${fromEnv}"`);
  }
  return seed;
}

export function shuffle<T>(random: Random, items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = random.int(0, i);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}
