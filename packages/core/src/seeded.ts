import type { DType, FloatArray } from './tensor';

/**
 * Deterministic pseudo-random values in [-1, 1) (mulberry32): the same `seed` gives the same
 * values on every machine and in every package, so a failing case replays from its seed. The one
 * generator of the project: the conformance kit's cases, the workspace's tests and the benchmark
 * all draw their data from it (it lives in core because the published kit and the private test
 * helpers both depend on core and on nothing else of the workspace).
 * @param length - how many values
 * @param seed - any integer (taken modulo 2^32)
 * @param dtype - the array type; default float32 (values rounded to float32)
 * @example
 * ```ts
 * seeded(3, 42); // the same three numbers in [-1, 1) on every run
 * ```
 */
export function seeded(length: number, seed: number, dtype: DType = 'float32'): FloatArray {
  const out = dtype === 'float64' ? new Float64Array(length) : new Float32Array(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 2 ** 31 - 1;
  }
  return out;
}
