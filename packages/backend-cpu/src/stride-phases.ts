import type {
  ConvTransposeGeometry,
  FloatArray,
  PhaseEntry,
  PhaseLayout,
  PhaseLayoutOptions,
} from '@tconv/core';
import { product } from '@tconv/core';
import { MR, NR, phaseRow, slotStride } from './phase-tile';
import { f64Scratch, intScratch } from './scratch';

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
  const { entries, padPlane } = layout;
  const sL = g.stride[g.rank - 1]!;
  const ints = intScratch(4 * K);
  const liveShift = 0; // per live slot of the current row: its input offset, filled per row below
  const tapDest = K; // where each tap's weights go in the packed panels (per block)
  const tapTileStride = 2 * K;
  const liveSlot = 3 * K; // per live slot of the current row: its weights' offset in a tile

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
        tapDestinations(layout, tiles, slot, discard, ints, tapDest, tapTileStride);
        packWeights(w, group * cinG * coutG * K, coutG, K, cinG, cb0, cb1, ints, tapDest, tapTileStride, F);
        for (const e of entries) {
          const panel = tiles * e.slotsBefore * slot;
          for (let q = 0; q < e.rows; q++) {
            const live = liveSlots(g, layout, e, q, slot, ints, liveShift, liveSlot);
            if (live === 0) continue;
            // `| 0`: indices from divisions are doubles in V8's feedback unless truncated, and a
            // double index in the tile costs a conversion and check per load
            phaseRow(
              F,
              panel,
              e,
              (panelLength + e.rowInput[q]!) | 0,
              padPlane,
              ints,
              liveShift,
              liveSlot,
              live,
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

/**
 * The slots of entry `e` that reach the input on row `q`: a slot whose read row lies in the
 * margin on a leading axis (DCGAN's 4×4 → 8×8: one in eight) would only multiply zeros, so the
 * row skips it. Writes each live slot's input offset to
 * `ints[shiftAt …]` and its weights' offset within a tile to `ints[slotAt …]`; returns how many.
 * (Along the last axis a slot misses the input only at a row's first or last positions, inside
 * a 4-wide tile: those zeros are computed.)
 */
function liveSlots(
  g: ConvTransposeGeometry,
  layout: PhaseLayout,
  e: PhaseEntry,
  q: number,
  slot: number,
  ints: Int32Array,
  shiftAt: number,
  slotAt: number,
): number {
  const { pitch, marginBegin, marginEnd } = layout;
  let live = 0;
  for (let s = 0; s < e.taps; s++) {
    // the margined-plane position of the row's first read (its last-axis part lies within one row)
    const p = e.rowInput[q]! + e.shifts[s]!;
    let inside = true;
    for (let a = 0; a < g.rank - 1 && inside; a++) {
      const n = g.inputSize[a]!;
      const i = (Math.floor(p / pitch[a]!) % (n + marginBegin[a]! + marginEnd[a]!)) - marginBegin[a]!;
      inside = i >= 0 && i < n;
    }
    if (!inside) continue;
    ints[shiftAt + live] = e.shifts[s]!;
    ints[slotAt + live] = s * slot;
    live++;
  }
  return live;
}

/**
 * Where each tap's packed weights go for a block of `tiles` channel tiles: its entry's panel, its
 * slot there (`ints[dest + t]`), and the distance between its tiles (`ints[tileStride + t]`); a
 * tap that reaches no output goes to the discard slot with tile stride 0.
 */
function tapDestinations(
  layout: PhaseLayout,
  tiles: number,
  slot: number,
  discard: number,
  ints: Int32Array,
  dest: number,
  tileStride: number,
): void {
  const { entries, tapEntry, tapSlot } = layout;
  for (let t = 0; t < tapEntry.length; t++) {
    const e = tapEntry[t]!;
    ints[dest + t] = e < 0 ? discard : (tiles * entries[e]!.slotsBefore + tapSlot[t]!) * slot;
    ints[tileStride + t] = e < 0 ? 0 : entries[e]!.taps * slot;
  }
}

/**
 * Copies one batch item's group of input channels into `F` from `base`, as float64 with the
 * layout's zero margins, channel-major (`padPlane` apart): the tile reads four neighbouring
 * positions of a channel at literal offsets. (Position-major, which makes all five tile streams
 * unit-stride, measured 15–20 % slower: the three channel offsets held in registers spill.)
 */
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
  // zeros only between the rows (the margins): the rows are ascending and disjoint in a margined
  // plane, and filling the whole plane first doubled the writes (a batch item's planes of
  // dcgan-rgb-b8 are 0.6 MiB, past L2: the copy was 10 % of the call)
  for (let ci = 0; ci < g.inChannelsPerGroup; ci++) {
    const plane = base + ci * padPlane;
    let at = plane;
    for (let q = 0; q < inputRowOffsets.length; q++) {
      let dst = plane + inputRowOffsets[q]!;
      F.fill(0, at, dst);
      let src = xBase + ci * inPlane + q * rowLength;
      for (let i = 0; i < rowLength; i++) F[dst++] = x[src++]!;
      at = dst;
    }
    F.fill(0, at, plane + padPlane);
  }
  const end = base + g.inChannelsPerGroup * padPlane;
  F.fill(0, end, end + NR);
}

/**
 * Packs output channels [cb0, cb1) of one group's weights into every entry's panel (a tap that
 * reaches no output into the discard slot, tile stride 0): tap `t` of channel `co` goes to
 * `dest[t] + tile·tileStride[t] + ci·3 + m` (`tile`, `m`: the channel's tile and row in it).
 * Channels past `cb1` in the last tile are written as zeros, so a partial tile computes zeros
 * that it does not store. Each tap's run of a tile is written in order (one stream) while the
 * reads gather: scattering the reads' order into 16 streams of writes cost 7–9 ns per weight on
 * DCGAN's 512→256 layer, this 2.5.
 */
function packWeights(
  w: FloatArray,
  wGroup: number,
  coutG: number,
  K: number,
  cinG: number,
  cb0: number,
  cb1: number,
  ints: Int32Array,
  dest: number,
  tileStride: number,
  F: Float64Array,
): void {
  const tiles = Math.ceil((cb1 - cb0) / MR);
  const ciStride = (coutG * K) | 0;
  const K2 = (K + K) | 0;
  for (let tile = 0; tile < tiles; tile++) {
    const co = cb0 + tile * MR;
    const rows = Math.min(MR, cb1 - co);
    for (let t = 0; t < K; t++) {
      let o = (ints[dest + t]! + tile * ints[tileStride + t]!) | 0;
      let src = (wGroup + co * K + t) | 0;
      if (rows === MR) {
        for (let ci = 0; ci < cinG; ci++) {
          F[o] = w[src]!;
          F[(o + 1) | 0] = w[(src + K) | 0]!;
          F[(o + 2) | 0] = w[(src + K2) | 0]!;
          o = (o + 3) | 0;
          src = (src + ciStride) | 0;
        }
      } else {
        for (let ci = 0; ci < cinG; ci++) {
          F[o] = w[src]!;
          F[(o + 1) | 0] = rows > 1 ? w[(src + K) | 0]! : 0;
          F[(o + 2) | 0] = 0;
          o = (o + 3) | 0;
          src = (src + ciStride) | 0;
        }
      }
    }
  }
}
