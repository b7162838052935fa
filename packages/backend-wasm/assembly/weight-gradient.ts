// The weight gradient of both operators as one GEMM per group and chunk of positions:
//   dW[r][c·K + k] = Σ_n Σ_i a[n][r][i] · b[n][c][i·stride + k·dilation − padBegin]
// For a transposed convolution `a` is its input and `b` gradOutput (dW is [Cin][Cout/g][K]); for a
// convolution `a` is gradOutput and `b` its input (dW is [Cout][Cin/g][K]). Per chunk of positions
// i, Aᵀ (positions × rows) is copied; per slice of DEPTH_SLICE positions of it, the taps' reads of b
// (positions × columns, zero outside) are copied just before gemmTN accumulates the slice's product
// into dW, so both are read along contiguous rows and the copy of b is still in cache.

import { gemmTN, rowPitch } from './gemm';
import {
  WEIGHT_GRADIENT_A,
  WEIGHT_GRADIENT_A_CHANNELS,
  WEIGHT_GRADIENT_A_PER_GROUP,
  WEIGHT_GRADIENT_A_T,
  WEIGHT_GRADIENT_AXIS_A_SIZE,
  WEIGHT_GRADIENT_AXIS_B_SIZE,
  WEIGHT_GRADIENT_AXIS_DILATION,
  WEIGHT_GRADIENT_AXIS_KERNEL_SIZE,
  WEIGHT_GRADIENT_AXIS_PAD_BEGIN,
  WEIGHT_GRADIENT_AXIS_STRIDE,
  WEIGHT_GRADIENT_B,
  WEIGHT_GRADIENT_B_CHANNELS,
  WEIGHT_GRADIENT_B_PER_GROUP,
  WEIGHT_GRADIENT_B_T,
  WEIGHT_GRADIENT_BATCH,
  WEIGHT_GRADIENT_C0,
  WEIGHT_GRADIENT_C1,
  WEIGHT_GRADIENT_CHUNK,
  WEIGHT_GRADIENT_GROUPS,
  WEIGHT_GRADIENT_OUT,
  WEIGHT_GRADIENT_RANK,
  WEIGHT_GRADIENT_TABLE,
  WEIGHT_GRADIENT_WORDS,
} from './layout.generated';
import { axisWord, word } from './params';
import { ceilDiv, fillTapTable, floorDiv, reachedStride, tapCoordinate } from './taps';

/**
 * Positions per GEMM slice: 256 rows of Aᵀ and bT (64 KiB of each for 64 channels) stay in L2
 * while every tile passes over them (wavegan-1d's 4096-position rows spilled both).
 */
const DEPTH_SLICE: i32 = 256;

// @inline
function axis(p: usize, field: i32, rank: i32, a: i32): i32 {
  return axisWord(p, WEIGHT_GRADIENT_WORDS, field, rank, a);
}

/**
 * Element offset in a `b` plane of the leading axes' part of what row q of `a` (its coordinates on
 * every axis but the last) reads under tap t, or -1 when that is outside `b`.
 */
// @inline
function leadingReach(p: usize, table: usize, rank: i32, K: i32, t: i32, q: i32): i32 {
  let off = 0;
  let rest = q;
  for (let a = rank - 2; a >= 0; a--) {
    const n = axis(p, WEIGHT_GRADIENT_AXIS_A_SIZE, rank, a);
    const idx = rest % n;
    rest /= n;
    const pos =
      idx * axis(p, WEIGHT_GRADIENT_AXIS_STRIDE, rank, a) +
      tapCoordinate(table, rank, t, a) * axis(p, WEIGHT_GRADIENT_AXIS_DILATION, rank, a) -
      axis(p, WEIGHT_GRADIENT_AXIS_PAD_BEGIN, rank, a);
    if (pos < 0 || pos >= axis(p, WEIGHT_GRADIENT_AXIS_B_SIZE, rank, a)) return -1;
    off += pos * reachedStride(table, rank, K, a);
  }
  return off;
}

/**
 * For row q of `a` (its coordinates on every axis but the last), per tap into `runs`: the `b`
 * offset of the row's run on the last axis and the run's [lo, hi) of positions that read inside `b`.
 */
