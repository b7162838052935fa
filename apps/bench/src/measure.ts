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
