import type { ConvTransposeGeometry, FloatArray, StridePhases } from '@tconv/core';
import { stridePhases } from '@tconv/core';
import { gemmTN } from './gemm';
import { SCRATCH_ELEMENTS, scratch } from './scratch';
import { convTransposePhasesImpl, marginedInputLength } from './stride-phases';
import { rowEnd, rowStart, tapTable } from './taps';

/**
 * Groups with at most this many input channels skip the GEMM: with a reduction this short
 * (depthwise has 1) the column buffer costs more than it saves, so taps scatter directly.
 */
const DIRECT_MAX_CHANNELS = 2;

/**
 * The stride-phase kernel packs the weights once per call (about 5 ns per weight in V8), which
 * pays off only when each weight meets enough input positions (batch × input plane): measured
 * break-even near 130. Below it (DCGAN's 4×4 → 8×8 with 512 channels: 16) the GEMM, which reads
 * the weights in place, is faster.
 */
const PHASES_MIN_POSITIONS = 128;

/** The stride-phase kernel's float64 copy of one batch item's group input is capped (32 MiB). */
export const PHASES_MAX_INPUT = 1 << 22;

/**
 * The CPU backend's transposed-convolution kernels: `'direct'` scatters each tap along input rows,
 * `'phases'` is the stride-phase implicit GEMM ({@link convTransposePhasesImpl}), `'gemm'` is
 * `cols = Wᵀ·X` and col2im. All three compute every geometry; they differ in speed.
 */
export type ConvTransposeKernel = 'direct' | 'gemm' | 'phases';

/**
 * The kernel {@link convTransposeImpl} uses by default, by shape (each rule measured):
 * depthwise and thin groups scatter directly; problems whose weights each meet enough input
 * positions take the stride phases, unless the margined input copy would exceed
 * {@link PHASES_MAX_INPUT}; the rest (few positions, heavy weights) the GEMM, which reads the
 * weights in place.
 */
export function chooseConvTransposeKernel(
  g: ConvTransposeGeometry,
  plan: StridePhases = stridePhases(g),
): ConvTransposeKernel {
  if (g.inChannelsPerGroup <= DIRECT_MAX_CHANNELS) return 'direct';
  const inPlane = g.inputSize.reduce((a, b) => a * b, 1);
  if (g.batch * inPlane < PHASES_MIN_POSITIONS) return 'gemm';
  return marginedInputLength(g, plan) <= PHASES_MAX_INPUT ? 'phases' : 'gemm';
}

/**
 * The fast transposed convolution on a resolved geometry with the given kernel (by default the
 * one {@link chooseConvTransposeKernel} picks). The GEMM runs per batch item and group over the
 * group's input channels, tiled over input rows so the column buffer stays within
 * {@link SCRATCH_ELEMENTS}, then col2im adds along whole input rows.
 * `out` must be zero-filled or hold what is to be added to (the bias is written first).
 */
export function convTransposeImpl(
  g: ConvTransposeGeometry,
  x: FloatArray,
  w: FloatArray,
  bias: FloatArray | null,
  out: FloatArray,
  kernel?: ConvTransposeKernel,
): void {
  // the phase plan serves both the choice and the phases kernel: computed once
  const plan = stridePhases(g);
  kernel ??= chooseConvTransposeKernel(g, plan);
  const r = g.rank;
  const K = g.kernelSize.reduce((a, b) => a * b, 1);
  const outPlane = g.outputSize.reduce((a, b) => a * b, 1);
  const inPlane = g.inputSize.reduce((a, b) => a * b, 1);
  if (bias) {
    for (let co = 0; co < g.outChannels; co++) {
      const b = bias[co]!;
      for (let n = 0; n < g.batch; n++)
        out.fill(b, (n * g.outChannels + co) * outPlane, (n * g.outChannels + co + 1) * outPlane);
    }
  }
  const table = tapTable(g.kernelSize, g.outputSize);
  const nLast = g.inputSize[r - 1]!;
  const lead = (inPlane / nLast) | 0;
  const cinG = g.inChannelsPerGroup;
  const coutG = g.outChannelsPerGroup;
  const M = coutG * K;
  if (kernel === 'phases') {
    convTransposePhasesImpl(g, plan, x, w, out);
    return;
  }
  if (kernel === 'direct') {
    for (let n = 0; n < g.batch; n++) {
      for (let ci = 0; ci < g.inChannels; ci++) {
        const group = ((ci - (ci % cinG)) / cinG) | 0;
        for (let cog = 0; cog < coutG; cog++) {
          const outBase = (n * g.outChannels + group * coutG + cog) * outPlane;
          const wBase = (ci * coutG + cog) * K;
          scatterRows(g, table, K, w, wBase, x, (n * g.inChannels + ci) * inPlane, lead, out, outBase);
        }
      }
    }
    return;
  }
  const rowsPerTile = Math.max(1, Math.min(lead, Math.floor(SCRATCH_ELEMENTS / (M * nLast)))) | 0;
  const cols = scratch(x instanceof Float64Array ? 'float64' : 'float32', M * rowsPerTile * nLast);
  for (let n = 0; n < g.batch; n++) {
    for (let group = 0; group < g.groups; group++) {
      const xBase = (n * g.inChannels + group * cinG) * inPlane;
      const wBase = group * cinG * M;
      const outBase = (n * g.outChannels + group * coutG) * outPlane;
      for (let q0 = 0; q0 < lead; q0 += rowsPerTile) {
        const q1 = Math.min(lead, q0 + rowsPerTile);
        const T = (q1 - q0) * nLast;
        gemmTN(w, wBase, M, x, xBase + q0 * nLast, inPlane, cols, M, T, cinG);
        col2im(g, table, K, cols, T, q0, q1, out, outBase, outPlane, M);
      }
    }
  }
}

