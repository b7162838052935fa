import type { ConvGeometry, FloatArray } from '@tconv/core';
import { convImpl } from './conv';
import type { Sides } from './tap-gather';
import { gatherLarge, tapOffsets } from './tap-gather';

/** Output positions per chunk (the GEMM's columns per pass), as in the weight gradient. */
const DEPTH = 512;
/**
 * The packed weights of one group, all taps, when they fit (2^21 float64 values, 16 MiB); a larger
 * group's weights are packed one tap at a time per chunk instead (1/512 of the GEMM's work).
 */
const PANEL = 1 << 21;
/** Groups this thin on both sides (depthwise) gain nothing from a GEMM: the row-wise kernel takes them. */
const THIN = 2;
/**
 * With fewer input channels per group than this, one tap's GEMM is too shallow: every tap is
 * gathered first and one GEMM runs over (tap, channel) as its depth — an im2col of the chunk, at
 * most {@link FUSED} float64 values (8 MiB; ISTFT's 2048 taps of one channel).
 */
const SHALLOW = 8;
const FUSED = 1 << 20;

let buffer: Float64Array | null = null;

/**
 * The convolution on a resolved geometry as one implicit GEMM per tap: for each group, batch item
 * and chunk of ≤ 512 output positions, `out_chunk += W_k · X_k` over the taps, where `X_k` is the
 * input gathered at the tap's shift `o·stride + k·dilation − padBegin` (zeros outside, negative
 * pads included) and `W_k` the tap's `[Cout/groups][Cin/groups]` weights. Everything the 3 × 4
 * register tile reads (packed weights, gathered input, accumulators) lives in one float64 buffer.
 * The backward pass of a transposed convolution runs it on core's `adjointGeometry` (d2l 13.10.3),
 * where the row-wise {@link convImpl} is several times slower. Thin groups (≤ 2 channels, depthwise)
 * take {@link convImpl}. `out` must be zero-filled or hold what is to be added to.
 * @param panel - the most packed weight values held at once ({@link PANEL}; tests pass 1 to run
 *   the one-tap-at-a-time packing)
 */
export function convGemmImpl(
  g: ConvGeometry,
  x: FloatArray,
  w: FloatArray,
  out: FloatArray,
  panel: number = PANEL,
): void {
  const aG = g.outChannelsPerGroup;
  const bG = g.inChannelsPerGroup;
  const K = g.kernelSize.reduce((p, k) => p * k, 1);
  const allTaps = K * aG * bG <= panel;
  // shallow groups: all taps in one GEMM, on chunks small enough for the gathered taps to fit
  const fusedChunk = Math.min(DEPTH, Math.floor(FUSED / (K * bG)));
  const fused = allTaps && bG < SHALLOW && fusedChunk >= 16;
  if ((aG <= THIN && bG <= THIN) || (bG <= THIN && !fused)) {
    convImpl(g, x, w, null, out);
    return;
  }
  const side: Sides = {
    small: out,
    large: x,
    smallChannels: g.outChannels,
    largeChannels: g.inChannels,
    aG,
    bG,
    smallSize: g.outputSize,
    largeSize: g.inputSize,
  };
  const nLast = g.outputSize[g.rank - 1]!;
  const outPlane = g.outputSize.reduce((p, k) => p * k, 1);
  const lead = (outPlane / nLast) | 0;
  const chunk = fused ? fusedChunk : DEPTH;
  const cols = Math.min(nLast, chunk);
  const rows = nLast > chunk ? 1 : Math.max(1, Math.min(lead, Math.floor(chunk / nLast)));
  const T = rows * cols;
  const wLen = (allTaps ? K : 1) * aG * bG;
  const lLen = (fused ? K : 1) * bG * T;
  const need = wLen + lLen + aG * T;
  if (!buffer || buffer.length < need) buffer = new Float64Array(Math.max(need, 1024));
  const buf = buffer;
  const lOff = wLen;
  const cOff = wLen + lLen;
  const offsets = tapOffsets(g);
  for (let group = 0; group < g.groups; group++) {
    if (allTaps) for (let k = 0; k < K; k++) packTap(w, buf, k * aG * bG, group, k, aG, bG, K);
    for (let n = 0; n < g.batch; n++) {
      for (let q0 = 0; q0 < lead; q0 += rows) {
        const q1 = Math.min(lead, q0 + rows);
        for (let c0 = 0; c0 < nLast; c0 += cols) {
          const c1 = Math.min(nLast, c0 + cols);
          const depth = (q1 - q0) * (c1 - c0);
          buf.fill(0, cOff, cOff + aG * depth);
          if (fused) {
            // every tap's gather (zeros where it misses), then one GEMM of depth K·bG
            for (let k = 0; k < K; k++)
              gatherLarge(g, side, offsets, buf, lOff + k * bG * depth, n, group, k, q0, q1, c0, c1);
            gemmAccumulate(buf, 0, lOff, cOff, aG, depth, K * bG);
          } else {
            for (let k = 0; k < K; k++) {
              if (!gatherLarge(g, side, offsets, buf, lOff, n, group, k, q0, q1, c0, c1)) continue;
              if (!allTaps) packTap(w, buf, 0, group, k, aG, bG, K);
              gemmAccumulate(buf, allTaps ? k * aG * bG : 0, lOff, cOff, aG, depth, bG);
            }
          }
          // the chunk's accumulators into the output rows
          const width = c1 - c0;
          for (let a = 0; a < aG; a++) {
            const base = (n * g.outChannels + group * aG + a) * outPlane;
            let at = cOff + a * depth;
            for (let q = q0; q < q1; q++) {
              const o = base + q * nLast;
              for (let c = c0; c < c0 + width; c++) out[o + c]! += buf[at++]!;
            }
          }
        }
      }
    }
  }
}