// @inline
function tapRuns(
  p: usize,
  table: usize,
  runs: usize,
  rank: i32,
  K: i32,
  q: i32,
  nAL: i32,
  bL: i32,
  sL: i32,
  dL: i32,
  pL: i32,
): void {
  const last = rank - 1;
  for (let k = 0; k < K; k++) {
    const lead = leadingReach(p, table, rank, K, k, q);
    const offL = tapCoordinate(table, rank, k, last) * dL - pL;
    let lo = min(nAL, max(0, ceilDiv(-offL, sL)));
    let hi = max(lo, min(nAL, floorDiv(bL - 1 - offL, sL) + 1));
    if (lead < 0) {
      lo = 0;
      hi = 0;
    }
    const run = runs + ((<usize>k) << 4);
    store<i32>(run, lead + offL);
    store<i32>(run, lo, 4);
    store<i32>(run, hi, 8);
  }
}

/**
 * Writes bT's row for position i of the current row of `a` at dst: its (channel, tap) columns
 * contiguous, zeros where a tap reads outside `b`.
 */
// @inline
function copyPosition(
  runs: usize,
  K: i32,
  i: i32,
  sL: i32,
  bBase: usize,
  bPlaneBytes: usize,
  channels: i32,
  dst: usize,
): void {
  if (channels === 1) {
    // one channel (depthwise): nothing to decide once for several channels
    for (let k = 0; k < K; k++) {
      const run = runs + ((<usize>k) << 4);
      // a branch, not a select: outside the run the address may be outside memory
      if (i >= load<i32>(run, 4) && i < load<i32>(run, 8)) {
        store<f32>(dst, load<f32>(bBase + ((<usize>(i * sL + load<i32>(run))) << 2)));
      } else {
        store<f32>(dst, 0);
      }
      dst += 4;
    }
    return;
  }
  // per tap, in the run's 4th word: the element of a `b` plane position i reads, or -1 outside
  // (decided once per position, not again for each channel)
  for (let k = 0; k < K; k++) {
    const run = runs + ((<usize>k) << 4);
    const inside = i >= load<i32>(run, 4) && i < load<i32>(run, 8);
    store<i32>(run, inside ? i * sL + load<i32>(run) : -1, 12);
  }
  let srcC = bBase;
  for (let c = 0; c < channels; c++) {
    for (let k = 0; k < K; k++) {
      const at = load<i32>(runs + ((<usize>k) << 4), 12);
      // a branch, not a select: outside the run the address may be outside memory
      if (at >= 0) {
        store<f32>(dst, load<f32>(srcC + ((<usize>at) << 2)));
      } else {
        store<f32>(dst, 0);
      }
      dst += 4;
    }
    srcC += bPlaneBytes;
  }
}

