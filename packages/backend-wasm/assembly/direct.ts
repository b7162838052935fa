// The direct kernels: transposed convolution as cols = Wᵀ·X and col2im, and the convolution as
// row-wise strided multiply-adds. Both read the `direct` parameter block (src/param-layout.ts).

import { gemmPanels, gemmTN, panelFloats, rowPitch } from './gemm';
import {
  DIRECT_AXIS_DILATION,
  DIRECT_AXIS_INPUT_SIZE,
  DIRECT_AXIS_KERNEL_SIZE,
  DIRECT_AXIS_OUTPUT_SIZE,
  DIRECT_AXIS_PAD_BEGIN,
  DIRECT_AXIS_STRIDE,
  DIRECT_BATCH,
  DIRECT_BIAS,
  DIRECT_C0,
  DIRECT_C1,
  DIRECT_COLS,
  DIRECT_COLS_CAPACITY,
  DIRECT_COLUMN_PANEL,
  DIRECT_GROUPS,
  DIRECT_IN_CHANNELS,
  DIRECT_IN_CHANNELS_PER_GROUP,
  DIRECT_OUT,
  DIRECT_OUT_CHANNELS,
  DIRECT_OUT_CHANNELS_PER_GROUP,
  DIRECT_PACKED,
  DIRECT_RANK,
  DIRECT_TABLE,
  DIRECT_W,
  DIRECT_WORDS,
  DIRECT_X,
} from './layout.generated';
import { fillChannels } from './output';
import { axisWord, word } from './params';
import { ceilDiv, fillTapTable, floorDiv, reachedStride, tapCoordinate } from './taps';

// @inline

function axis(p: usize, field: i32, rank: i32, a: i32): i32 {
  return axisWord(p, DIRECT_WORDS, field, rank, a);
}

/**
 * dst[i·step] += src[i] for i < n. SIMD when the destination is contiguous, and for steps 2 and 4
 * (the common upsampling strides): four sources are spread over 8 or 16 destinations with zeros
 * between, so the destinations in between are added 0 and stay as they are.
 */
// @inline
function addRow(dst: usize, step: i32, src: usize, n: i32): void {
  let i = 0;
  if (step === 1) {
    for (; i + 4 <= n; i += 4) {
      const o = dst + ((<usize>i) << 2);
      v128.store(o, f32x4.add(v128.load(o), v128.load(src + ((<usize>i) << 2))));
    }
  } else if (step === 2) {
    const zero = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      const v = v128.load(src + ((<usize>i) << 2));
      const o = dst + ((<usize>i) << 3);
      v128.store(o, f32x4.add(v128.load(o), v128.shuffle<f32>(v, zero, 0, 4, 1, 4)));
      v128.store(o, f32x4.add(v128.load(o, 16), v128.shuffle<f32>(v, zero, 2, 4, 3, 4)), 16);
    }
  } else if (step === 4) {
    const zero = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      const v = v128.load(src + ((<usize>i) << 2));
      const o = dst + ((<usize>i) << 4);
      v128.store(o, f32x4.add(v128.load(o), v128.shuffle<f32>(v, zero, 0, 4, 4, 4)));
      v128.store(o, f32x4.add(v128.load(o, 16), v128.shuffle<f32>(v, zero, 1, 4, 4, 4)), 16);
      v128.store(o, f32x4.add(v128.load(o, 32), v128.shuffle<f32>(v, zero, 2, 4, 4, 4)), 32);
      v128.store(o, f32x4.add(v128.load(o, 48), v128.shuffle<f32>(v, zero, 3, 4, 4, 4)), 48);
    }
  }
  const stepBytes = (<usize>step) << 2;
  let o = dst + <usize>i * stepBytes;
  for (; i < n; i++) {
    store<f32>(o, load<f32>(o) + load<f32>(src + ((<usize>i) << 2)));
    o += stepBytes;
  }
}

/** dst[i] = src[i·step] for i < n (the convolution's strided read into its column buffer). */
// @inline
function gatherRow(dst: usize, src: usize, step: i32, n: i32): void {
  if (step === 1) {
    memory.copy(dst, src, (<usize>n) << 2);
    return;
  }
  const stepBytes = (<usize>step) << 2;
  let s = src;
  for (let i = 0; i < n; i++) {
    store<f32>(dst + ((<usize>i) << 2), load<f32>(s));
    s += stepBytes;
  }
}

