// Transposed convolution by stride phases (float32, 128-bit SIMD). The JavaScript side takes the
// phase plan from @tconv/core (phaseLayout) and writes it as tables; this file only copies,
// packs and multiplies.
//
// For each residue combination of the output modulo the stride, every output of one phase row is
// out[co][j] += Σ_(tap, ci) W[ci][co][tap] · X[ci][j + shift(tap)], read from a zero-margined copy
// of the input so no read needs a bounds test. Tiles are 4 output channels × 8 positions (two f32x4
// per channel), the weights packed per phase as [tile][tap][ci][4] so the splats load at constant
// offsets. 4 × 8 keeps its 8 accumulators, 2 input vectors, the splat and the product in V8's 15
// vector registers: measured 42 GFLOP/s against 26 for 6 × 8, which spills four accumulators.
//
// The parameter block is `phases` in src/param-layout.ts (word indices in layout.generated.ts):
// the operands, the channel range of this part, the margined input and packed panel buffers, and
// byte offsets (from the block) of its tables — per tap `tapInfo` entries, per phase `phaseEntry`
// entries with their shifts, rows and kernel offsets, per input row its margined offset.

import {
  MARGIN_SLACK,
  PANEL_TAP_PADDING,
  PANEL_TILE_CHANNELS,
  PHASES_BATCH,
  PHASES_BLOCK_CHANNELS,
  PHASES_C0,
  PHASES_C1,
  PHASES_DEST,
  PHASES_GROUPS,
  PHASES_IN_CHANNELS_PER_GROUP,
  PHASES_LAST_STRIDE,
  PHASES_OUT,
  PHASES_OUT_CHANNELS,
  PHASES_OUT_CHANNELS_PER_GROUP,
  PHASES_OUT_PLANE,
  PHASES_PADDED,
  PHASES_PAD_PLANE,
  PHASES_PANEL,
  PHASES_PHASE_COUNT,
  PHASES_PHASE_TABLE,
  PHASES_TAPS,
  PHASES_TAP_INFO,
  PHASES_W,
  PHASE_ENTRY_BEFORE,
  PHASE_ENTRY_BYTES,
  PHASE_ENTRY_COUNT,
  PHASE_ENTRY_ROWS,
  PHASE_ENTRY_ROW_TABLE,
  PHASE_ENTRY_SHIFTS,
  PHASE_ENTRY_TAPS,
  TAP_INFO_BEFORE,
  TAP_INFO_BYTES,
  TAP_INFO_PHASE_TAPS,
  TAP_INFO_SLOT,
} from './layout.generated';
import { madd } from './simd';
import { entryWord, word } from './params';
import { addLanes, fillOutput, padInput } from './phase-common';

/** Output channels per tile (and per packed row of the panels). */
const MR: i32 = PANEL_TILE_CHANNELS;
/**
 * Bytes between the packed weights of one tap and the next within a tile: the tap's 4 × cinG
 * floats plus one cache line, so that the taps' streams (written together when packing, read
 * together by a tile) do not all fall in one L1 set when 16·cinG is a multiple of 4 KiB.
 */
// @inline
function slotBytes(cinG: i32): usize {
  return (<usize>(cinG * MR + PANEL_TAP_PADDING)) << 2;
}

/**
 * Input channels per pass of a tile, at least: the tile's input reads stay in L1 across the channel
 * tiles. A phase with few taps takes more channels per pass, up to {@link TAP_CHANNELS} (tap,
 * channel) pairs, the same L1 footprint: a U-Net k2 s2 layer's single-tap phases then add their
 * 256 channels into the output in one pass instead of two.
 */
const CHANNEL_BLOCK: i32 = 128;
/** (tap, input channel) pairs per pass of a tile, when that is more than {@link CHANNEL_BLOCK} channels. */
const TAP_CHANNELS: i32 = 512;

/** Adds 4·NV accumulated positions of one output channel: whole vectors when contiguous and complete. */
// @inline
function addRow(NV: i32, o: usize, stepBytes: usize, v0: v128, v1: v128, cols: i32): void {
  if (stepBytes === 4 && cols === 4 * NV) {
    v128.store(o, f32x4.add(v128.load(o), v0));
    if (NV > 1) v128.store(o, f32x4.add(v128.load(o, 16), v1), 16);
    return;
  }
  addLanes(o, stepBytes, v0, min(cols, 4));
  if (NV > 1 && cols > 4) addLanes(o + 4 * stepBytes, stepBytes, v1, cols - 4);
}

