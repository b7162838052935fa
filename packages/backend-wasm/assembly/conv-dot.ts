// The convolution for few output positions with deep reductions — the input gradient of a layer
// like DCGAN's 4×4 → 8×8 (16 positions, 512 × 256 · 16 weights): per batch item and group the
// reads of every output position are gathered once as rows colsT[o][ci·K + k] (zeros outside),
// then out[co][o] = Σ_d W[co][d] · colsT[o][d] is a dot product along both operands' contiguous
// rows, in 4 channels × 2 positions register tiles vectorised over d. The weights are read in
// place, once (the column-buffer convolution packed all of them, 8 MiB there, per call).

import {
  CONV_DOT_BATCH,
  CONV_DOT_C0,
  CONV_DOT_C1,
  CONV_DOT_COLS,
  CONV_DOT_GROUPS,
  CONV_DOT_IN_CHANNELS,
  CONV_DOT_IN_CHANNELS_PER_GROUP,
  CONV_DOT_OUT,
  CONV_DOT_OUT_CHANNELS,
  CONV_DOT_OUT_CHANNELS_PER_GROUP,
  CONV_DOT_RANK,
  CONV_DOT_W,
  CONV_DOT_WORDS,
  CONV_DOT_X,
  CONV_DOT_AXIS_DILATION,
  CONV_DOT_AXIS_INPUT_SIZE,
  CONV_DOT_AXIS_KERNEL_SIZE,
  CONV_DOT_AXIS_OUTPUT_SIZE,
  CONV_DOT_AXIS_PAD_BEGIN,
  CONV_DOT_AXIS_STRIDE,
} from './layout.generated';
import { axisWord, word } from './params';
import { hsum, madd, maddScalar } from './simd';

// @inline
function axis(p: usize, field: i32, rank: i32, a: i32): i32 {
  return axisWord(p, CONV_DOT_WORDS, field, rank, a);
}

/** Element offset in an input plane that output position o reads under tap k, or −1 outside. */
function reach(p: usize, rank: i32, o: i32, k: i32): i32 {
  let restO = o;
  let restK = k;
  let off = 0;
  let scale = 1;
  for (let a = rank - 1; a >= 0; a--) {
    const no = axis(p, CONV_DOT_AXIS_OUTPUT_SIZE, rank, a);
    const nk = axis(p, CONV_DOT_AXIS_KERNEL_SIZE, rank, a);
    const ni = axis(p, CONV_DOT_AXIS_INPUT_SIZE, rank, a);
    const pos =
      (restO % no) * axis(p, CONV_DOT_AXIS_STRIDE, rank, a) +
      (restK % nk) * axis(p, CONV_DOT_AXIS_DILATION, rank, a) -
      axis(p, CONV_DOT_AXIS_PAD_BEGIN, rank, a);
    restO /= no;
    restK /= nk;
    if (pos < 0 || pos >= ni) return -1;
    off += pos * scale;
    scale *= ni;
  }
  return off;
}

/**
 * Output channels co..co+3 (the first `rows` of them stored) × positions o (and o + 1 when `two`):
 * dot products of W's rows with colsT's rows over `depth`, vectors then a scalar tail.
 */
// @inline
function tile(
  wRow: usize,
  wBytes: usize,
  rows: i32,
  cA: usize,
  cB: usize,
  depth: i32,
  dst: usize,
  planeBytes: usize,
  two: bool,
): void {
  const d4 = (<usize>(depth & ~3)) << 2;
  const dBytes = (<usize>depth) << 2;
  const r1 = rows > 1 ? wBytes : 0;
  const r2 = rows > 2 ? 2 * wBytes : 0;
  const r3 = rows > 3 ? 3 * wBytes : 0;
  let s00 = f32x4.splat(0),
    s01 = f32x4.splat(0);
  let s10 = f32x4.splat(0),
    s11 = f32x4.splat(0);
  let s20 = f32x4.splat(0),
    s21 = f32x4.splat(0);
  let s30 = f32x4.splat(0),
    s31 = f32x4.splat(0);
  for (let i: usize = 0; i < d4; i += 16) {
    const b0 = v128.load(cA + i);
    const b1 = two ? v128.load(cB + i) : b0;
    let v = v128.load(wRow + i);
    s00 = madd(v, b0, s00);
    if (two) s01 = madd(v, b1, s01);
    v = v128.load(wRow + r1 + i);
    s10 = madd(v, b0, s10);
    if (two) s11 = madd(v, b1, s11);
    v = v128.load(wRow + r2 + i);
    s20 = madd(v, b0, s20);
    if (two) s21 = madd(v, b1, s21);
    v = v128.load(wRow + r3 + i);
    s30 = madd(v, b0, s30);
    if (two) s31 = madd(v, b1, s31);
  }
  let t00: f32 = 0,
    t01: f32 = 0,
    t10: f32 = 0,
    t11: f32 = 0,
    t20: f32 = 0,
    t21: f32 = 0,
    t30: f32 = 0,
    t31: f32 = 0;
  for (let i = d4; i < dBytes; i += 4) {
    const b0 = load<f32>(cA + i);
    const b1 = load<f32>(cB + i);
    let v = load<f32>(wRow + i);
    t00 = maddScalar(v, b0, t00);
    t01 = maddScalar(v, b1, t01);
    v = load<f32>(wRow + r1 + i);
    t10 = maddScalar(v, b0, t10);
    t11 = maddScalar(v, b1, t11);
    v = load<f32>(wRow + r2 + i);
    t20 = maddScalar(v, b0, t20);
    t21 = maddScalar(v, b1, t21);
    v = load<f32>(wRow + r3 + i);
    t30 = maddScalar(v, b0, t30);
    t31 = maddScalar(v, b1, t31);
  }
  store<f32>(dst, hsum(s00) + t00);
  if (two) store<f32>(dst, hsum(s01) + t01, 4);
  if (rows > 1) {
    store<f32>(dst + planeBytes, hsum(s10) + t10);
    if (two) store<f32>(dst + planeBytes, hsum(s11) + t11, 4);
  }
  if (rows > 2) {
    store<f32>(dst + 2 * planeBytes, hsum(s20) + t20);
    if (two) store<f32>(dst + 2 * planeBytes, hsum(s21) + t21, 4);
  }
  if (rows > 3) {
    store<f32>(dst + 3 * planeBytes, hsum(s30) + t30);
    if (two) store<f32>(dst + 3 * planeBytes, hsum(s31) + t31, 4);
  }
}

