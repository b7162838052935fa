import type { ConvGeometry, ConvTransposeGeometry, FloatArray } from '@tconv/core';

/*
 * The per-tap gather shared by the weight gradient and the GEMM convolution. Both pair a "small"
 * tensor S (one position per GEMM column) with a "large" tensor L through the one index map
 * `large = j·stride + k·dilation − padBegin`; for a tap k, L gathered at that shift over a chunk of
 * S's positions is a dense `[channels][positions]` operand.
 */

/** The two sides of a per-tap reduction: S (one position per column) and L (read at the tap's shift). */
export interface Sides {
  small: FloatArray;
  large: FloatArray;
  smallChannels: number;
  largeChannels: number;
  aG: number;
  bG: number;
  smallSize: readonly number[];
  largeSize: readonly number[];
}

/** Per tap and axis, `k·dilation − padBegin`: the shift from S's position to L's. */
export function tapOffsets(g: ConvTransposeGeometry | ConvGeometry): Int32Array {
  const r = g.rank;
  const K = g.kernelSize.reduce((p, k) => p * k, 1);
  const table = new Int32Array(K * r);
  for (let k = 0; k < K; k++) {
    let rest = k;
    for (let a = r - 1; a >= 0; a--) {
      const size = g.kernelSize[a]!;
      const idx = rest % size;
      rest = (rest - idx) / size;
      table[k * r + a] = idx * g.dilation[a]! - g.padBegin[a]!;
    }
  }
  return table;
}

/** Copies S's chunk (rows `q0..q1`, columns `c0..c1` of every channel of the group) to `buf[0 …]`. */
export function copySmall(
  g: ConvTransposeGeometry | ConvGeometry,
  s: Sides,
  buf: Float64Array,
  n: number,
  group: number,
  q0: number,
  q1: number,
  c0: number,
  c1: number,
): void {
  const nLast = s.smallSize[g.rank - 1]!;
  const plane = s.smallSize.reduce((p, k) => p * k, 1);
  const depth = (q1 - q0) * (c1 - c0);
  const src = s.small;
  for (let a = 0; a < s.aG; a++) {
    const base = (n * s.smallChannels + group * s.aG + a) * plane;
    let at = a * depth;
    for (let q = q0; q < q1; q++) {
      const from = base + q * nLast;
      for (let c = c0; c < c1; c++) buf[at++] = src[from + c]!;
    }
  }
}

/**
 * Gathers L at tap `k`'s shift for the chunk into `buf[off …]` (`[b][depth]`, zeros where the tap
 * falls outside L). Returns false when the tap misses L for the whole chunk (nothing to add).
 */
export function gatherLarge(
  g: ConvTransposeGeometry | ConvGeometry,
  s: Sides,
  offsets: Int32Array,
  buf: Float64Array,
  off: number,
  n: number,
  group: number,
  k: number,
  q0: number,
  q1: number,
  c0: number,
  c1: number,
): boolean {
  const r = g.rank;
  const last = r - 1;
  const LL = s.largeSize[last]!;
  const sL = g.stride[last]!;
  const offL = offsets[k * r + last]!;
  // columns c with 0 ≤ c·s + offL < LL
  const lo = Math.max(c0, Math.ceil(-offL / sL));
  const hi = Math.min(c1, Math.floor((LL - 1 - offL) / sL) + 1);
  const width = c1 - c0;
  const depth = (q1 - q0) * width;
  const plane = s.largeSize.reduce((p, v) => p * v, 1);
  const src = s.large;
  let any = false;
  for (let q = q0; q < q1; q++) {
    const lead = leadingOffset(g, s, offsets, k, q);
    const row = (q - q0) * width;
    const inside = lead >= 0 && lo < hi;
    any ||= inside;
    for (let b = 0; b < s.bG; b++) {
      const at = off + b * depth + row;
      if (!inside) {
        buf.fill(0, at, at + width);
        continue;
      }
      const from = (n * s.largeChannels + group * s.bG + b) * plane + lead + offL;
      for (let c = c0; c < lo; c++) buf[at + c - c0] = 0;
      for (let c = lo; c < hi; c++) buf[at + c - c0] = src[from + c * sL]!;
      for (let c = hi; c < c1; c++) buf[at + c - c0] = 0;
    }
  }
  return any;
}

/**
 * L's flat offset of S's leading position `q` (every axis but the last) under tap `k`, or -1 when
 * the tap falls outside L on one of those axes.
 */
export function leadingOffset(
  g: ConvTransposeGeometry | ConvGeometry,
  s: Sides,
  offsets: Int32Array,
  k: number,
  q: number,
): number {
  const r = g.rank;
  let lead = 0;
  let rest = q;
  let stride = s.largeSize[r - 1]!;
  for (let a = r - 2; a >= 0; a--) {
    const size = s.smallSize[a]!;
    const idx = rest % size;
    rest = (rest - idx) / size;
    const pos = idx * g.stride[a]! + offsets[k * r + a]!;
    if (pos < 0 || pos >= s.largeSize[a]!) return -1;
    lead += pos * stride;
    stride *= s.largeSize[a]!;
  }
  return lead;
}