/** Scatter-adds each row of the column buffer (one output channel × tap) into the output. */
function col2im(
  g: ConvTransposeGeometry,
  table: Int32Array,
  K: number,
  cols: FloatArray,
  T: number,
  q0: number,
  q1: number,
  out: FloatArray,
  outBase: number,
  outPlane: number,
  M: number,
): void {
  const r = g.rank;
  const last = r - 1;
  const nLast = g.inputSize[last]!;
  const sL = g.stride[last]!;
  const dL = g.dilation[last]!;
  const pL = g.padBegin[last]!;
  const LL = g.outputSize[last]!;
  for (let row = 0; row < M; row++) {
    const t = row % K;
    const cog = ((row - t) / K) | 0;
    const offL = table[t * r + last]! * dL - pL;
    const lo = rowStart(offL, sL);
    const hi = rowEnd(offL, sL, LL, nLast);
    if (lo >= hi) continue;
    const chanBase = outBase + cog * outPlane;
    for (let q = q0; q < q1; q++) {
      const leadOff = leadingOffset(g, table, K, t, q);
      if (leadOff < 0) continue;
      const base = chanBase + leadOff + offL;
      let c = row * T + (q - q0) * nLast + lo;
      let o = base + lo * sL;
      for (let i = lo; i < hi; i++) {
        out[o]! += cols[c]!;
        c++;
        o += sL;
      }
    }
  }
}

/**
 * Direct scatter of one (input channel, output channel) pair over all taps:
 * `out[o(i, k)] += w[k] · x[i]`, along whole input rows.
 */
function scatterRows(
  g: ConvTransposeGeometry,
  table: Int32Array,
  K: number,
  w: FloatArray,
  wBase: number,
  x: FloatArray,
  xBase: number,
  lead: number,
  out: FloatArray,
  outBase: number,
): void {
  const r = g.rank;
  const last = r - 1;
  const nLast = g.inputSize[last]!;
  const sL = g.stride[last]!;
  const dL = g.dilation[last]!;
  const pL = g.padBegin[last]!;
  const LL = g.outputSize[last]!;
  for (let t = 0; t < K; t++) {
    const wv = w[wBase + t]!;
    const offL = table[t * r + last]! * dL - pL;
    const lo = rowStart(offL, sL);
    const hi = rowEnd(offL, sL, LL, nLast);
    if (lo >= hi) continue;
    for (let q = 0; q < lead; q++) {
      const leadOff = leadingOffset(g, table, K, t, q);
      if (leadOff < 0) continue;
      let xi = xBase + q * nLast + lo;
      let o = outBase + leadOff + offL + lo * sL;
      for (let i = lo; i < hi; i++) {
        out[o]! += wv * x[xi]!;
        xi++;
        o += sL;
      }
    }
  }
}

/**
 * Output offset of leading input position `q` (all axes but the last) under tap `t`, or -1 when
 * the tap lands outside the output on one of those axes.
 */
function leadingOffset(g: ConvTransposeGeometry, table: Int32Array, K: number, t: number, q: number): number {
  const r = g.rank;
  let off = 0;
  let rest = q;
  for (let a = r - 2; a >= 0; a--) {
    const n = g.inputSize[a]!;
    const idx = rest % n;
    rest = ((rest - idx) / n) | 0;
    const pos = idx * g.stride[a]! + table[t * r + a]! * g.dilation[a]! - g.padBegin[a]!;
    if (pos < 0 || pos >= g.outputSize[a]!) return -1;
    off += pos * table[K * r + a]!;
  }
  return off;
}
