/**
 * The backends whose values the page shows, and the cross-check between them. The CPU backend is
 * the one the step-by-step views are computed with (synchronous); every other backend recomputes
 * the final output, which is compared with the CPU's.
 */
import { cpuBackend } from '@tconv/backend-cpu';
import { sparseBackend } from '@tconv/backend-sparse';
import { wasmBackend } from '@tconv/backend-wasm';
import { createWebGpuBackend } from '@tconv/backend-webgpu';
import type { Backend, Tensor } from '@tconv/core';
import type { Problem } from './layer';
import { errorText } from './layer';

/** The backends of the cross-check that every browser has, the CPU first. */
export const BACKENDS: readonly Backend[] = [cpuBackend, sparseBackend, wasmBackend];

let webgpu: Promise<Backend | string> | null = null;

/**
 * The WebGPU backend, created once, or why there is none (no `navigator.gpu`, no adapter: core's
 * `UnsupportedError` text). Only asked for where `navigator` exists.
 */
export function webGpuBackend(): Promise<Backend | string> {
  webgpu ??= createWebGpuBackend().then(
    (b): Backend | string => b,
    (e: unknown) => errorText(e),
  );
  return webgpu;
}

/** One backend's answer to the problem. */
export interface BackendResult {
  readonly name: string;
  readonly output?: Tensor;
  readonly error?: string;
  /** Largest |difference| from the CPU backend's output. */
  readonly maxDiff?: number;
  /** Within float32 rounding of the CPU's output (for these small integer-valued grids: equal). */
  readonly agrees: boolean;
  /** False when the backend cannot run here at all (WebGPU without an adapter); `error` says why. */
  readonly available: boolean;
}

/** Largest absolute difference between two equally long arrays (Infinity if lengths differ). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/**
 * The float32 rounding bound of sums of products of `x` and `w` (every weight taking part, a loose
 * but safe count): (terms + 2)·2⁻²⁴·Σ|x·w| with Σ|x·w| ≤ terms·max|x|·max|w| — the bound the
 * backends' own tests use. Two results of the same sums in different orders differ by at most it.
 */
export function roundingBound(x: ArrayLike<number>, w: ArrayLike<number>): number {
  let xmax = 0;
  for (let i = 0; i < x.length; i++) xmax = Math.max(xmax, Math.abs(x[i]!));
  let wmax = 0;
  for (let i = 0; i < w.length; i++) wmax = Math.max(wmax, Math.abs(w[i]!));
  const terms = w.length;
  return (terms + 2) * 2 ** -24 * terms * xmax * wmax;
}

/** Runs every backend on the problem and compares each with the CPU's output. */
export async function crossCheck(
  p: Problem,
  backends: readonly Backend[] = BACKENDS,
): Promise<BackendResult[]> {
  const reference = cpuBackend.convTranspose(p.input, p.weight, p.options);
  const tol = roundingBound(p.input.data, p.weight.data);
  const run = async (backend: Backend): Promise<BackendResult> => {
    try {
      const output = await backend.convTranspose(p.input, p.weight, p.options);
      const maxDiff = maxAbsDiff(output.data, reference.data);
      const sameShape = output.shape.join() === reference.shape.join();
      return { name: backend.name, output, maxDiff, agrees: sameShape && maxDiff <= tol, available: true };
    } catch (e) {
      return { name: backend.name, error: errorText(e), agrees: false, available: true };
    }
  };
  const results: BackendResult[] = [];
  for (const backend of backends) results.push(await run(backend));
  if (typeof navigator !== 'undefined') {
    const gpu = await webGpuBackend();
    results.push(
      typeof gpu === 'string'
        ? { name: 'webgpu', error: gpu, agrees: false, available: false }
        : await run(gpu),
    );
  }
  return results;
}