/**
 * Offset (elements) of leading position q (every axis but the last) under tap t on the side given
 * by `toField` (the output of a transposed convolution, the input of a convolution), or -1 outside.
 * `fromField` names the axis sizes q enumerates.
 */
// @inline
function leading(p: usize, rank: i32, K: i32, t: i32, q: i32, fromField: i32, toField: i32): i32 {
  const table = <usize>word(p, DIRECT_TABLE);
  let off = 0;
  let rest = q;
  for (let a = rank - 2; a >= 0; a--) {
    const n = axis(p, fromField, rank, a);
    const idx = rest % n;
    rest /= n;
    const pos =
      idx * axis(p, DIRECT_AXIS_STRIDE, rank, a) +
      tapCoordinate(table, rank, t, a) * axis(p, DIRECT_AXIS_DILATION, rank, a) -
      axis(p, DIRECT_AXIS_PAD_BEGIN, rank, a);
    if (pos < 0 || pos >= axis(p, toField, rank, a)) return -1;
    off += pos * reachedStride(table, rank, K, a);
  }
  return off;
}

/** Writes the bias (or zeros) into the output channels this call owns. */
function initOutput(p: usize, outPlane: i32): void {
  fillChannels(
    <usize>word(p, DIRECT_OUT),
    <usize>word(p, DIRECT_BIAS),
    word(p, DIRECT_BATCH),
    word(p, DIRECT_GROUPS),
    word(p, DIRECT_OUT_CHANNELS),
    word(p, DIRECT_OUT_CHANNELS_PER_GROUP),
    word(p, DIRECT_C0),
    word(p, DIRECT_C1),
    outPlane,
  );
}

/** ∏ of a per-axis field. */
function fieldProduct(p: usize, rank: i32, field: i32): i32 {
  let n = 1;
  for (let a = 0; a < rank; a++) n *= axis(p, field, rank, a);
  return n;
}

/**
 * Transposed convolution (float32): per batch item and group, cols = Wᵀ·X by {@link gemmTN}, tiled
 * over leading input positions (and, when one row of positions for every owned row of Wᵀ is over
 * the capacity, over those rows) so cols fits its capacity, then col2im along whole input rows.
 */
