// A first-call row from its timings (no Node imports: the browser page fills the same rows).
import { failureNote } from './row';

/** Calls whose median is the steady time (after call 1, call 2 and any calibration calls). */
export const STEADY_CALLS = 5;

/** What one fresh backend measured: its creation and every call, ms. */
export interface FirstCallTiming {
  createMs: number;
  callMs: number[];
  /** Threads the backend computed on. */
  threads: number;
  /** tconv-wasm: whether it ran the relaxed-SIMD build. */
  relaxedSimd?: boolean;
}

/** One row of the first-call section: a fresh backend's first calls against its steady state. */
export interface FirstCallRow {
  workload: string;
  engine: string;
  threads: number;
  /** Creating the backend (compile, instantiate, workers, warm-up), ms. */
  createMs: number | null;
  firstMs: number | null;
  secondMs: number | null;
  /** Median of the last calls (after any calibration calls), ms. */
  steadyMs: number | null;
  /** firstMs / steadyMs. */
  firstRatio: number | null;
  /** secondMs / steadyMs. */
  secondRatio: number | null;
  calls: number;
  relaxedSimd?: boolean;
  note?: string;
}

const median = (v: readonly number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/**
 * The row of `base` from `t` (the steady time is the median of its last `steady` calls), or, with
 * `t` null, the row of a failed measurement noting `error`.
 */
export function firstCallRow(
  base: { workload: string; engine: string; threads: number },
  t: FirstCallTiming | null,
  steady: number,
  error?: unknown,
): FirstCallRow {
  if (!t || t.callMs.length < steady + 2) {
    return {
      ...base,
      createMs: null,
      firstMs: null,
      secondMs: null,
      steadyMs: null,
      firstRatio: null,
      secondRatio: null,
      calls: t?.callMs.length ?? 0,
      note: t ? `only ${t.callMs.length} calls` : failureNote(error),
    };
  }
  const steadyMs = median(t.callMs.slice(-steady));
  return {
    ...base,
    createMs: t.createMs,
    firstMs: t.callMs[0]!,
    secondMs: t.callMs[1]!,
    steadyMs,
    firstRatio: t.callMs[0]! / steadyMs,
    secondRatio: t.callMs[1]! / steadyMs,
    calls: t.callMs.length,
    ...(t.relaxedSimd === undefined ? {} : { relaxedSimd: t.relaxedSimd }),
    ...(t.threads === base.threads ? {} : { note: `ran on ${t.threads} thread(s)` }),
  };
}
