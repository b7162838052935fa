// What a benchmark row is and how it is filled, shared by the Node bench (run.ts) and the browser
// page (browser/page.ts): no Node imports here, the page bundles this file.
import type { Timing } from './measure';

/** The fields every benchmark row has, Node or browser. */
export interface RowTiming {
  workload: string;
  /** Engine name; WebAssembly engines in the browser carry their thread count (`tconv-wasm 2t`). */
  engine: string;
  /** Median wall time of one call, ms (null when not timed). */
  medianMs: number | null;
  minMs: number | null;
  maxMs: number | null;
  runs: number;
  gflops: number | null;
  mflop: number;
  /** The output agreed with the tconv reference (checked before timing). */
  ok: boolean;
  /** Why the engine was not timed (unsupported, failed, disagreed). */
  note?: string;
  maxError?: number;
}

/** The machine a result was measured on. */
export interface Machine {
  cpus: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
}

/** The timing fields of a row that was not timed. */
export const NOT_TIMED = { medianMs: null, minMs: null, maxMs: null, runs: 0, gflops: null } as const;

/** The timing fields of a timed row: `flops` per call over the median time. */
export function timedFields(t: Timing, flops: number) {
  return { medianMs: t.median, minMs: t.min, maxMs: t.max, runs: t.runs, gflops: flops / t.median / 1e6 };
}

/** Largest absolute difference of `out` from `expected`; +Inf for a length mismatch or a NaN. */
export function maxAbsError(out: ArrayLike<number>, expected: Float32Array | Float64Array): number {
  let maxError = out.length === expected.length ? 0 : Number.POSITIVE_INFINITY;
  for (let i = 0; i < expected.length && maxError < Number.POSITIVE_INFINITY; i++) {
    const d = Math.abs(out[i]! - expected[i]!);
    if (!(d <= maxError)) maxError = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
  }
  return maxError;
}

/** Largest absolute value of `expected`: the scale the agreement tolerance is relative to. */
export function outputScale(expected: Float32Array | Float64Array): number {
  let scale = 0;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  return scale;
}

/**
 * The note of an engine that disagrees with the reference, or `undefined` when it agrees: float32
 * engines sum in different orders, so 1e-4 of the output's scale is allowed.
 */
export function disagreement(maxError: number, scale: number): string | undefined {
  if (maxError <= 1e-4 * Math.max(scale, 1e-30)) return undefined;
  return `disagrees with the reference (max error ${maxError.toExponential(2)}, scale ${scale.toExponential(2)})`;
}

/** The note of an engine whose run threw: the first line of the message. */
export function failureNote(e: unknown): string {
  return `failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
}
