/** Timing of one engine on one workload, in milliseconds. */
export interface Timing {
  median: number;
  min: number;
  max: number;
  runs: number;
}

/** The median of `t` (the upper one of an even count), sorting `t` in place. */
function median(t: number[]): number {
  return t.sort((a, b) => a - b)[t.length >> 1]!;
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
  return {
    median: median(times),
    min: times[0]!,
    max: times[times.length - 1]!,
    runs: times.length,
  };
}

/** Rounds of an interleaved run at least (full mode): a median of 5 calls moved by 20 % between runs on a 2-core VM. */
export const MIN_ROUNDS = 11;

/** An engine's timing in {@link measureInterleaved}: of its steady calls, and of its turns' first. */
export interface InterleavedTiming extends Timing {
  /**
   * Median of the calls that opened a turn, each right after other engines' calls (their threads
   * parked, their caches filled with the others' data), ms.
   */
  coldMedian: number;
}

/**
 * Several engines timed side by side, in rounds: one warm-up call each, then in every round each
 * engine takes a turn (the order rotating by round, so no engine always follows the same one) of
 * one call that opens the turn and one timed call right after it, until each has `minRuns` timed
 * calls and the rounds have taken `minMs` per engine, at most `maxRuns` rounds.
 *
 * Why turns: load that comes and goes (a shared machine) then hits every engine alike, so the
 * ratios of one run hold even when its absolute figures do not; and the timed call is a steady
 * one, as when a layer is called again and again (a network's loop), not the first after another
 * engine ran, which is also measured (`coldMedian`), because with one call per turn the figure was
 * mostly of parked worker threads waking (0.7–0.9 ms on a 2-core VM) and cold caches.
 *
 * `settle` runs after each turn, untimed: in Node the bench waits there until the process is
 * quiet ({@link untilQuiet}), because onnxruntime's intra-op threads spin for ~50 ms after each
 * call and on 2 cores took one from whichever threaded engine came next.
 */
export async function measureInterleaved(
  runs: readonly (() => Promise<void>)[],
  minMs: number,
  minRuns: number,
  maxRuns: number,
  settle: () => Promise<void> = async () => {},
): Promise<InterleavedTiming[]> {
  for (const run of runs) {
    await run();
    await settle();
  }
  const times: number[][] = runs.map(() => []);
  const cold: number[][] = runs.map(() => []);
  const budget = minMs * runs.length;
  // the calls' own time against the budget: settling is not the engines'
  let spent = 0;
  for (let round = 0; round < maxRuns && (round < minRuns || spent < budget); round++) {
    for (let k = 0; k < runs.length; k++) {
      const i = (k + round) % runs.length;
      const t0 = performance.now();
      await runs[i]!();
      const t1 = performance.now();
      await runs[i]!();
      const t2 = performance.now();
      times[i]!.push(t2 - t1);
      cold[i]!.push(t1 - t0);
      spent += t2 - t0;
      await settle();
    }
  }
  return times.map((t, i) => {
    const m = median(t);
    return { median: m, min: t[0]!, max: t[t.length - 1]!, runs: t.length, coldMedian: median(cold[i]!) };
  });
}

/** Rounds of the back-to-back timing of an engine's 1- and 2-thread forms ({@link measureBursts}). */
export const LOOP_ROUNDS = 4;
/** Calls per burst of it (the first of each untimed). */
export const LOOP_BURST = 6;

/**
 * Two calls of one engine (its 1-thread and 2-thread forms) timed back to back, as in a loop: in
 * `rounds` rounds each makes a burst of `burst` calls (the order alternating by round), the first of
 * each burst untimed; the median of the rest, ms, per run. No waiting between calls, so threads stay
 * awake: what a network calling its layers one after another gets, beside the interleaved figure.
 */
export async function measureBursts(
  runs: readonly (() => Promise<void>)[],
  rounds: number,
  burst: number,
): Promise<number[]> {
  const times: number[][] = runs.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < runs.length; k++) {
      const i = (k + round) % runs.length;
      await runs[i]!();
      for (let c = 1; c < burst; c++) {
        const t0 = performance.now();
        await runs[i]!();
        times[i]!.push(performance.now() - t0);
      }
    }
  }
  return times.map(median);
}

/**
 * `calls` made safe to time side by side: each run awaits its call and, once a call has thrown,
 * records why (`failures[i]`, an `Error` for a falsy throw) and makes no further calls, so one
 * failing engine is reported with its failure while the others go on.
 */
export function guarded(calls: readonly (() => Promise<unknown>)[]): {
  runs: (() => Promise<void>)[];
  failures: unknown[];
} {
  const failures: unknown[] = calls.map(() => undefined);
  const runs = calls.map((call, i) => async () => {
    if (failures[i] !== undefined) return;
    try {
      await call();
    } catch (e) {
      failures[i] = e ?? new Error('failed');
    }
  });
  return { runs, failures };
}