export function convTranspose(p: usize): void {
  const rank = word(p, DIRECT_RANK);
  const batch = word(p, DIRECT_BATCH);
  const inC = word(p, DIRECT_IN_CHANNELS);
  const outC = word(p, DIRECT_OUT_CHANNELS);
  const groups = word(p, DIRECT_GROUPS);
  const cinG = word(p, DIRECT_IN_CHANNELS_PER_GROUP);
  const coutG = word(p, DIRECT_OUT_CHANNELS_PER_GROUP);
  const x = <usize>word(p, DIRECT_X);
  const w = <usize>word(p, DIRECT_W);
  const out = <usize>word(p, DIRECT_OUT);
  const cols = <usize>word(p, DIRECT_COLS);
  const capacity = word(p, DIRECT_COLS_CAPACITY);
  const c0 = word(p, DIRECT_C0);
  const c1 = word(p, DIRECT_C1);
  const table = <usize>word(p, DIRECT_TABLE);
  const panel = <usize>word(p, DIRECT_COLUMN_PANEL);
  const K = fieldProduct(p, rank, DIRECT_AXIS_KERNEL_SIZE);
  const inPlane = fieldProduct(p, rank, DIRECT_AXIS_INPUT_SIZE);
  const outPlane = fieldProduct(p, rank, DIRECT_AXIS_OUTPUT_SIZE);
  fillTapTable(p, table, rank, K, DIRECT_WORDS, DIRECT_AXIS_KERNEL_SIZE, DIRECT_AXIS_OUTPUT_SIZE);
  initOutput(p, outPlane);
  const last = rank - 1;
  const nLast = axis(p, DIRECT_AXIS_INPUT_SIZE, rank, last);
  const LL = axis(p, DIRECT_AXIS_OUTPUT_SIZE, rank, last);
  const sL = axis(p, DIRECT_AXIS_STRIDE, rank, last);
  const dL = axis(p, DIRECT_AXIS_DILATION, rank, last);
  const pL = axis(p, DIRECT_AXIS_PAD_BEGIN, rank, last);
  const lead = inPlane / nLast;
  const M = coutG * K;
  const rowsOwned = (c1 - c0) * K;
  // rows of cols per tile (all of them unless one input row for each is over the capacity), then
  // input rows per tile; the JavaScript side guarantees capacity ≥ nLast
  const rowTile = rowsOwned * nLast <= capacity ? rowsOwned : max(1, capacity / nLast);
  const qTile = rowTile === rowsOwned ? min(lead, max(1, capacity / (rowsOwned * nLast))) : 1;
  for (let n = 0; n < batch; n++) {
    for (let g = 0; g < groups; g++) {
      const xBase = x + ((<usize>((n * inC + g * cinG) * inPlane)) << 2);
      const wBase = w + ((<usize>(g * cinG * M + c0 * K)) << 2);
      const outBase = out + ((<usize>((n * outC + g * coutG) * outPlane)) << 2);
      for (let q0 = 0; q0 < lead; q0 += qTile) {
        const q1 = min(lead, q0 + qTile);
        const T = (q1 - q0) * nLast;
        for (let r0 = 0; r0 < rowsOwned; r0 += rowTile) {
          const r1 = min(rowsOwned, r0 + rowTile);
          const xq = xBase + ((<usize>(q0 * nLast)) << 2);
          gemmTN(wBase + ((<usize>r0) << 2), M, xq, inPlane, cols, T, r1 - r0, T, cinG, false, panel);
          for (let row = r0; row < r1; row++) {
            const t = row % K;
            const cog = c0 + row / K;
            const offL = tapCoordinate(table, rank, t, last) * dL - pL;
            const lo = max(0, ceilDiv(-offL, sL));
            const hi = min(nLast, floorDiv(LL - 1 - offL, sL) + 1);
            if (lo >= hi) continue;
            const chan = outBase + ((<usize>(cog * outPlane)) << 2);
            const src = cols + ((<usize>((row - r0) * T + lo)) << 2);
            for (let q = q0; q < q1; q++) {
              const lo2 = leading(p, rank, K, t, q, DIRECT_AXIS_INPUT_SIZE, DIRECT_AXIS_OUTPUT_SIZE);
              if (lo2 < 0) continue;
              addRow(
                chan + ((<usize>(lo2 + offL + lo * sL)) << 2),
                sL,
                src + ((<usize>((q - q0) * nLast)) << 2),
                hi - lo,
              );
            }
          }
        }
      }
    }
  }
}

/**
 * Convolution (float32) as a GEMM: per group, the part's weights packed once into `packed` as
 * panels of 4 output channels ([depth][4] each, {@link gemmPanels}); per batch item and chunk of whole output rows, the input's reads under every
 * (input channel, tap) gathered into the column buffer ([cinG·K][positions], zeros outside); then
 * out += packedᵀ·cols, its 4×8 tiles writing whole output rows.
 */
