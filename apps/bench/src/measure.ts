/** Timing of one engine on one workload, in milliseconds. */
export interface Timing {
  median: number;
  min: number;
  max: number;
  runs: number;
}

/**
 * Warm-up, then repeated runs until `minMs` of measurement and `minRuns` runs (at most `maxRuns`):
 * median and spread. Each run awaits the engine's result.
 */
export async function measure(
  run: () => Promise<void>,
  minMs: number,
  minRuns: number,
  maxRuns: number,
): Promise<Timing> {
  await run();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < maxRuns && (times.length < minRuns || performance.now() - start < minMs)) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return {
    median: times[times.length >> 1]!,
    min: times[0]!,
    max: times[times.length - 1]!,
    runs: times.length,
  };
}

/**
 * Several engines timed side by side: one warm-up call each, then rounds in which every engine
 * makes one call (the order rotating by round, so no engine always follows the same one), until
 * each has `minRuns` runs and the rounds have taken `minMs` per engine, at most `maxRuns` rounds.
 * Load that comes and goes (a shared machine) then hits every engine alike, so the ratios of one
 * run hold even when its absolute figures do not.
 */
export async function measureInterleaved(
  runs: readonly (() => Promise<void>)[],
  minMs: number,
  minRuns: number,
  maxRuns: number,
): Promise<Timing[]> {
  for (const run of runs) await run();
  const times: number[][] = runs.map(() => []);
  const budget = minMs * runs.length;
  const start = performance.now();
  for (let round = 0; round < maxRuns && (round < minRuns || performance.now() - start < budget); round++) {
    for (let k = 0; k < runs.length; k++) {
      const i = (k + round) % runs.length;
      const t0 = performance.now();
      await runs[i]!();
      times[i]!.push(performance.now() - t0);
    }
  }
  return times.map((t) => {
    t.sort((a, b) => a - b);
    return { median: t[t.length >> 1]!, min: t[0]!, max: t[t.length - 1]!, runs: t.length };
  });
}
