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
  /**
   * Median of the calls right after other engines' calls (interleaved Node runs only; the median
   * above is of calls right after the engine's own), ms.
   */
  coldMs?: number | null;
  /**
   * Median of calls made back to back, bursts of this engine's 1- and 2-thread forms alternating
   * (Node runs, engines with both), ms: the threads never idle between calls.
   */
  loopMs?: number;
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
  /** The CPU model (`model name` of /proc/cpuinfo, as Node's `os.cpus()` reports it). */
  cpus: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
  /**
   * The vector instruction sets of the CPU that decide native and WebAssembly speed (of sse4_1,
   * avx, avx2, fma, avx512f, avx512_vnni, neon/asimd), from /proc/cpuinfo; empty where unknown.
   */
  cpuFlags: string[];
}

/** What one engine ran with. */
export interface EngineFeatures {
  /** Threads it computed on (a tconv-wasm backend without SharedArrayBuffer says 1). */
  threads: number;
  /** tconv-wasm: its kernels are WebAssembly SIMD (128-bit). */
  simd?: boolean;
  /** tconv-wasm: it runs the relaxed-SIMD build (fused multiply-add), not the exact one. */
  relaxedSimd?: boolean;
}

/** The runtime's WebAssembly features, and what each engine of the run used. */
export interface Features {
  /** The runtime validates WebAssembly 128-bit SIMD. */
  wasmSimd: boolean;
  /** The runtime validates relaxed SIMD (where tconv-wasm takes its relaxed build by default). */
  wasmRelaxedSimd: boolean;
  /** Per engine label (`tconv-wasm 2t`): what it ran with. */
  engines: Record<string, EngineFeatures>;
}

/** A module whose one function returns `v128.const 0`: valid exactly where SIMD is. */
const SIMD_PROBE = new Uint8Array([
  0,
  97,
  115,
  109,
  1,
  0,
  0,
  0,
  1,
  5,
  1,
  96,
  0,
  1,
  123,
  3,
  2,
  1,
  0,
  10,
  22,
  1,
  20,
  0,
  253,
  12,
  ...new Array<number>(16).fill(0),
  11,
]);

/** Whether this runtime validates WebAssembly SIMD. */
export function wasmSimdSupported(): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
}

const yesNo = (v: boolean | undefined) => (v ? 'yes' : 'no');

/**
 * One line naming the machine and the features the run used, for the Markdown headers: CPU model,
 * cores, vector extensions, WebAssembly SIMD / relaxed SIMD, and per tconv-wasm engine its build
 * and threads.
 */
export function describeMachine(machine: Machine, features: Features | undefined): string {
  const flags = machine.cpuFlags.length > 0 ? ` (${machine.cpuFlags.join(', ')})` : '';
  const parts = [`${machine.cpus}, ${machine.cores} cores${flags}, Node ${machine.node}`];
  if (features) {
    parts.push(
      `WebAssembly SIMD ${yesNo(features.wasmSimd)}, relaxed SIMD ${yesNo(features.wasmRelaxedSimd)}`,
    );
    const wasm = Object.entries(features.engines).filter(([, f]) => f.simd !== undefined);
    if (wasm.length > 0) {
      parts.push(
        wasm
          .map(
            ([name, f]) =>
              `${name}: ${f.relaxedSimd ? 'relaxed-SIMD' : 'exact-SIMD'} build on ${f.threads} thread${f.threads === 1 ? '' : 's'}`,
          )
          .join('; '),
      );
    }
  }
  return parts.join(' — ');
}

/** The timing fields of a row that was not timed. */
export const NOT_TIMED = { medianMs: null, minMs: null, maxMs: null, runs: 0, gflops: null } as const;

/** The timing fields of a timed row: `flops` per call over the median time. */
export function timedFields(t: Timing & { coldMedian?: number }, flops: number) {
  const fields = {
    medianMs: t.median,
    minMs: t.min,
    maxMs: t.max,
    runs: t.runs,
    gflops: flops / t.median / 1e6,
  };
  return t.coldMedian === undefined ? fields : { ...fields, coldMs: t.coldMedian };
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