export function conv(p: usize): void {
  const rank = word(p, DIRECT_RANK);
  const batch = word(p, DIRECT_BATCH);
  const inC = word(p, DIRECT_IN_CHANNELS);
  const outC = word(p, DIRECT_OUT_CHANNELS);
  const groups = word(p, DIRECT_GROUPS);
  const cinG = word(p, DIRECT_IN_CHANNELS_PER_GROUP);
  const coutG = word(p, DIRECT_OUT_CHANNELS_PER_GROUP);
  const x = <usize>word(p, DIRECT_X);
  const w = <usize>word(p, DIRECT_W);
  const out = <usize>word(p, DIRECT_OUT);
  const cols = <usize>word(p, DIRECT_COLS);
  const capacity = word(p, DIRECT_COLS_CAPACITY);
  const packed = <usize>word(p, DIRECT_PACKED);
  const c0 = word(p, DIRECT_C0);
  const c1 = word(p, DIRECT_C1);
  const table = <usize>word(p, DIRECT_TABLE);
  const K = fieldProduct(p, rank, DIRECT_AXIS_KERNEL_SIZE);
  const inPlane = fieldProduct(p, rank, DIRECT_AXIS_INPUT_SIZE);
  const outPlane = fieldProduct(p, rank, DIRECT_AXIS_OUTPUT_SIZE);
  fillTapTable(p, table, rank, K, DIRECT_WORDS, DIRECT_AXIS_KERNEL_SIZE, DIRECT_AXIS_INPUT_SIZE);
  initOutput(p, outPlane);
  const last = rank - 1;
  const nLast = axis(p, DIRECT_AXIS_INPUT_SIZE, rank, last);
  const LL = axis(p, DIRECT_AXIS_OUTPUT_SIZE, rank, last);
  const sL = axis(p, DIRECT_AXIS_STRIDE, rank, last);
  const dL = axis(p, DIRECT_AXIS_DILATION, rank, last);
  const pL = axis(p, DIRECT_AXIS_PAD_BEGIN, rank, last);
  const lead = outPlane / LL;
  const depth = cinG * K;
  const owned = c1 - c0;
  // whole output rows per chunk; the JavaScript side guarantees capacity ≥ depth · LL and leaves
  // depth · ROW_PITCH_SLACK more for the rows' padding
  const rowsPerChunk = min(lead, max(1, capacity / (depth * LL)));
  const rowBytes = (<usize>LL) << 2;
  for (let g = 0; g < groups; g++) {
    // the part's weights as panels of 4 output channels, [depth][4] each, zeros past c1
    const panels = (owned + 3) >> 2;
    memory.fill(packed, 0, (<usize>(panels * panelFloats(depth))) << 2);
    for (let co = c0; co < c1; co++) {
      const src = w + ((<usize>((g * coutG + co) * depth)) << 2);
      const lane = co - c0;
      const dst =
        packed + <usize>(lane >> 2) * ((<usize>panelFloats(depth)) << 2) + ((<usize>(lane & 3)) << 2);
      for (let r = 0; r < depth; r++) {
        store<f32>(dst + ((<usize>r) << 4), load<f32>(src + ((<usize>r) << 2)));
      }
    }
    for (let n = 0; n < batch; n++) {
      const xGroup = x + ((<usize>((n * inC + g * cinG) * inPlane)) << 2);
      const outBase = out + ((<usize>((n * outC + g * coutG + c0) * outPlane)) << 2);
      for (let q0 = 0; q0 < lead; q0 += rowsPerChunk) {
        const q1 = min(lead, q0 + rowsPerChunk);
        const T = (q1 - q0) * LL;
        const pitch = rowPitch(T);
        for (let t = 0; t < K; t++) {
          const offL = tapCoordinate(table, rank, t, last) * dL - pL;
          const lo = min(LL, max(0, ceilDiv(-offL, sL)));
          const hi = max(lo, min(LL, floorDiv(nLast - 1 - offL, sL) + 1));
          for (let q = q0; q < q1; q++) {
            const inOff = leading(p, rank, K, t, q, DIRECT_AXIS_OUTPUT_SIZE, DIRECT_AXIS_INPUT_SIZE);
            for (let ci = 0; ci < cinG; ci++) {
              const dst = cols + ((<usize>((ci * K + t) * pitch + (q - q0) * LL)) << 2);
              if (inOff < 0 || lo >= hi) {
                memory.fill(dst, 0, rowBytes);
                continue;
              }
              if (lo > 0) memory.fill(dst, 0, (<usize>lo) << 2);
              const src = xGroup + ((<usize>(ci * inPlane + inOff + offL + lo * sL)) << 2);
              gatherRow(dst + ((<usize>lo) << 2), src, sL, hi - lo);
              if (hi < LL) memory.fill(dst + ((<usize>hi) << 2), 0, (<usize>(LL - hi)) << 2);
            }
          }
        }
        gemmPanels(packed, cols, pitch, outBase + ((<usize>(q0 * LL)) << 2), outPlane, owned, T, depth, true);
      }
    }
  }
}
