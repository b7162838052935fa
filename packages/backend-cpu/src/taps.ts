import { product } from '@tconv/core';
import { intScratch } from './scratch';

/**
 * The reusable integer table both kernels index: `[K][rank]` tap coordinates (row-major over the
 * kernel), then the `rank` row-major strides of `strideSizes` (the side the kernel writes or reads
 * through leading-axis offsets).
 */
export function tapTable(kernelSize: readonly number[], strideSizes: readonly number[]): Int32Array {
  const r = kernelSize.length;
  const K = product(kernelSize);
  const table = intScratch(K * r + r);
  for (let t = 0; t < K; t++) {
    let rest = t;
    for (let a = r - 1; a >= 0; a--) {
      const k = kernelSize[a]!;
      table[t * r + a] = rest % k;
      rest = (rest - (rest % k)) / k;
    }
  }
  let stride = 1;
  for (let a = r - 1; a >= 0; a--) {
    table[K * r + a] = stride;
    stride *= strideSizes[a]!;
  }
  return table;
}

/** The first index `i ≥ 0` of a row with `i·step + offset ≥ 0`: where a tap starts landing inside. */
export function rowStart(offset: number, step: number): number {
  return Math.max(0, Math.ceil(-offset / step));
}

/** One past the last index `i < n` with `i·step + offset < limit`: where a tap stops landing inside. */
export function rowEnd(offset: number, step: number, limit: number, n: number): number {
  return Math.min(n, Math.floor((limit - 1 - offset) / step) + 1);
}
