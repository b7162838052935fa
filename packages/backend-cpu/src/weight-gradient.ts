import type { ConvGeometry, ConvTransposeGeometry, FloatArray } from '@tconv/core';
import type { Sides } from './tap-gather';
import { copySmall, gatherLarge, leadingOffset, tapOffsets } from './tap-gather';

/**
 * Positions of the small side per chunk (the GEMM depth of one pass): a chunk's two operands
 * (`(a + b)` channels × 512 float64 values) stay in L2 across the register tiles.
 */
const DEPTH = 512;

/**
 * Groups this thin (depthwise) take direct dot products: a GEMM of 1 × 1 tiles only adds copies.
 * (The direct path is also the fallback when the GEMM's result is not finite.)
 */
const THIN = 2;

/** The weight gradient's float64 buffer (one chunk of S, then one tap's gathered L), reused. */
let buffer: Float64Array | null = null;
/** The float64 accumulator of the weight gradient, in the weight's layout, reused. */
let accumulator: Float64Array | null = null;

function grow(current: Float64Array | null, length: number): Float64Array {
  return current && current.length >= length ? current : new Float64Array(Math.max(length, 1024));
}

/**
 * The weight gradient of a transposed convolution or a convolution, as one reduction.
 *
 * Both operators pair a "small" tensor S with a "large" tensor L through the same index map,
 * `large position = j·stride + k·dilation − padBegin`: for a transposed convolution S is the
 * input and L the output gradient, and `∂L/∂w[ci][co_g][k] = Σ_(n, i) x[n][ci][i] · gy[n][co][i·s + k·d − p]`;
 * for a convolution S is the output gradient and L the input, and
 * `∂L/∂w[co][ci_g][k] = Σ_(n, o) gy[n][co][o] · x[n][ci][o·s + k·d − p]`. In both the weight is
 * `[a][b/groups][...kernel]` with `a` S's channel and `b` L's channel within the group.
 *
 * So per batch item, group, chunk of S's positions and tap, the gradient of that tap is one GEMM,
 * `dW_k += S_chunk · L_k,chunkᵀ` (depth = positions), where `L_k` is L gathered at the tap's shift
 * (zeros where the tap falls outside L). Both operands are copied into one float64 buffer (one
 * typed array in the hot loop), the product is register-tiled 3 × 4 over (a, b) and summed in
 * float64; the result is rounded once into `out`. Never the definition loop.
 * @param g - the resolved geometry of the forward call
 * @param x - the forward input
 * @param gy - the gradient of the forward output
 * @param out - the weight gradient, the weight's shape and float type (overwritten)
 */
export function weightGradientImpl(
  g: ConvTransposeGeometry | ConvGeometry,
  x: FloatArray,
  gy: FloatArray,
  out: FloatArray,
): void {
  const t = g.kind === 'convTranspose';
  const side: Sides = {
    small: t ? x : gy,
    large: t ? gy : x,
    smallChannels: t ? g.inChannels : g.outChannels,
    largeChannels: t ? g.outChannels : g.inChannels,
    aG: t ? g.inChannelsPerGroup : g.outChannelsPerGroup,
    bG: t ? g.outChannelsPerGroup : g.inChannelsPerGroup,
    smallSize: t ? g.inputSize : g.outputSize,
    largeSize: t ? g.outputSize : g.inputSize,
  };
  const K = g.kernelSize.reduce((p, k) => p * k, 1);
  const { aG, bG } = side;
  if (aG <= THIN && bG <= THIN) {
    thinWeightGradient(g, side, out);
    return;
  }
  const nLast = side.smallSize[g.rank - 1]!;
  const lead = (side.smallSize.reduce((p, k) => p * k, 1) / nLast) | 0;
  // a chunk is whole rows of S, or one piece of a row longer than DEPTH
  const cols = Math.min(nLast, DEPTH);
  const rows = nLast > DEPTH ? 1 : Math.max(1, Math.min(lead, Math.floor(DEPTH / nLast)));
  const T = rows * cols;
  buffer = grow(buffer, (aG + bG) * T);
  accumulator = grow(accumulator, g.groups * K * aG * bG);
  const acc = accumulator;
  acc.fill(0, 0, g.groups * K * aG * bG);
  const offsets = tapOffsets(g);
  for (let n = 0; n < g.batch; n++) {
    for (let group = 0; group < g.groups; group++) {
      for (let q0 = 0; q0 < lead; q0 += rows) {
        const q1 = Math.min(lead, q0 + rows);
        for (let c0 = 0; c0 < nLast; c0 += cols) {
          const c1 = Math.min(nLast, c0 + cols);
          const depth = (q1 - q0) * (c1 - c0);
          copySmall(g, side, buffer, n, group, q0, q1, c0, c1);
          for (let k = 0; k < K; k++) {
            if (!gatherLarge(g, side, offsets, buffer, aG * depth, n, group, k, q0, q1, c0, c1)) continue;
            // the accumulator has the weight's layout [group·aG + a][b][k]
            const at = group * aG * bG * K + k;
            // tile the wider side by 4: with fewer than 4 of L's channels (RGB outputs) swap the operands
            if (bG >= 4 || aG < 4) gemmNT(buffer, 0, aG * depth, depth, aG, bG, acc, at, bG * K, K);
            else gemmNT(buffer, aG * depth, 0, depth, bG, aG, acc, at, K, bG * K);
          }
        }
      }
    }
  }
  // rounded once into the result (same layout)
  out.set(acc.subarray(0, out.length));
  // a padding zero met an infinite input (0·∞ = NaN, a pair the definition never forms): redo the
  // call by direct dot products over valid pairs only, like the definition
  for (let i = 0; i < out.length; i++) {
    const v = out[i]!;
    if (v - v !== 0) {
      thinWeightGradient(g, side, out);
      return;
    }
  }
}