/**
 * One tile of up to 4 output channels × 8 or 4 positions: for each tap, its input channels
 * [cc0, cc0 + chans) from the margined input, weights from the packed panel; then adds the
 * `rows` × `cols` that exist into the output. The shape comes from the type arguments, decided at
 * compile time so each instance is straight-line code (constant arguments of an inlined function
 * were not folded out of the inner loop): `Rows` u8, u16, f32, u32 for 1, 2, 3, 4 channels;
 * `Vecs` u8, u16 for one or two vectors of positions.
 */
function tile<Rows, Vecs>(
  panel: usize,
  tapStride: usize,
  xb: usize,
  shifts: usize,
  taps: i32,
  chans: i32,
  planeBytes: usize,
  o: usize,
  outPlaneBytes: usize,
  stepBytes: usize,
  cols: i32,
): void {
  const R: i32 = isFloat<Rows>() ? 3 : sizeof<Rows>();
  const NV: i32 = sizeof<Vecs>();
  const zero = f32x4.splat(0);
  let c00 = zero,
    c01 = zero,
    c10 = zero,
    c11 = zero,
    c20 = zero,
    c21 = zero,
    c30 = zero,
    c31 = zero;
  for (let t = 0; t < taps; t++) {
    let pa = panel + <usize>t * tapStride;
    let pb = xb + ((<usize>load<i32>(shifts + ((<usize>t) << 2))) << 2);
    for (let c = 0; c < chans; c++) {
      const b0 = v128.load(pb);
      const b1 = NV > 1 ? v128.load(pb, 16) : zero;
      let a = v128.load32_splat(pa);
      c00 = madd(a, b0, c00);
      if (NV > 1) c01 = madd(a, b1, c01);
      if (R > 1) {
        a = v128.load32_splat(pa, 4);
        c10 = madd(a, b0, c10);
        if (NV > 1) c11 = madd(a, b1, c11);
      }
      if (R > 2) {
        a = v128.load32_splat(pa, 8);
        c20 = madd(a, b0, c20);
        if (NV > 1) c21 = madd(a, b1, c21);
      }
      if (R > 3) {
        a = v128.load32_splat(pa, 12);
        c30 = madd(a, b0, c30);
        if (NV > 1) c31 = madd(a, b1, c31);
      }
      pa += <usize>(MR << 2);
      pb += planeBytes;
    }
  }
  addRow(NV, o, stepBytes, c00, c01, cols);
  if (R > 1) addRow(NV, o + outPlaneBytes, stepBytes, c10, c11, cols);
  if (R > 2) addRow(NV, o + 2 * outPlaneBytes, stepBytes, c20, c21, cols);
  if (R > 3) addRow(NV, o + 3 * outPlaneBytes, stepBytes, c30, c31, cols);
}

/** One tile of `rows` (1–4) channels: the instance of {@link tile} for that shape. */
// @inline
function tileRows<Vecs>(
  rows: i32,
  pa: usize,
  tapStride: usize,
  pb: usize,
  shifts: usize,
  taps: i32,
  chans: i32,
  planeBytes: usize,
  o: usize,
  outPlaneBytes: usize,
  stepBytes: usize,
  cols: i32,
): void {
  if (rows === 4)
    tile<u32, Vecs>(pa, tapStride, pb, shifts, taps, chans, planeBytes, o, outPlaneBytes, stepBytes, cols);
  else if (rows === 3)
    tile<f32, Vecs>(pa, tapStride, pb, shifts, taps, chans, planeBytes, o, outPlaneBytes, stepBytes, cols);
  else if (rows === 2)
    tile<u16, Vecs>(pa, tapStride, pb, shifts, taps, chans, planeBytes, o, outPlaneBytes, stepBytes, cols);
  else tile<u8, Vecs>(pa, tapStride, pb, shifts, taps, chans, planeBytes, o, outPlaneBytes, stepBytes, cols);
}

/**
 * Every tile of one output row of a phase: input channels in blocks, then 8 positions at a time
 * across all the channel tiles of the block (so those positions' reads stay in L1).
 */
