// The weight gradient by stride phases of the last axis, with no transposes and no gathers:
//   dW[r][c·K + k] = Σ_n Σ_i a[n][r][i] · b[n][c][i·stride + k·dilation − padBegin]
// (a, b and dW as in weight-gradient.ts). Along the last axis, tap k reads b at i·s + off_k, off_k =
// k·d − p = shift_k·s + ρ_k (0 ≤ ρ_k < s): so per batch item each row of b is split once into its s
// phases D_ρ[j] = b[j·s + ρ] (zeros past b's ends), and tap k reads D_ρk[i + shift_k] — contiguous
// in i, like a's rows. Every (r, column) is then a dot product along a's rows, vectorised over
// positions: 4 rows of a × 2 columns of register tiles, one horizontal sum per tile and batch item.
// A leading-axis row of b that a tap reads outside b reads a row of zeros. Every element is summed
// in the same order whichever tile computes it, so a split over threads (by columns) changes nothing.
// b's phases are split per block of channels that stays in cache while every row tile of a passes.
// (Over 300 lines: the two register tiles are written out, 4×2 and 1×2, for V8 to keep their
// accumulators in registers; the rest is the tables and the phase split they read.)

import {
  WEIGHT_GRADIENT_PHASES_A,
  WEIGHT_GRADIENT_PHASES_A_CHANNELS,
  WEIGHT_GRADIENT_PHASES_A_PER_GROUP,
  WEIGHT_GRADIENT_PHASES_AXIS_A_SIZE,
  WEIGHT_GRADIENT_PHASES_AXIS_B_SIZE,
  WEIGHT_GRADIENT_PHASES_AXIS_DILATION,
  WEIGHT_GRADIENT_PHASES_AXIS_KERNEL_SIZE,
  WEIGHT_GRADIENT_PHASES_AXIS_PAD_BEGIN,
  WEIGHT_GRADIENT_PHASES_AXIS_STRIDE,
  WEIGHT_GRADIENT_PHASES_B,
  WEIGHT_GRADIENT_PHASES_B_CHANNELS,
  WEIGHT_GRADIENT_PHASES_B_PER_GROUP,
  WEIGHT_GRADIENT_PHASES_BATCH,
  WEIGHT_GRADIENT_PHASES_BLOCK_CHANNELS,
  WEIGHT_GRADIENT_PHASES_C0,
  WEIGHT_GRADIENT_PHASES_C1,
  WEIGHT_GRADIENT_PHASES_GROUPS,
  WEIGHT_GRADIENT_PHASES_MIN_SHIFT,
  WEIGHT_GRADIENT_PHASES_OUT,
  WEIGHT_GRADIENT_PHASES_PHASE_LENGTH,
  WEIGHT_GRADIENT_PHASES_PHASED,
  WEIGHT_GRADIENT_PHASES_RANK,
  WEIGHT_GRADIENT_PHASES_TABLE,
  WEIGHT_GRADIENT_PHASES_WORDS,
} from './layout.generated';
import { axisWord, word } from './params';
import { hsum, madd, maddScalar } from './simd';
import { fillPhaseTable, splitPhases } from './row-phases';

// @inline
function axis(p: usize, field: i32, rank: i32, a: i32): i32 {
  return axisWord(p, WEIGHT_GRADIENT_PHASES_WORDS, field, rank, a);
}

/** Stores (first batch item) or adds s at o. */
// @inline
function put(o: usize, s: f32, first: bool): void {
  store<f32>(o, first ? s : load<f32>(o) + s);
}

/**
 * Address of the phase row column (c, k) reads for row q of `a` (c within the block of channels),
 * or `zero` when that row is outside b: the table holds per (tap, row of a) the element offset of
 * the row in a channel's phases, or −1.
 */
// @inline
function phaseRow(x: Ctx, q: i32, c: i32, k: i32): usize {
  const off = load<i32>(x.table + ((<usize>(k * x.aLead + q)) << 2));
  return off < 0 ? x.zero : x.phased + ((<usize>(c * x.channelFloats + off)) << 2);
}

/** What every tile reads: the block, its tables, the phases, and a's geometry. */
@unmanaged
class Ctx {
  table: usize = 0;
  K: i32 = 0;
  phased: usize = 0;
  zero: usize = 0;
  channelFloats: i32 = 0;
  aLead: i32 = 0;
  nAL: i32 = 0;
  aPlaneBytes: usize = 0;
}

