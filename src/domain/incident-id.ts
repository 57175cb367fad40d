/**
 * A short id that sorts by day and reads aloud on a bridge call: `20250314-k3f9`. The caller gives the random
 * source: clients use crypto, workflows their seeded `Math.random`, which replays to the same id.
 */
export function incidentIdFor(day: Date, randomBelow: (bound: number) => number): string {
  const date = day.toISOString().slice(0, 10).replaceAll('-', '');
  const suffix = Array.from({ length: 4 }, () => randomBelow(36).toString(36)).join('');
  return `${date}-${suffix}`;
}
