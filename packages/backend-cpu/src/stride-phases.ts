import type {
  ConvTransposeGeometry,
  FloatArray,
  PhaseEntry,
  PhaseLayout,
  PhaseLayoutOptions,
} from '@tconv/core';
import { product } from '@tconv/core';
import { f64Scratch, intScratch } from './scratch';

/** Output channels per register tile (the kernel's literal 3). */
const MR = 3;
/** Output positions (along the last axis of one phase) per register tile (the kernel's literal 4). */
const NR = 4;
/** Input channels per pass, so one tile's input reads stay in L1 across the channel tiles. */
const CHANNEL_BLOCK = 128;
/**
 * Elements between the packed weights of one tap and the next within a tile: 3·cinG plus one
 * cache line, so the taps' streams (written together when packing, read together by a tile) do
 * not fall in one L1 set when 24·cinG bytes is a multiple of 4 KiB.
 */
const slotStride = (cinG: number): number => cinG * MR + 8;

/** Packed weights per block of output channels, in elements (2 MiB of float64): stays in L2. */
const PANEL_ELEMENTS = 1 << 18;

/**
 * The CPU's options of core's stride-phase layout: float64 elements, 8 to a 64-byte cache line
 * (channel planes of the margined input an odd number of lines apart).
 */
export const CPU_PHASE_LAYOUT: PhaseLayoutOptions = { lineElements: 8 };

/**
 * Transposed convolution by stride phases (sub-pixel decomposition), executing core's
 * `phaseLayout`: for each entry (a residue combination of the output), a dense correlation of
 * the zero-margined input with the taps that reach it, as an implicit GEMM —
 * `out[co][j] += Σ_(slot, ci) W[ci][co][tap] · X[ci][j + shift(slot)]` — register-tiled 3 output
 * channels × 4 positions. No column buffer, no col2im, no multiplication by a stride's zeros.
 * `out` must hold the bias (or zeros): tiles add into it.
 *
 * Everything the tiles read lives in one float64 scratch buffer (one typed array in the hot loop
 * is fewer map and bounds checks under V8): the weights of a block of output channels packed per
 * entry as `[tile][slot][ci][3]` (≤ 2^18 elements), a discard slot for taps that reach no output,
 * then the input of one batch item and group with the layout's margins.
 * @param layout - `phaseLayout(g, CPU_PHASE_LAYOUT)`
 */
export function convTransposePhasesImpl(
  g: ConvTransposeGeometry,
  layout: PhaseLayout,
  x: FloatArray,
  w: FloatArray,
  out: FloatArray,
): void {
  const K = product(g.kernelSize);
  const inPlane = product(g.inputSize);
  const outPlane = product(g.outputSize);
  const cinG = g.inChannelsPerGroup;
  const coutG = g.outChannelsPerGroup;
  const { entries, padPlane, tapEntry, tapSlot } = layout;
  const sL = g.stride[g.rank - 1]!;
  const ints = intScratch(3 * K);
  const slotShift = 0; // per slot of the current entry: its input offset, filled per entry below
  const tapDest = K; // where each tap's weights go in the packed panels (per block)
  const tapTileStride = 2 * K;

  const slot = slotStride(cinG);
  const tilesPerBlock = Math.max(1, Math.floor(PANEL_ELEMENTS / (slot * Math.max(1, layout.slots))));
  const blockChannels = Math.min(tilesPerBlock, Math.ceil(coutG / MR)) * MR;
  // the panels, then one slot where the weights of taps that reach no output are discarded
  const discard = (blockChannels / MR) * slot * layout.slots;
  const panelLength = discard + slot;
  // NR − 1 slack: the last tile of a row reads (and discards) positions past it
  const F = f64Scratch(panelLength + cinG * padPlane + NR);

  for (let n = 0; n < g.batch; n++) {
    for (let group = 0; group < g.groups; group++) {
      padInput(g, layout, x, (n * g.inChannels + group * cinG) * inPlane, F, panelLength);
      const outGroup = (n * g.outChannels + group * coutG) * outPlane;
      for (let cb0 = 0; cb0 < coutG; cb0 += blockChannels) {
        const cb1 = Math.min(coutG, cb0 + blockChannels);
        const tiles = Math.ceil((cb1 - cb0) / MR);
        for (let t = 0; t < K; t++) {
          const e = tapEntry[t]!;
          ints[tapDest + t] = e < 0 ? discard : (tiles * entries[e]!.slotsBefore + tapSlot[t]!) * slot;
          ints[tapTileStride + t] = e < 0 ? 0 : entries[e]!.taps * slot;
        }
        packWeights(
          w,
          group * cinG * coutG * K,
          coutG,
          K,
          cinG,
          cb0,
          cb1,
          layout.slots,
          ints,
          tapDest,
          tapTileStride,
          F,
        );
        for (const e of entries) {
          const panel = tiles * e.slotsBefore * slot;
          ints.set(e.shifts, slotShift);
          for (let q = 0; q < e.rows; q++) {
            // `| 0`: indices from divisions are doubles in V8's feedback unless truncated, and a
            // double index in the tile costs a conversion and check per load
            phaseRow(
              F,
              panel,
              e,
              (panelLength + e.rowInput[q]!) | 0,
              padPlane,
              ints,
              slotShift,
              cinG,
              out,
              (outGroup + e.rowOutput[q]!) | 0,
              outPlane,
              sL,
              cb0,
              cb1,
            );
          }
        }
      }
    }
  }
}