/**
 * Rows r..r+3 × columns colA (and colB when `two`) over one batch item: `a0` is row r's plane, `o`
 * the dW element (r, colA). Vectors over each row's first nAL & ~3 positions, then the rest scalar.
 */
// @inline
function tile4(
  x: Ctx,
  a0: usize,
  colA: i32,
  colB: i32,
  o: usize,
  ldcBytes: usize,
  two: bool,
  first: bool,
): void {
  const K = x.K;
  const cA = colA / K;
  const kA = colA - cA * K;
  const cB = colB / K;
  const kB = colB - cB * K;
  const pl = x.aPlaneBytes;
  const rowBytes = (<usize>x.nAL) << 2;
  const n4Bytes = (<usize>(x.nAL & ~3)) << 2;
  let s00 = f32x4.splat(0),
    s01 = f32x4.splat(0);
  let s10 = f32x4.splat(0),
    s11 = f32x4.splat(0);
  let s20 = f32x4.splat(0),
    s21 = f32x4.splat(0);
  let s30 = f32x4.splat(0),
    s31 = f32x4.splat(0);
  for (let q = 0; q < x.aLead; q++) {
    const pa = a0 + <usize>q * rowBytes;
    const pA = phaseRow(x, q, cA, kA);
    const pB = two ? phaseRow(x, q, cB, kB) : pA;
    for (let i: usize = 0; i < n4Bytes; i += 16) {
      const b0 = v128.load(pA + i);
      const b1 = two ? v128.load(pB + i) : b0;
      let v = v128.load(pa + i);
      s00 = madd(v, b0, s00);
      if (two) s01 = madd(v, b1, s01);
      v = v128.load(pa + pl + i);
      s10 = madd(v, b0, s10);
      if (two) s11 = madd(v, b1, s11);
      v = v128.load(pa + 2 * pl + i);
      s20 = madd(v, b0, s20);
      if (two) s21 = madd(v, b1, s21);
      v = v128.load(pa + 3 * pl + i);
      s30 = madd(v, b0, s30);
      if (two) s31 = madd(v, b1, s31);
    }
  }
  let t00: f32 = 0,
    t01: f32 = 0,
    t10: f32 = 0,
    t11: f32 = 0,
    t20: f32 = 0,
    t21: f32 = 0,
    t30: f32 = 0,
    t31: f32 = 0;
  if (n4Bytes < rowBytes) {
    for (let q = 0; q < x.aLead; q++) {
      const pa = a0 + <usize>q * rowBytes;
      const pA = phaseRow(x, q, cA, kA);
      const pB = two ? phaseRow(x, q, cB, kB) : pA;
      for (let i = n4Bytes; i < rowBytes; i += 4) {
        const b0 = load<f32>(pA + i);
        const b1 = load<f32>(pB + i);
        let v = load<f32>(pa + i);
        t00 = maddScalar(v, b0, t00);
        t01 = maddScalar(v, b1, t01);
        v = load<f32>(pa + pl + i);
        t10 = maddScalar(v, b0, t10);
        t11 = maddScalar(v, b1, t11);
        v = load<f32>(pa + 2 * pl + i);
        t20 = maddScalar(v, b0, t20);
        t21 = maddScalar(v, b1, t21);
        v = load<f32>(pa + 3 * pl + i);
        t30 = maddScalar(v, b0, t30);
        t31 = maddScalar(v, b1, t31);
      }
    }
  }
  put(o, hsum(s00) + t00, first);
  put(o + ldcBytes, hsum(s10) + t10, first);
  put(o + 2 * ldcBytes, hsum(s20) + t20, first);
  put(o + 3 * ldcBytes, hsum(s30) + t30, first);
  if (two) {
    put(o + 4, hsum(s01) + t01, first);
    put(o + ldcBytes + 4, hsum(s11) + t11, first);
    put(o + 2 * ldcBytes + 4, hsum(s21) + t21, first);
    put(o + 3 * ldcBytes + 4, hsum(s31) + t31, first);
  }
}