/** Tap k's weights of a group as `[cin_g][cout_g]` (the GEMM's depth-major A) at `buf[off …]`. */
function packTap(
  w: FloatArray,
  buf: Float64Array,
  off: number,
  group: number,
  k: number,
  aG: number,
  bG: number,
  K: number,
): void {
  for (let a = 0; a < aG; a++) {
    const from = (group * aG + a) * bG * K + k;
    for (let b = 0; b < bG; b++) buf[off + b * aG + a] = w[from + b * K]!;
  }
}

/**
 * `buf[cOff + m·cols + t] += Σ_c buf[aOff + c·rows + m] · buf[bOff + c·cols + t]` for m < rows,
 * t < cols, c < depth: Aᵀ·B with both operands read along contiguous rows, tiled 3 × 4.
 */
function gemmAccumulate(
  buf: Float64Array,
  aOff: number,
  bOff: number,
  cOff: number,
  rows: number,
  cols: number,
  depth: number,
): void {
  const rows3 = rows - (rows % 3);
  const cols4 = cols - (cols % 4);
  for (let m = 0; m < rows3; m += 3) {
    for (let t = 0; t < cols4; t += 4) {
      let c00 = 0;
      let c01 = 0;
      let c02 = 0;
      let c03 = 0;
      let c10 = 0;
      let c11 = 0;
      let c12 = 0;
      let c13 = 0;
      let c20 = 0;
      let c21 = 0;
      let c22 = 0;
      let c23 = 0;
      let ai = aOff + m;
      let bi = bOff + t;
      for (let c = 0; c < depth; c++) {
        const a0 = buf[ai]!;
        const a1 = buf[ai + 1]!;
        const a2 = buf[ai + 2]!;
        const b0 = buf[bi]!;
        const b1 = buf[bi + 1]!;
        const b2 = buf[bi + 2]!;
        const b3 = buf[bi + 3]!;
        c00 += a0 * b0;
        c01 += a0 * b1;
        c02 += a0 * b2;
        c03 += a0 * b3;
        c10 += a1 * b0;
        c11 += a1 * b1;
        c12 += a1 * b2;
        c13 += a1 * b3;
        c20 += a2 * b0;
        c21 += a2 * b1;
        c22 += a2 * b2;
        c23 += a2 * b3;
        ai += rows;
        bi += cols;
      }
      let o = cOff + m * cols + t;
      buf[o]! += c00;
      buf[o + 1]! += c01;
      buf[o + 2]! += c02;
      buf[o + 3]! += c03;
      o += cols;
      buf[o]! += c10;
      buf[o + 1]! += c11;
      buf[o + 2]! += c12;
      buf[o + 3]! += c13;
      o += cols;
      buf[o]! += c20;
      buf[o + 1]! += c21;
      buf[o + 2]! += c22;
      buf[o + 3]! += c23;
    }
  }
  // leftovers: the last rows (fewer than 3) over every column, then the last columns of the tiled rows
  for (let m = rows3; m < rows; m++)
    for (let t = 0; t < cols; t++)
      buf[cOff + m * cols + t]! += dot(buf, aOff + m, rows, bOff + t, cols, depth);
  for (let m = 0; m < rows3; m++)
    for (let t = cols4; t < cols; t++)
      buf[cOff + m * cols + t]! += dot(buf, aOff + m, rows, bOff + t, cols, depth);
}

function dot(buf: Float64Array, a: number, lda: number, b: number, ldb: number, depth: number): number {
  let s = 0;
  for (let c = 0; c < depth; c++) s += buf[a + c * lda]! * buf[b + c * ldb]!;
  return s;
}