function phaseRow(
  panel: usize,
  cinG: i32,
  taps: i32,
  xb: usize,
  padPlane: i32,
  shifts: usize,
  count: i32,
  o: usize,
  outPlane: i32,
  sL: i32,
  channels: i32,
): void {
  const tapStride = slotBytes(cinG);
  const tileBytes = <usize>taps * tapStride;
  const planeBytes = (<usize>padPlane) << 2;
  const outPlaneBytes = (<usize>outPlane) << 2;
  const stepBytes = (<usize>sL) << 2;
  const block = max(CHANNEL_BLOCK, TAP_CHANNELS / taps);
  for (let cc0 = 0; cc0 < cinG; cc0 += block) {
    const chans = min(block, cinG - cc0);
    const pa0 = panel + ((<usize>(cc0 * MR)) << 2);
    const pb0 = xb + <usize>cc0 * planeBytes;
    for (let j0 = 0; j0 < count; j0 += 8) {
      const cols = min(8, count - j0);
      const pb = pb0 + ((<usize>j0) << 2);
      const oj = o + <usize>j0 * stepBytes;
      let tileIndex = 0;
      for (let co = 0; co < channels; co += MR) {
        const rows = min(MR, channels - co);
        const pa = pa0 + <usize>tileIndex * tileBytes;
        const oc = oj + <usize>co * outPlaneBytes;
        if (cols > 4)
          tileRows<u16>(
            rows,
            pa,
            tapStride,
            pb,
            shifts,
            taps,
            chans,
            planeBytes,
            oc,
            outPlaneBytes,
            stepBytes,
            cols,
          );
        else
          tileRows<u8>(
            rows,
            pa,
            tapStride,
            pb,
            shifts,
            taps,
            chans,
            planeBytes,
            oc,
            outPlaneBytes,
            stepBytes,
            cols,
          );
        tileIndex++;
      }
    }
  }
}

/**
 * Packs output channels [cb0, cb1) of group g into the panels of every phase, phase after phase,
 * each as [tile][slot][ci][4]; channels past cb1 in the last tile are zero. Reads the weights in
 * order; per block, each tap's destination and per-tile step are computed once into `dest`.
 */
function packWeights(p: usize, g: i32, cb0: i32, cb1: i32, dest: usize): void {
  const cinG = word(p, PHASES_IN_CHANNELS_PER_GROUP);
  const coutG = word(p, PHASES_OUT_CHANNELS_PER_GROUP);
  const w = <usize>word(p, PHASES_W);
  const K = word(p, PHASES_TAPS);
  const panel = <usize>word(p, PHASES_PANEL);
  const tapInfo = p + <usize>word(p, PHASES_TAP_INFO);
  const tiles = (cb1 - cb0 + MR - 1) / MR;
  for (let t = 0; t < K; t++) {
    const info = tapInfo + <usize>(t * TAP_INFO_BYTES);
    const depthBytes = <i32>slotBytes(cinG);
    store<i32>(
      dest + ((<usize>t) << 3),
      (tiles * entryWord(info, TAP_INFO_BEFORE) + entryWord(info, TAP_INFO_SLOT)) * depthBytes,
    );
    store<i32>(dest + ((<usize>t) << 3), entryWord(info, TAP_INFO_PHASE_TAPS) * depthBytes, 4);
  }
  // no zero fill: a tile of fewer than 4 channels never reads the rows it lacks, and nothing reads
  // the padding between taps
  for (let tile = 0; tile < tiles; tile++) {
    const rows = min(MR, cb1 - cb0 - tile * MR);
    for (let ci = 0; ci < cinG; ci++) {
      const src = w + ((<usize>(((g * cinG + ci) * coutG + cb0 + tile * MR) * K)) << 2);
      const at = panel + ((<usize>(ci * MR)) << 2);
      let t = 0;
      if (rows === MR) {
        // 4 taps × the tile's 4 rows at a time: the 4×4 block transposed, one vector per tap
        const rowBytes = (<usize>K) << 2;
        for (; t + 4 <= K; t += 4) {
          const s = src + ((<usize>t) << 2);
          const r0 = v128.load(s);
          const r1 = v128.load(s + rowBytes);
          const r2 = v128.load(s + 2 * rowBytes);
          const r3 = v128.load(s + 3 * rowBytes);
          const lo01 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
          const lo23 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
          const hi01 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
          const hi23 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
          v128.store(tapSlot(dest, t, tile, at), v128.shuffle<f32>(lo01, lo23, 0, 1, 4, 5));
          v128.store(tapSlot(dest, t + 1, tile, at), v128.shuffle<f32>(lo01, lo23, 2, 3, 6, 7));
          v128.store(tapSlot(dest, t + 2, tile, at), v128.shuffle<f32>(hi01, hi23, 0, 1, 4, 5));
          v128.store(tapSlot(dest, t + 3, tile, at), v128.shuffle<f32>(hi01, hi23, 2, 3, 6, 7));
        }
      }
      for (; t < K; t++) {
        const o = tapSlot(dest, t, tile, at);
        for (let m = 0; m < rows; m++) {
          store<f32>(o + ((<usize>m) << 2), load<f32>(src + ((<usize>(m * K + t)) << 2)));
        }
      }
    }
  }
}