/** Copies one batch item's group of input channels into `F` from `base`, as float64 with the layout's zero margins. */
function padInput(
  g: ConvTransposeGeometry,
  layout: PhaseLayout,
  x: FloatArray,
  xBase: number,
  F: Float64Array,
  base: number,
): void {
  const { padPlane, inputRowOffsets, rowLength } = layout;
  const inPlane = inputRowOffsets.length * rowLength;
  F.fill(0, base, base + g.inChannelsPerGroup * padPlane + NR);
  for (let ci = 0; ci < g.inChannelsPerGroup; ci++) {
    for (let q = 0; q < inputRowOffsets.length; q++) {
      let dst = base + ci * padPlane + inputRowOffsets[q]!;
      let src = xBase + ci * inPlane + q * rowLength;
      for (let i = 0; i < rowLength; i++) F[dst++] = x[src++]!;
    }
  }
}

/**
 * Packs output channels [cb0, cb1) of one group's weights, in one sweep over them, into every
 * entry's panel (a tap that reaches no output into the discard slot, tile stride 0): tap `t` of channel `co` goes to `dest[t] + tile·tileStride[t] + ci·3 + m`
 * (`tile`, `m`: the channel's tile and row in it). Channels past `cb1` in the last tile are zero,
 * so a partial tile computes zeros that it does not store.
 */
function packWeights(
  w: FloatArray,
  wGroup: number,
  coutG: number,
  K: number,
  cinG: number,
  cb0: number,
  cb1: number,
  slots: number,
  ints: Int32Array,
  dest: number,
  tileStride: number,
  F: Float64Array,
): void {
  const tiles = Math.ceil((cb1 - cb0) / MR);
  F.fill(0, 0, tiles * slotStride(cinG) * slots);
  // tile by tile, so the writes go to one tile's few streams (one per tap) at a time
  for (let tile = 0; tile < tiles; tile++) {
    const rows = Math.min(MR, cb1 - cb0 - tile * MR);
    for (let ci = 0; ci < cinG; ci++) {
      let src = wGroup + (ci * coutG + cb0 + tile * MR) * K;
      for (let m = 0; m < rows; m++) {
        const at = ci * MR + m;
        for (let t = 0; t < K; t++) F[ints[dest + t]! + tile * ints[tileStride + t]! + at] = w[src++]!;
      }
    }
  }
}

/**
 * Every tile of one output row of a phase: input channels in blocks of {@link CHANNEL_BLOCK}, then
 * 4 positions at a time across all channel tiles of the block, so those positions' input reads
 * stay in L1. Kept apart from the setup so that V8 inlines the tile into a loop with few live values.
 */
function phaseRow(
  F: Float64Array,
  panel: number,
  ph: PhaseEntry,
  xb: number,
  padPlane: number,
  ints: Int32Array,
  shifts: number,
  cinG: number,
  out: FloatArray,
  ob: number,
  outPlane: number,
  sL: number,
  cb0: number,
  cb1: number,
): void {
  const taps = ph.taps;
  const count = ph.count;
  const tileElements = taps * slotStride(cinG);
  for (let c0 = 0; c0 < cinG; c0 += CHANNEL_BLOCK) {
    const c1 = Math.min(cinG, c0 + CHANNEL_BLOCK);
    for (let j0 = 0; j0 < count; j0 += NR) {
      const cols = Math.min(NR, count - j0);
      for (let co = cb0; co < cb1; co += MR) {
        tileKernel(
          F,
          panel + (((co - cb0) / MR) | 0) * tileElements,
          xb + j0 + c0 * padPlane,
          padPlane,
          ints,
          shifts,
          taps,
          c0,
          c1 - c0,
          cinG,
          out,
          ob + co * outPlane + j0 * sL,
          outPlane,
          sL,
          Math.min(MR, cb1 - co),
          cols,
        );
      }
    }
  }
}

/**
 * One 3 × 4 register tile: twelve float64 accumulators over `taps` × `channels` (input channels
 * c0… of each tap), then `out[o + m·outPlane + l·sL] += c[m][l]` for the `rows` × `cols` that
 * exist. 3 × 4 keeps accumulators and operands in registers under V8 (4 × 4 spills).
 */
function tileKernel(
  F: Float64Array,
  panel: number,
  xb: number,
  padPlane: number,
  ints: Int32Array,
  shifts: number,
  taps: number,
  c0: number,
  channels: number,
  cinG: number,
  out: FloatArray,
  o: number,
  outPlane: number,
  sL: number,
  rows: number,
  cols: number,
): void {
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
  for (let t = 0; t < taps; t++) {
    let xi = xb + ints[shifts + t]!;
    let pa = panel + t * (cinG * 3 + 8) + c0 * 3; // slotStride(cinG), inlined for V8
    for (let c = 0; c < channels; c++) {
      const a0 = F[pa]!;
      const a1 = F[pa + 1]!;
      const a2 = F[pa + 2]!;
      const b0 = F[xi]!;
      const b1 = F[xi + 1]!;
      const b2 = F[xi + 2]!;
      const b3 = F[xi + 3]!;
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
      // literals, not MR: a module constant is a context load and hole check per iteration
      pa += 3;
      xi += padPlane;
    }
  }
  addRow(out, o, sL, cols, c00, c01, c02, c03);
  if (rows > 1) addRow(out, o + outPlane, sL, cols, c10, c11, c12, c13);
  if (rows > 2) addRow(out, o + 2 * outPlane, sL, cols, c20, c21, c22, c23);
}

/** `out[o + l·sL] += v_l` for the first `cols` of four values. */
function addRow(
  out: FloatArray,
  o: number,
  sL: number,
  cols: number,
  v0: number,
  v1: number,
  v2: number,
  v3: number,
): void {
  out[o]! += v0;
  if (cols > 1) out[o + sL]! += v1;
  if (cols > 2) out[o + 2 * sL]! += v2;
  if (cols > 3) out[o + 3 * sL]! += v3;
}
