// The convolution as an implicit GEMM over the stride phases of its input's last axis — the input
// gradient of a transposed convolution (its adjoint), with no column buffer:
//   out[co][o] = Σ_ci Σ_k w[co][ci][k] · x[ci][o·stride + k·dilation − padBegin]
// Per batch item and group the input's rows are split once into their phases (row-phases.ts), so
// along the last axis tap k reads x_ρk[o + shift_k]: 8 consecutive outputs read 2 contiguous vectors.
// Tiles of 4 output channels × 8 outputs accumulate over every (ci, k) from weights packed as
// [depth][4] (one 16-byte read per step) and store once. A leading-axis row outside the input
// reads each channel's row of zeros; lanes past a row's end or past c1 are computed and dropped.

import {
  CONV_TILE_OUTPUTS,
  CONV_PHASES_BATCH,
  CONV_PHASES_C0,
  CONV_PHASES_C1,
  CONV_PHASES_GROUPS,
  CONV_PHASES_IN_CHANNELS,
  CONV_PHASES_IN_CHANNELS_PER_GROUP,
  CONV_PHASES_MIN_SHIFT,
  CONV_PHASES_OUT,
  CONV_PHASES_OUT_CHANNELS,
  CONV_PHASES_OUT_CHANNELS_PER_GROUP,
  CONV_PHASES_PACKED,
  CONV_PHASES_PHASE_LENGTH,
  CONV_PHASES_PHASED,
  CONV_PHASES_RANK,
  CONV_PHASES_TABLE,
  CONV_PHASES_TAPS,
  CONV_PHASES_W,
  CONV_PHASES_WORDS,
  CONV_PHASES_X,
  CONV_PHASES_AXIS_DILATION,
  CONV_PHASES_AXIS_INPUT_SIZE,
  CONV_PHASES_AXIS_KERNEL_SIZE,
  CONV_PHASES_AXIS_OUTPUT_SIZE,
  CONV_PHASES_AXIS_PAD_BEGIN,
  CONV_PHASES_AXIS_STRIDE,
} from './layout.generated';
import { axisWord, word } from './params';
import { fillPhaseTable, splitPhases } from './row-phases';
import { madd } from './simd';

/**
 * Outputs of a row per block (a multiple of the tiles' 8): the block's phase reads, cinG · taps
 * short runs, stay in L1/L2 while every tile of 4 channels passes over them.
 */
const OUTPUT_BLOCK: i32 = 64;

// @inline
function axis(p: usize, field: i32, rank: i32, a: i32): i32 {
  return axisWord(p, CONV_PHASES_WORDS, field, rank, a);
}

/** Stores lane j < n of v at o + j·4 (a tile's last, partial block of outputs). */
// @inline
function storeLanes(o: usize, v: v128, n: i32): void {
  store<f32>(o, f32x4.extract_lane(v, 0));
  if (n > 1) store<f32>(o, f32x4.extract_lane(v, 1), 4);
  if (n > 2) store<f32>(o, f32x4.extract_lane(v, 2), 8);
  if (n > 3) store<f32>(o, f32x4.extract_lane(v, 3), 12);
}

/** Stores outputs o..o+7 of one channel row (`n` of them valid). */
// @inline
function storeRow(o: usize, v0: v128, v1: v128, n: i32): void {
  if (n >= CONV_TILE_OUTPUTS) {
    v128.store(o, v0);
    v128.store(o, v1, 16);
  } else if (n > 4) {
    v128.store(o, v0);
    storeLanes(o + 16, v1, n - 4);
  } else {
    storeLanes(o, v0, n);
  }
}

/**
 * One tile: 4 packed output channels × outputs o..o+7 of one output row. `taps` holds per tap the
 * byte offset of the phase row it reads (within a channel's phases), `A` the tile's packed weights.
 */
// @inline
function tile(
  A: usize,
  phased: usize,
  channelBytes: usize,
  taps: usize,
  cinG: i32,
  K: i32,
  o: usize,
  dst: usize,
  planeBytes: usize,
  rows: i32,
  n: i32,
): void {
  let c00 = f32x4.splat(0),
    c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0),
    c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0),
    c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0),
    c31 = f32x4.splat(0);
  let pa = A;
  let chan = phased + (o << 2);
  for (let ci = 0; ci < cinG; ci++) {
    for (let k = 0; k < K; k++) {
      const pb = chan + <usize>load<i32>(taps + ((<usize>k) << 2));
      const b0 = v128.load(pb);
      const b1 = v128.load(pb, 16);
      let a = v128.load32_splat(pa);
      c00 = madd(a, b0, c00);
      c01 = madd(a, b1, c01);
      a = v128.load32_splat(pa, 4);
      c10 = madd(a, b0, c10);
      c11 = madd(a, b1, c11);
      a = v128.load32_splat(pa, 8);
      c20 = madd(a, b0, c20);
      c21 = madd(a, b1, c21);
      a = v128.load32_splat(pa, 12);
      c30 = madd(a, b0, c30);
      c31 = madd(a, b1, c31);
      pa += 16;
    }
    chan += channelBytes;
  }
  storeRow(dst, c00, c01, n);
  if (rows > 1) storeRow(dst + planeBytes, c10, c11, n);
  if (rows > 2) storeRow(dst + 2 * planeBytes, c20, c21, n);
  if (rows > 3) storeRow(dst + 3 * planeBytes, c30, c31, n);
}