/** Where tap t's 4 weights of one input channel go in a tile's panel (`at`: the channel's offset). */
// @inline
function tapSlot(dest: usize, t: i32, tile: i32, at: usize): usize {
  const d = dest + ((<usize>t) << 3);
  return at + <usize>load<i32>(d) + <usize>tile * <usize>load<i32>(d, 4);
}

/** Transposed convolution (float32) by stride phases: see the parameter block above. */
export function convTransposePhases(p: usize): void {
  const batch = word(p, PHASES_BATCH);
  const groups = word(p, PHASES_GROUPS);
  const outC = word(p, PHASES_OUT_CHANNELS);
  const cinG = word(p, PHASES_IN_CHANNELS_PER_GROUP);
  const coutG = word(p, PHASES_OUT_CHANNELS_PER_GROUP);
  const out = <usize>word(p, PHASES_OUT);
  const outPlane = word(p, PHASES_OUT_PLANE);
  const c0 = word(p, PHASES_C0);
  const c1 = word(p, PHASES_C1);
  const padded = <usize>word(p, PHASES_PADDED);
  const padPlane = word(p, PHASES_PAD_PLANE);
  const panel = <usize>word(p, PHASES_PANEL);
  const blockChannels = word(p, PHASES_BLOCK_CHANNELS);
  const phaseCount = word(p, PHASES_PHASE_COUNT);
  const phaseTable = p + <usize>word(p, PHASES_PHASE_TABLE);
  const sL = word(p, PHASES_LAST_STRIDE);
  const dest = p + <usize>word(p, PHASES_DEST);
  // one batch item's margined input, with its slack
  const itemBytes = (<usize>(cinG * padPlane + MARGIN_SLACK)) << 2;
  fillOutput(p);
  for (let g = 0; g < groups; g++) {
    // every batch item first, so each block of weights is packed once per group
    for (let n = 0; n < batch; n++) padInput(p, n, g, padded + <usize>n * itemBytes);
    for (let cb0 = c0; cb0 < c1; cb0 += blockChannels) {
      const cb1 = min(c1, cb0 + blockChannels);
      const tiles = (cb1 - cb0 + MR - 1) / MR;
      packWeights(p, g, cb0, cb1, dest);
      for (let n = 0; n < batch; n++) {
        const outGroup = out + ((<usize>((n * outC + g * coutG) * outPlane)) << 2);
        const item = padded + <usize>n * itemBytes;
        for (let f = 0; f < phaseCount; f++) {
          const entry = phaseTable + <usize>(f * PHASE_ENTRY_BYTES);
          const count = entryWord(entry, PHASE_ENTRY_COUNT);
          const rows = entryWord(entry, PHASE_ENTRY_ROWS);
          const taps = entryWord(entry, PHASE_ENTRY_TAPS);
          const before = entryWord(entry, PHASE_ENTRY_BEFORE);
          const shifts = p + <usize>entryWord(entry, PHASE_ENTRY_SHIFTS);
          const rowTable = p + <usize>entryWord(entry, PHASE_ENTRY_ROW_TABLE);
          const phasePanel = panel + <usize>(tiles * before) * slotBytes(cinG);
          const oc = outGroup + ((<usize>(cb0 * outPlane)) << 2);
          for (let q = 0; q < rows; q++) {
            const xb = item + ((<usize>load<i32>(rowTable + ((<usize>q) << 3))) << 2);
            const ob = oc + ((<usize>load<i32>(rowTable + ((<usize>q) << 3), 4)) << 2);
            phaseRow(phasePanel, cinG, taps, xb, padPlane, shifts, count, ob, outPlane, sL, cb1 - cb0);
          }
        }
      }
    }
  }
}
