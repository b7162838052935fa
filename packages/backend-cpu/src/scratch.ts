import type { DType, FloatArray } from '@tconv/core';
import { allocationFailed } from '@tconv/core';

/**
 * The bound on the reusable column buffer, in elements: 2^20 (4 MiB of float32, 8 MiB of float64).
 * The GEMM path tiles input positions and, when the kernel is large, the rows of `Cout/groups ·
 * ∏kernel` too, so a tile's columns never exceed it, whatever the kernel size.
 */
export const SCRATCH_ELEMENTS = 1 << 20;

/**
 * The largest scratch buffer the module keeps between calls, in elements: 2^23 (64 MiB of float64).
 * A call that needs more (the stride phases' packed weights of a huge kernel, the tap table of a
 * 2^24-tap kernel) gets a buffer of its own that is dropped with the call, so one big call does not
 * hold its memory for the life of the process.
 */
export const SCRATCH_RETAIN_ELEMENTS = 1 << 23;

/** Makes a scratch array; an allocation the engine refuses is a `LimitError`, not a raw `RangeError`. */
function make<T>(Type: new (length: number) => T, length: number, bytesPerElement: number): T {
  try {
    return new Type(length);
  } catch (e) {
    return allocationFailed(e, length * bytesPerElement, 'cpu scratch');
  }
}

let f32: Float32Array | null = null;
let f64: Float64Array | null = null;
let phases: Float64Array | null = null;
let ints: Int32Array | null = null;
let bytes: Uint8Array | null = null;

/**
 * The module's one column buffer of the given type, grown to at least `length` elements and reused
 * across calls, so a call allocates nothing but its output. Callers keep `length` within
 * {@link SCRATCH_ELEMENTS}; a longer request is served but not kept.
 */
export function scratch(dtype: DType, length: number): FloatArray {
  if (length > SCRATCH_RETAIN_ELEMENTS)
    return dtype === 'float64' ? make(Float64Array, length, 8) : make(Float32Array, length, 4);
  if (dtype === 'float64') {
    if (!f64 || f64.length < length) f64 = make(Float64Array, Math.max(length, 1024), 8);
    return f64;
  }
  if (!f32 || f32.length < length) f32 = make(Float32Array, Math.max(length, 1024), 4);
  return f32;
}

/**
 * The stride-phase kernel's float64 buffer (packed weights, then the margined input), grown to at
 * least `length` elements and reused across calls up to {@link SCRATCH_RETAIN_ELEMENTS}.
 */
export function f64Scratch(length: number): Float64Array {
  if (length > SCRATCH_RETAIN_ELEMENTS) return make(Float64Array, length, 8);
  if (!phases || phases.length < length) phases = make(Float64Array, Math.max(length, 1024), 8);
  return phases;
}

/** A reusable integer table (kernel tap coordinates, loop counters), kept up to {@link SCRATCH_RETAIN_ELEMENTS}. */
export function intScratch(length: number): Int32Array {
  if (length > SCRATCH_RETAIN_ELEMENTS) return make(Int32Array, length, 4);
  if (!ints || ints.length < length) ints = make(Int32Array, Math.max(length, 256), 4);
  return ints;
}

/** A reusable byte table (the GEMM's live-tile mask), kept up to {@link SCRATCH_RETAIN_ELEMENTS}. */
export function byteScratch(length: number): Uint8Array {
  if (length > SCRATCH_RETAIN_ELEMENTS) return make(Uint8Array, length, 1);
  if (!bytes || bytes.length < length) bytes = make(Uint8Array, Math.max(length, 1024), 1);
  return bytes;
}

/**
 * Releases the CPU backend's reusable scratch buffers (at most about 100 MiB after the largest
 * problems, usually a few MiB); the next call allocates what it needs again. For long-lived
 * processes that ran one big layer and want the memory back.
 * @example
 * ```ts
 * import { cpuBackend, releaseScratch } from '@tconv/backend-cpu';
 * cpuBackend.convTranspose(x, w, { stride: 2 });
 * releaseScratch();
 * ```
 */
export function releaseScratch(): void {
  f32 = null;
  f64 = null;
  phases = null;
  ints = null;
  bytes = null;
}

/** Bytes the module's scratch buffers hold between calls (for tests and memory accounting). */
export function scratchBytes(): number {
  return (
    (f32?.byteLength ?? 0) +
    (f64?.byteLength ?? 0) +
    (phases?.byteLength ?? 0) +
    (ints?.byteLength ?? 0) +
    (bytes?.byteLength ?? 0)
  );
}