/** Packs output channels [c0, c1) of group g as panels of 4, [depth][4] each, zeros past c1. */
function packWeights(w: usize, g: i32, coutG: i32, c0: i32, c1: i32, depth: i32, packed: usize): void {
  const panels = (c1 - c0 + 3) >> 2;
  memory.fill(packed, 0, (<usize>(panels * depth)) << 4);
  for (let co = c0; co < c1; co++) {
    const src = w + ((<usize>((g * coutG + co) * depth)) << 2);
    const lane = co - c0;
    const dst = packed + ((<usize>(lane >> 2) * <usize>depth) << 4) + ((<usize>(lane & 3)) << 2);
    for (let d = 0; d < depth; d++) store<f32>(dst + ((<usize>d) << 4), load<f32>(src + ((<usize>d) << 2)));
  }
}

/** Convolution (float32) into output channels [c0, c1) of every group: see the top of this file. */
export function convPhases(p: usize): void {
  const rank = word(p, CONV_PHASES_RANK);
  const batch = word(p, CONV_PHASES_BATCH);
  const groups = word(p, CONV_PHASES_GROUPS);
  const inC = word(p, CONV_PHASES_IN_CHANNELS);
  const outC = word(p, CONV_PHASES_OUT_CHANNELS);
  const cinG = word(p, CONV_PHASES_IN_CHANNELS_PER_GROUP);
  const coutG = word(p, CONV_PHASES_OUT_CHANNELS_PER_GROUP);
  const x = <usize>word(p, CONV_PHASES_X);
  const w = <usize>word(p, CONV_PHASES_W);
  const out = <usize>word(p, CONV_PHASES_OUT);
  const c0 = word(p, CONV_PHASES_C0);
  const c1 = word(p, CONV_PHASES_C1);
  const phased = <usize>word(p, CONV_PHASES_PHASED);
  const R = word(p, CONV_PHASES_PHASE_LENGTH);
  const minShift = word(p, CONV_PHASES_MIN_SHIFT);
  const table = <usize>word(p, CONV_PHASES_TABLE);
  const taps = <usize>word(p, CONV_PHASES_TAPS);
  const packed = <usize>word(p, CONV_PHASES_PACKED);
  let K = 1;
  let inPlane = 1;
  let outPlane = 1;
  for (let d = 0; d < rank; d++) {
    K *= axis(p, CONV_PHASES_AXIS_KERNEL_SIZE, rank, d);
    inPlane *= axis(p, CONV_PHASES_AXIS_INPUT_SIZE, rank, d);
    outPlane *= axis(p, CONV_PHASES_AXIS_OUTPUT_SIZE, rank, d);
  }
  const last = rank - 1;
  const LL = axis(p, CONV_PHASES_AXIS_OUTPUT_SIZE, rank, last);
  const nL = axis(p, CONV_PHASES_AXIS_INPUT_SIZE, rank, last);
  const sL = axis(p, CONV_PHASES_AXIS_STRIDE, rank, last);
  const outLead = outPlane / LL;
  const inLead = inPlane / nL;
  const depth = cinG * K;
  // per channel its phases, then one row of zeros (what a tap outside the input reads)
  const rowsFloats = inLead * sL * R;
  const channelBytes = (<usize>(rowsFloats + R)) << 2;
  fillPhaseTable(
    p,
    CONV_PHASES_WORDS,
    CONV_PHASES_AXIS_OUTPUT_SIZE,
    CONV_PHASES_AXIS_INPUT_SIZE,
    CONV_PHASES_AXIS_KERNEL_SIZE,
    CONV_PHASES_AXIS_STRIDE,
    CONV_PHASES_AXIS_DILATION,
    CONV_PHASES_AXIS_PAD_BEGIN,
    table,
    rank,
    K,
    outLead,
    R,
    minShift,
    rowsFloats,
  );
  for (let ci = 0; ci < cinG; ci++) {
    memory.fill(phased + <usize>ci * channelBytes + ((<usize>rowsFloats) << 2), 0, (<usize>R) << 2);
  }
  const owned = c1 - c0;
  const panelBytes = (<usize>depth) << 4;
  const planeBytes = (<usize>outPlane) << 2;
  const inPlaneBytes = (<usize>inPlane) << 2;
  for (let g = 0; g < groups; g++) {
    packWeights(w, g, coutG, c0, c1, depth, packed);
    for (let n = 0; n < batch; n++) {
      const src = x + ((<usize>((n * inC + g * cinG) * inPlane)) << 2);
      splitPhases(src, inPlaneBytes, cinG, inLead, nL, sL, R, minShift, phased, channelBytes);
      const outBase = out + ((<usize>((n * outC + g * coutG + c0) * outPlane)) << 2);
      for (let q = 0; q < outLead; q++) {
        // this output row's phase row per tap, in bytes within a channel's phases
        for (let k = 0; k < K; k++) {
          store<i32>(taps + ((<usize>k) << 2), load<i32>(table + ((<usize>(k * outLead + q)) << 2)) << 2);
        }
        const rowOut = outBase + ((<usize>(q * LL)) << 2);
        // blocks of outputs: every channel tile passes over a block's phase reads while they are
        // in cache (wavegan-1d's 4096-output row streamed its 2 MiB of phases once per tile)
        for (let o0 = 0; o0 < LL; o0 += OUTPUT_BLOCK) {
          const o1 = min(LL, o0 + OUTPUT_BLOCK);
          for (let t = 0; t < owned; t += 4) {
            const A = packed + <usize>(t >> 2) * panelBytes;
            const rows = min(4, owned - t);
            const dst = rowOut + <usize>t * planeBytes;
            for (let o = o0; o < o1; o += CONV_TILE_OUTPUTS) {
              tile(
                A,
                phased,
                channelBytes,
                taps,
                cinG,
                K,
                <usize>o,
                dst + ((<usize>o) << 2),
                planeBytes,
                rows,
                min(CONV_TILE_OUTPUTS, LL - o),
              );
            }
          }
        }
      }
    }
  }
}