/**
 * `acc[accOff + m·cm + t·ct] += Σ_c buf[aOff + m·depth + c] · buf[bOff + t·depth + c]`: rows of
 * both operands are contiguous in the one buffer, so each tile streams 3 + 4 rows. Register-tiled
 * 3 × 4 (twelve double accumulators, the tile V8 keeps in registers; see `gemm.ts`).
 */
function gemmNT(
  buf: Float64Array,
  aOff: number,
  bOff: number,
  depth: number,
  rows: number,
  cols: number,
  acc: Float64Array,
  accOff: number,
  cm: number,
  ct: number,
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
      const a0 = aOff + m * depth;
      const b0 = bOff + t * depth;
      for (let c = 0; c < depth; c++) {
        const x0 = buf[a0 + c]!;
        const x1 = buf[a0 + depth + c]!;
        const x2 = buf[a0 + 2 * depth + c]!;
        const y0 = buf[b0 + c]!;
        const y1 = buf[b0 + depth + c]!;
        const y2 = buf[b0 + 2 * depth + c]!;
        const y3 = buf[b0 + 3 * depth + c]!;
        c00 += x0 * y0;
        c01 += x0 * y1;
        c02 += x0 * y2;
        c03 += x0 * y3;
        c10 += x1 * y0;
        c11 += x1 * y1;
        c12 += x1 * y2;
        c13 += x1 * y3;
        c20 += x2 * y0;
        c21 += x2 * y1;
        c22 += x2 * y2;
        c23 += x2 * y3;
      }
      let o = accOff + m * cm + t * ct;
      acc[o]! += c00;
      acc[o + ct]! += c01;
      acc[o + 2 * ct]! += c02;
      acc[o + 3 * ct]! += c03;
      o += cm;
      acc[o]! += c10;
      acc[o + ct]! += c11;
      acc[o + 2 * ct]! += c12;
      acc[o + 3 * ct]! += c13;
      o += cm;
      acc[o]! += c20;
      acc[o + ct]! += c21;
      acc[o + 2 * ct]! += c22;
      acc[o + 3 * ct]! += c23;
    }
  }
  // leftovers: the last rows (fewer than 3) over every column, then the last columns of the tiled rows
  for (let m = rows3; m < rows; m++) {
    for (let t = 0; t < cols; t++)
      acc[accOff + m * cm + t * ct]! += dot(buf, aOff + m * depth, bOff + t * depth, depth);
  }
  for (let m = 0; m < rows3; m++) {
    for (let t = cols4; t < cols; t++)
      acc[accOff + m * cm + t * ct]! += dot(buf, aOff + m * depth, bOff + t * depth, depth);
  }
}

function dot(buf: Float64Array, a: number, b: number, depth: number): number {
  let s = 0;
  for (let c = 0; c < depth; c++) s += buf[a + c]! * buf[b + c]!;
  return s;
}

/**
 * The weight gradient of thin groups (depthwise): for every (a, b, tap) one dot product of S's rows
 * with L read at the tap's shift, straight from the tensors (no copies), summed in float64.
 */
function thinWeightGradient(g: ConvTransposeGeometry | ConvGeometry, s: Sides, out: FloatArray): void {
  const r = g.rank;
  const last = r - 1;
  const K = g.kernelSize.reduce((p, k) => p * k, 1);
  const offsets = tapOffsets(g);
  const nLast = s.smallSize[last]!;
  const sPlane = s.smallSize.reduce((p, k) => p * k, 1);
  const lPlane = s.largeSize.reduce((p, k) => p * k, 1);
  const lead = (sPlane / nLast) | 0;
  const LL = s.largeSize[last]!;
  const sL = g.stride[last]!;
  const S = s.small;
  const L = s.large;
  for (let group = 0; group < g.groups; group++) {
    for (let a = 0; a < s.aG; a++) {
      for (let b = 0; b < s.bG; b++) {
        for (let k = 0; k < K; k++) {
          const offL = offsets[k * r + last]!;
          const lo = Math.max(0, Math.ceil(-offL / sL));
          const hi = Math.min(nLast, Math.floor((LL - 1 - offL) / sL) + 1);
          let sum = 0;
          for (let n = 0; n < g.batch; n++) {
            const sBase = (n * s.smallChannels + group * s.aG + a) * sPlane;
            const lBase = (n * s.largeChannels + group * s.bG + b) * lPlane + offL;
            for (let q = 0; q < lead && lo < hi; q++) {
              const at = leadingOffset(g, s, offsets, k, q);
              if (at < 0) continue;
              let si = sBase + q * nLast + lo;
              let li = lBase + at + lo * sL;
              for (let c = lo; c < hi; c++) {
                sum += S[si]! * L[li]!;
                si++;
                li += sL;
              }
            }
          }
          out[((group * s.aG + a) * s.bG + b) * K + k] = sum;
        }
      }
    }
  }
}