/** Convolution (float32) into output channels [c0, c1) of every group: see the top of this file. */
export function convDot(p: usize): void {
  const rank = word(p, CONV_DOT_RANK);
  const batch = word(p, CONV_DOT_BATCH);
  const groups = word(p, CONV_DOT_GROUPS);
  const inC = word(p, CONV_DOT_IN_CHANNELS);
  const outC = word(p, CONV_DOT_OUT_CHANNELS);
  const cinG = word(p, CONV_DOT_IN_CHANNELS_PER_GROUP);
  const coutG = word(p, CONV_DOT_OUT_CHANNELS_PER_GROUP);
  const x = <usize>word(p, CONV_DOT_X);
  const w = <usize>word(p, CONV_DOT_W);
  const out = <usize>word(p, CONV_DOT_OUT);
  const cols = <usize>word(p, CONV_DOT_COLS);
  const c0 = word(p, CONV_DOT_C0);
  const c1 = word(p, CONV_DOT_C1);
  let K = 1;
  let inPlane = 1;
  let outPlane = 1;
  for (let d = 0; d < rank; d++) {
    K *= axis(p, CONV_DOT_AXIS_KERNEL_SIZE, rank, d);
    inPlane *= axis(p, CONV_DOT_AXIS_INPUT_SIZE, rank, d);
    outPlane *= axis(p, CONV_DOT_AXIS_OUTPUT_SIZE, rank, d);
  }
  const depth = cinG * K;
  const depthBytes = (<usize>depth) << 2;
  const planeBytes = (<usize>outPlane) << 2;
  const inPlaneBytes = (<usize>inPlane) << 2;
  const pairs = outPlane & ~1;
  for (let n = 0; n < batch; n++) {
    for (let g = 0; g < groups; g++) {
      // colsT[o][ci·K + k]: what output position o reads, zeros outside the input
      const xg = x + ((<usize>((n * inC + g * cinG) * inPlane)) << 2);
      for (let o = 0; o < outPlane; o++) {
        const row = cols + <usize>o * depthBytes;
        for (let k = 0; k < K; k++) {
          const at = reach(p, rank, o, k);
          for (let ci = 0; ci < cinG; ci++) {
            const v = at < 0 ? <f32>0 : load<f32>(xg + <usize>ci * inPlaneBytes + ((<usize>at) << 2));
            store<f32>(row + ((<usize>(ci * K + k)) << 2), v);
          }
        }
      }
      const outBase = out + ((<usize>((n * outC + g * coutG) * outPlane)) << 2);
      for (let co = c0; co < c1; co += 4) {
        const rows = min(4, c1 - co);
        const wRow = w + ((<usize>((g * coutG + co) * depth)) << 2);
        const dst = outBase + <usize>co * planeBytes;
        if (rows === 4) {
          for (let o = 0; o < pairs; o += 2) {
            const cA = cols + <usize>o * depthBytes;
            tile(wRow, depthBytes, 4, cA, cA + depthBytes, depth, dst + ((<usize>o) << 2), planeBytes, true);
          }
          if (pairs < outPlane) {
            const cA = cols + <usize>pairs * depthBytes;
            tile(wRow, depthBytes, 4, cA, cA, depth, dst + ((<usize>pairs) << 2), planeBytes, false);
          }
        } else {
          for (let o = 0; o < pairs; o += 2) {
            const cA = cols + <usize>o * depthBytes;
            tile(
              wRow,
              depthBytes,
              rows,
              cA,
              cA + depthBytes,
              depth,
              dst + ((<usize>o) << 2),
              planeBytes,
              true,
            );
          }
          if (pairs < outPlane) {
            const cA = cols + <usize>pairs * depthBytes;
            tile(wRow, depthBytes, rows, cA, cA, depth, dst + ((<usize>pairs) << 2), planeBytes, false);
          }
        }
      }
    }
  }
}