/** Weight gradient (float32) of `b` channels [c0, c1) of every group: see the top of this file. */
export function weightGradient(p: usize): void {
  const rank = word(p, WEIGHT_GRADIENT_RANK);
  const batch = word(p, WEIGHT_GRADIENT_BATCH);
  const groups = word(p, WEIGHT_GRADIENT_GROUPS);
  const aC = word(p, WEIGHT_GRADIENT_A_CHANNELS);
  const aPG = word(p, WEIGHT_GRADIENT_A_PER_GROUP);
  const bC = word(p, WEIGHT_GRADIENT_B_CHANNELS);
  const bPG = word(p, WEIGHT_GRADIENT_B_PER_GROUP);
  const a = <usize>word(p, WEIGHT_GRADIENT_A);
  const b = <usize>word(p, WEIGHT_GRADIENT_B);
  const out = <usize>word(p, WEIGHT_GRADIENT_OUT);
  const aT = <usize>word(p, WEIGHT_GRADIENT_A_T);
  const bT = <usize>word(p, WEIGHT_GRADIENT_B_T);
  const chunk = word(p, WEIGHT_GRADIENT_CHUNK);
  const table = <usize>word(p, WEIGHT_GRADIENT_TABLE);
  const c0 = word(p, WEIGHT_GRADIENT_C0);
  const c1 = word(p, WEIGHT_GRADIENT_C1);
  let K = 1;
  let aPlane = 1;
  let bPlane = 1;
  for (let d = 0; d < rank; d++) {
    K *= axis(p, WEIGHT_GRADIENT_AXIS_KERNEL_SIZE, rank, d);
    aPlane *= axis(p, WEIGHT_GRADIENT_AXIS_A_SIZE, rank, d);
    bPlane *= axis(p, WEIGHT_GRADIENT_AXIS_B_SIZE, rank, d);
  }
  fillTapTable(
    p,
    table,
    rank,
    K,
    WEIGHT_GRADIENT_WORDS,
    WEIGHT_GRADIENT_AXIS_KERNEL_SIZE,
    WEIGHT_GRADIENT_AXIS_B_SIZE,
  );
  const last = rank - 1;
  const nAL = axis(p, WEIGHT_GRADIENT_AXIS_A_SIZE, rank, last);
  const bL = axis(p, WEIGHT_GRADIENT_AXIS_B_SIZE, rank, last);
  const sL = axis(p, WEIGHT_GRADIENT_AXIS_STRIDE, rank, last);
  const dL = axis(p, WEIGHT_GRADIENT_AXIS_DILATION, rank, last);
  const pL = axis(p, WEIGHT_GRADIENT_AXIS_PAD_BEGIN, rank, last);
  const leadRows = aPlane / nAL;
  // whole rows of `a` per chunk: the JavaScript side makes chunk ≥ one row
  const rowsPerChunk = max(1, chunk / nAL);
  const cw = (c1 - c0) * K;
  const ldc = bPG * K;
  const cwBytes = (<usize>cw) << 2;
  // bT's rows padded (the JavaScript side leaves ROW_PITCH_SLACK per position)
  const pitch = rowPitch(cw);
  const pitchBytes = (<usize>pitch) << 2;
  const bPlaneBytes = (<usize>bPlane) << 2;
  // per tap, 4 words after the tap table: the b offset of its row's run, and the run's [lo, hi)
  const runs = table + ((<usize>((K + 1) * rank)) << 2);
  // the first slice of each group stores its product (every element of the part's block), the
  // rest add to it: no zero fill first (dcgan-4to8's 8 MiB dW was written twice and read once more)
  if (batch === 0) {
    for (let g = 0; g < groups; g++) {
      for (let r = 0; r < aPG; r++) {
        memory.fill(out + ((<usize>((g * aPG + r) * ldc + c0 * K)) << 2), 0, cwBytes);
      }
    }
  }
  for (let n = 0; n < batch; n++) {
    for (let g = 0; g < groups; g++) {
      const aBase = a + ((<usize>((n * aC + g * aPG) * aPlane)) << 2);
      const bBase = b + ((<usize>((n * bC + g * bPG + c0) * bPlane)) << 2);
      const dW = out + ((<usize>(g * aPG * ldc + c0 * K)) << 2);
      for (let q0 = 0; q0 < leadRows; q0 += rowsPerChunk) {
        const q1 = min(leadRows, q0 + rowsPerChunk);
        const T = (q1 - q0) * nAL;
        const first = q0 * nAL;
        for (let r = 0; r < aPG; r++) {
          const src = aBase + ((<usize>(r * aPlane + first)) << 2);
          let dst = aT + ((<usize>r) << 2);
          const step = (<usize>aPG) << 2;
          for (let t = 0; t < T; t++) {
            store<f32>(dst, load<f32>(src + ((<usize>t) << 2)));
            dst += step;
          }
        }
        // in slices of positions: each slice's rows of bT are written just before the GEMM reads
        // them, so they are still in cache (a whole chunk of bT, up to 4 MiB — 13 MB for
        // wavegan-1d's one 4096-position row — went to memory and back); Aᵀ's slice is small
        for (let d0 = 0; d0 < T; d0 += DEPTH_SLICE) {
          const d1 = min(T, d0 + DEPTH_SLICE);
          let q = q0 + d0 / nAL;
          let i = d0 % nAL;
          tapRuns(p, table, runs, rank, K, q, nAL, bL, sL, dL, pL);
          for (let t = d0; t < d1; t++) {
            if (i === nAL) {
              i = 0;
              q++;
              tapRuns(p, table, runs, rank, K, q, nAL, bL, sL, dL, pL);
            }
            const dst = bT + <usize>(t - d0) * pitchBytes;
            copyPosition(runs, K, i, sL, bBase, bPlaneBytes, c1 - c0, dst);
            i++;
          }
          const A = aT + ((<usize>(d0 * aPG)) << 2);
          // no column panel: bT's rows are a rowPitch apart (an odd number of cache lines)
          if (n === 0 && q0 === 0 && d0 === 0) gemmTN(A, aPG, bT, pitch, dW, ldc, aPG, cw, d1 - d0, false, 0);
          else gemmTN(A, aPG, bT, pitch, dW, ldc, aPG, cw, d1 - d0, true, 0);
        }
      }
    }
  }
}
