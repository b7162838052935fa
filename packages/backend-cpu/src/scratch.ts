import type { DType, FloatArray } from '@tconv/core';

/**
 * The bound on the reusable column buffer, in elements: 2^20 (4 MiB of float32, 8 MiB of float64).
 * The transposed convolution tiles its input positions so that `Cout/groups · ∏kernel · tile`
 * never exceeds it (a single input row may exceed it only when one row's columns alone are larger).
 */
export const SCRATCH_ELEMENTS = 1 << 20;

let f32: Float32Array | null = null;
let f64: Float64Array | null = null;

/**
 * The module's one column buffer of the given type, grown (never shrunk) to at least `length`
 * elements and reused across calls, so a call allocates nothing but its output.
 */
export function scratch(dtype: DType, length: number): FloatArray {
  if (dtype === 'float64') {
    if (!f64 || f64.length < length) f64 = new Float64Array(Math.max(length, 1024));
    return f64;
  }
  if (!f32 || f32.length < length) f32 = new Float32Array(Math.max(length, 1024));
  return f32;
}

let phases: Float64Array | null = null;

/**
 * The stride-phase kernel's float64 buffer (packed weights, then the margined input), grown
 * (never shrunk) to at least `length` elements and reused across calls.
 */
export function f64Scratch(length: number): Float64Array {
  if (!phases || phases.length < length) phases = new Float64Array(Math.max(length, 1024));
  return phases;
}

let ints: Int32Array | null = null;

/** A reusable integer table (kernel tap coordinates, loop counters), grown as needed. */
export function intScratch(length: number): Int32Array {
  if (!ints || ints.length < length) ints = new Int32Array(Math.max(length, 256));
  return ints;
}