/** One row × columns colA (and colB when `two`): {@link tile4} for the rows left over. */
// @inline
function tile1(x: Ctx, a0: usize, colA: i32, colB: i32, o: usize, two: bool, first: bool): void {
  const K = x.K;
  const cA = colA / K;
  const kA = colA - cA * K;
  const cB = colB / K;
  const kB = colB - cB * K;
  const rowBytes = (<usize>x.nAL) << 2;
  const n4Bytes = (<usize>(x.nAL & ~3)) << 2;
  let s0 = f32x4.splat(0),
    s1 = f32x4.splat(0);
  let t0: f32 = 0,
    t1: f32 = 0;
  for (let q = 0; q < x.aLead; q++) {
    const pa = a0 + <usize>q * rowBytes;
    const pA = phaseRow(x, q, cA, kA);
    const pB = two ? phaseRow(x, q, cB, kB) : pA;
    for (let i: usize = 0; i < n4Bytes; i += 16) {
      const v = v128.load(pa + i);
      s0 = madd(v, v128.load(pA + i), s0);
      if (two) s1 = madd(v, v128.load(pB + i), s1);
    }
  }
  if (n4Bytes < rowBytes) {
    for (let q = 0; q < x.aLead; q++) {
      const pa = a0 + <usize>q * rowBytes;
      const pA = phaseRow(x, q, cA, kA);
      const pB = two ? phaseRow(x, q, cB, kB) : pA;
      for (let i = n4Bytes; i < rowBytes; i += 4) {
        const v = load<f32>(pa + i);
        t0 = maddScalar(v, load<f32>(pA + i), t0);
        t1 = maddScalar(v, load<f32>(pB + i), t1);
      }
    }
  }
  put(o, hsum(s0) + t0, first);
  if (two) put(o + 4, hsum(s1) + t1, first);
}

/** Weight gradient (float32) of `b` channels [c0, c1) of every group: see the top of this file. */
export function weightGradientPhases(p: usize): void {
  const rank = word(p, WEIGHT_GRADIENT_PHASES_RANK);
  const batch = word(p, WEIGHT_GRADIENT_PHASES_BATCH);
  const groups = word(p, WEIGHT_GRADIENT_PHASES_GROUPS);
  const aC = word(p, WEIGHT_GRADIENT_PHASES_A_CHANNELS);
  const aPG = word(p, WEIGHT_GRADIENT_PHASES_A_PER_GROUP);
  const bC = word(p, WEIGHT_GRADIENT_PHASES_B_CHANNELS);
  const bPG = word(p, WEIGHT_GRADIENT_PHASES_B_PER_GROUP);
  const a = <usize>word(p, WEIGHT_GRADIENT_PHASES_A);
  const b = <usize>word(p, WEIGHT_GRADIENT_PHASES_B);
  const out = <usize>word(p, WEIGHT_GRADIENT_PHASES_OUT);
  const c0 = word(p, WEIGHT_GRADIENT_PHASES_C0);
  const c1 = word(p, WEIGHT_GRADIENT_PHASES_C1);
  const R = word(p, WEIGHT_GRADIENT_PHASES_PHASE_LENGTH);
  const minShift = word(p, WEIGHT_GRADIENT_PHASES_MIN_SHIFT);
  const table = <usize>word(p, WEIGHT_GRADIENT_PHASES_TABLE);
  const phased = <usize>word(p, WEIGHT_GRADIENT_PHASES_PHASED);
  const blockChannels = word(p, WEIGHT_GRADIENT_PHASES_BLOCK_CHANNELS);
  let K = 1;
  let aPlane = 1;
  let bPlane = 1;
  for (let d = 0; d < rank; d++) {
    K *= axis(p, WEIGHT_GRADIENT_PHASES_AXIS_KERNEL_SIZE, rank, d);
    aPlane *= axis(p, WEIGHT_GRADIENT_PHASES_AXIS_A_SIZE, rank, d);
    bPlane *= axis(p, WEIGHT_GRADIENT_PHASES_AXIS_B_SIZE, rank, d);
  }
  const last = rank - 1;
  const nAL = axis(p, WEIGHT_GRADIENT_PHASES_AXIS_A_SIZE, rank, last);
  const bL = axis(p, WEIGHT_GRADIENT_PHASES_AXIS_B_SIZE, rank, last);
  const sL = axis(p, WEIGHT_GRADIENT_PHASES_AXIS_STRIDE, rank, last);
  const aLead = aPlane / nAL;
  const bLead = bPlane / bL;
  const ldc = bPG * K;
  const ldcBytes = (<usize>ldc) << 2;
  fillPhaseTable(
    p,
    WEIGHT_GRADIENT_PHASES_WORDS,
    WEIGHT_GRADIENT_PHASES_AXIS_A_SIZE,
    WEIGHT_GRADIENT_PHASES_AXIS_B_SIZE,
    WEIGHT_GRADIENT_PHASES_AXIS_KERNEL_SIZE,
    WEIGHT_GRADIENT_PHASES_AXIS_STRIDE,
    WEIGHT_GRADIENT_PHASES_AXIS_DILATION,
    WEIGHT_GRADIENT_PHASES_AXIS_PAD_BEGIN,
    table,
    rank,
    K,
    aLead,
    R,
    minShift,
    -1,
  );
  const x = changetype<Ctx>(table + ((<usize>(K * aLead)) << 2));
  x.table = table;
  x.K = K;
  x.phased = phased;
  x.channelFloats = bLead * sL * R;
  x.zero = phased + ((<usize>(blockChannels * x.channelFloats)) << 2);
  x.aLead = aLead;
  x.nAL = nAL;
  x.aPlaneBytes = (<usize>aPlane) << 2;
  memory.fill(x.zero, 0, (<usize>R) << 2);
  if (batch === 0) {
    for (let g = 0; g < groups; g++) {
      for (let r = 0; r < aPG; r++) {
        memory.fill(out + ((<usize>((g * aPG + r) * ldc + c0 * K)) << 2), 0, (<usize>((c1 - c0) * K)) << 2);
      }
    }
  }
  const bPlaneBytes = (<usize>bPlane) << 2;
  for (let g = 0; g < groups; g++) {
    for (let n = 0; n < batch; n++) {
      const aBase = a + ((<usize>((n * aC + g * aPG) * aPlane)) << 2);
      // blocks of channels whose phases stay in cache while every row tile of `a` passes over them
      for (let cb = c0; cb < c1; cb += blockChannels) {
        const ce = min(c1, cb + blockChannels);
        const src = b + ((<usize>((n * bC + g * bPG + cb) * bPlane)) << 2);
        splitPhases(
          src,
          bPlaneBytes,
          ce - cb,
          bLead,
          bL,
          sL,
          R,
          minShift,
          phased,
          (<usize>x.channelFloats) << 2,
        );
        const dW = out + ((<usize>(g * aPG * ldc + cb * K)) << 2);
        blockTiles(x, aBase, aPG, (ce - cb) * K, dW, ldcBytes, n === 0);
      }
    }
  }
}

