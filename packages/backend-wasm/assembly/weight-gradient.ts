// The weight gradient of both operators as one GEMM per group and chunk of positions:
//   dW[r][c·K + k] = Σ_n Σ_i a[n][r][i] · b[n][c][i·stride + k·dilation − padBegin]
// For a transposed convolution `a` is its input and `b` gradOutput (dW is [Cin][Cout/g][K]); for a
// convolution `a` is gradOutput and `b` its input (dW is [Cout][Cin/g][K]). Per chunk of positions
// i, Aᵀ (positions × rows) and the taps' reads of b (positions × columns, zero outside) are copied
// so both are read along contiguous rows, and gemmTN accumulates their product into dW.

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
  for (let g = 0; g < groups; g++) {
    for (let r = 0; r < aPG; r++) {
      memory.fill(out + ((<usize>((g * aPG + r) * ldc + c0 * K)) << 2), 0, cwBytes);
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
        // per row of `a`: for each tap the run of the last axis that reads inside `b` (into `runs`),
        // then bT's rows written in order (its (channel, tap) columns contiguous), zeros outside
        for (let q = q0; q < q1; q++) {
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
          for (let i = 0; i < nAL; i++) {
            let dst = bT + <usize>((q - q0) * nAL + i) * pitchBytes;
            let srcC = bBase + ((<usize>(i * sL)) << 2);
            for (let c = c0; c < c1; c++) {
              for (let k = 0; k < K; k++) {
                const run = runs + ((<usize>k) << 4);
                // a branch, not a select: outside the run the address may be outside memory
                if (i >= load<i32>(run, 4) && i < load<i32>(run, 8)) {
                  store<f32>(dst, load<f32>(srcC + ((<usize>load<i32>(run)) << 2)));
                } else {
                  store<f32>(dst, 0);
                }
                dst += 4;
              }
              srcC += bPlaneBytes;
            }
          }
        }
        // in slices of positions, so a slice of Aᵀ and of bT stay in cache while the tiles pass
        for (let d0 = 0; d0 < T; d0 += DEPTH_SLICE) {
          const A = aT + ((<usize>(d0 * aPG)) << 2);
          const B = bT + <usize>d0 * pitchBytes;
          gemmTN(A, aPG, B, pitch, dW, ldc, aPG, cw, min(DEPTH_SLICE, T - d0), true);
        }
      }
    }
  }
}