/** Every tile of one block of channels: rows of `a` by 4 (then 1), columns by 2 (then 1). */
function blockTiles(
  x: Ctx,
  aBase: usize,
  rows: i32,
  cols: i32,
  dW: usize,
  ldcBytes: usize,
  first: bool,
): void {
  const rows4 = rows & ~3;
  const cols2 = cols & ~1;
  for (let r = 0; r < rows4; r += 4) {
    const a0 = aBase + <usize>r * x.aPlaneBytes;
    const o = dW + <usize>r * ldcBytes;
    if (first) {
      for (let col = 0; col < cols2; col += 2)
        tile4(x, a0, col, col + 1, o + ((<usize>col) << 2), ldcBytes, true, true);
      if (cols2 < cols) tile4(x, a0, cols2, cols2, o + ((<usize>cols2) << 2), ldcBytes, false, true);
    } else {
      for (let col = 0; col < cols2; col += 2)
        tile4(x, a0, col, col + 1, o + ((<usize>col) << 2), ldcBytes, true, false);
      if (cols2 < cols) tile4(x, a0, cols2, cols2, o + ((<usize>cols2) << 2), ldcBytes, false, false);
    }
  }
  for (let r = rows4; r < rows; r++) {
    const a0 = aBase + <usize>r * x.aPlaneBytes;
    const o = dW + <usize>r * ldcBytes;
    if (first) {
      for (let col = 0; col < cols2; col += 2)
        tile1(x, a0, col, col + 1, o + ((<usize>col) << 2), true, true);
      if (cols2 < cols) tile1(x, a0, cols2, cols2, o + ((<usize>cols2) << 2), false, true);
    } else {
      for (let col = 0; col < cols2; col += 2)
        tile1(x, a0, col, col + 1, o + ((<usize>col) << 2), true, false);
      if (cols2 < cols) tile1(x, a0, cols2, cols2, o + ((<usize>cols2) << 2), false, false);
    }
  }
}
