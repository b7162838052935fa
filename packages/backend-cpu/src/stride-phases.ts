import type { ConvTransposeGeometry, FloatArray, PhaseCombination, StridePhases } from '@tconv/core';
import { phaseCombinations, slotOffsets } from '@tconv/core';
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
 * The margined input's layout: per-axis pitch (row-major over input size + margins) and the
 * distance between channel planes, an odd number of cache lines so that one tile's reads from
 * every channel do not share an L1 set (as a power-of-two pitch would make them).
 */
function marginedLayout(g: ConvTransposeGeometry, plan: StridePhases): { pitch: number[]; padPlane: number } {
  const pitch = new Array<number>(g.rank);
  let p = 1;
  for (let a = g.rank - 1; a >= 0; a--) {
    pitch[a] = p;
    p *= g.inputSize[a]! + plan.marginBegin[a]! + plan.marginEnd[a]!;
  }
  const lines = Math.ceil(p / 8) | 0;
  return { pitch, padPlane: (lines % 2 === 0 ? lines + 1 : lines) * 8 };
}

/** Elements of the float64 margined copy of one batch item's group input that the phases need. */
export function marginedInputLength(g: ConvTransposeGeometry, plan: StridePhases): number {
  return g.inChannelsPerGroup * marginedLayout(g, plan).padPlane;
}

/**
 * Transposed convolution by stride phases (sub-pixel decomposition): for each residue of the output
 * modulo the stride, a dense correlation of the zero-margined input with the taps that reach that
 * residue, as an implicit GEMM — `out[co][j] += Σ_(tap, ci) W[ci][co][tap] · X[ci][j + shift(tap)]`
 * — register-tiled 3 output channels × 4 positions. No column buffer, no col2im, no multiplication
 * by a stride's zeros. `out` must hold the bias (or zeros): tiles add into it.
 *
 * Everything the tiles read lives in one float64 scratch buffer (one typed array in the hot loop
 * is fewer map and bounds checks under V8): the weights of a block of output channels packed per
 * phase as `[tile][tap][ci][3]` (≤ 2^18 elements), then the input of one batch item and group
 * with the phases' margins.
 */
export function convTransposePhasesImpl(
  g: ConvTransposeGeometry,
  plan: StridePhases,
  x: FloatArray,
  w: FloatArray,
  out: FloatArray,
): void {
  const r = g.rank;
  const last = r - 1;
  const K = g.kernelSize.reduce((a, b) => a * b, 1);
  const inPlane = g.inputSize.reduce((a, b) => a * b, 1);
  const outPlane = g.outputSize.reduce((a, b) => a * b, 1);
  const cinG = g.inChannelsPerGroup;
  const coutG = g.outChannelsPerGroup;

  const { pitch, padPlane } = marginedLayout(g, plan);
  const outStride = new Array<number>(r);
  let o = 1;
  for (let a = last; a >= 0; a--) {
    outStride[a] = o;
    o *= g.outputSize[a]!;
  }

  const { combinations: phases, tapCombination, tapSlot } = phaseCombinations(g, plan);
  const combos = phases.length;
  // per phase, per slot: where the slot reads in the margined input
  const shiftsOf = phases.map((ph) => slotOffsets(plan, ph.residues, 'shifts', pitch));
  const ints = intScratch(3 * K);
  const slotShift = 0; // per slot of the current phase: its input offset, filled per phase below
  const tapDest = K; // where each tap's weights go in the packed panels (per block)
  const tapTileStride = 2 * K;

  const tilesPerBlock = Math.max(1, Math.floor(PANEL_ELEMENTS / (slotStride(cinG) * K)));
  const blockChannels = Math.min(tilesPerBlock, Math.ceil(coutG / MR)) * MR;
  const panelLength = (blockChannels / MR) * slotStride(cinG) * K;
  // NR − 1 slack: the last tile of a row reads (and discards) positions past it
  const F = f64Scratch(panelLength + cinG * padPlane + NR);
  const panelBase = new Array<number>(combos).fill(0);

  for (let n = 0; n < g.batch; n++) {
    for (let group = 0; group < g.groups; group++) {
      padInput(
        g,
        plan.marginBegin,
        pitch,
        padPlane,
        x,
        (n * g.inChannels + group * cinG) * inPlane,
        F,
        panelLength,
      );
      const outGroup = (n * g.outChannels + group * coutG) * outPlane;
      for (let cb0 = 0; cb0 < coutG; cb0 += blockChannels) {
        const cb1 = Math.min(coutG, cb0 + blockChannels);
        const tiles = Math.ceil((cb1 - cb0) / MR);
        let at = 0;
        phases.forEach((ph, c) => {
          panelBase[c] = at;
          at += tiles * slotStride(cinG) * ph.taps;
        });
        for (let t = 0; t < K; t++) {
          const c = tapCombination[t]!;
          ints[tapDest + t] = panelBase[c]! + tapSlot[t]! * slotStride(cinG);
          ints[tapTileStride + t] = phases[c]!.taps * slotStride(cinG);
        }
        packWeights(w, group * cinG * coutG * K, coutG, K, cinG, cb0, cb1, ints, tapDest, tapTileStride, F);
        phases.forEach((ph, c) => {
          if (ph.taps === 0 || ph.count === 0 || ph.rows === 0) return;
          ints.set(shiftsOf[c]!, slotShift);
          for (let q = 0; q < ph.rows; q++) {
            // leading coordinates of row q → margined-input base and output base
            let rest = q;
            let xb = panelLength;
            let ob = outGroup;
            for (let a = last; a >= 0; a--) {
              const residue = ph.residues[a]!;
              const count = plan.axes[a]![residue]!.count;
              const j = a === last ? 0 : rest % count;
              rest = ((rest - j) / (a === last ? 1 : count)) | 0;
              xb += (j + plan.marginBegin[a]!) * pitch[a]!;
              ob += (residue + g.stride[a]! * j) * outStride[a]!;
            }
            // `| 0`: indices from divisions are doubles in V8's feedback unless truncated, and a
            // double index in the tile costs a conversion and check per load
            phaseRow(
              F,
              panelBase[c]!,
              ph,
              xb | 0,
              padPlane,
              ints,
              slotShift,
              cinG,
              out,
              ob | 0,
              outPlane,
              g.stride[last]!,
              cb0,
              cb1,
            );
          }
        });
      }
    }
  }
}

/** Copies one batch item's group of input channels into `F` from `base`, as float64 with zero margins. */
function padInput(
  g: ConvTransposeGeometry,
  marginBegin: readonly number[],
  pitch: readonly number[],
  padPlane: number,
  x: FloatArray,
  xBase: number,
  F: Float64Array,
  base: number,
): void {
  const last = g.rank - 1;
  const nLast = g.inputSize[last]!;
  const inPlane = g.inputSize.reduce((a, b) => a * b, 1);
  const rowsPerPlane = (inPlane / nLast) | 0;
  F.fill(0, base, base + g.inChannelsPerGroup * padPlane + NR);
  for (let ci = 0; ci < g.inChannelsPerGroup; ci++) {
    for (let q = 0; q < rowsPerPlane; q++) {
      let rest = q;
      let dst = base + ci * padPlane + marginBegin[last]!;
      for (let a = last - 1; a >= 0; a--) {
        const n = g.inputSize[a]!;
        const i = rest % n;
        rest = ((rest - i) / n) | 0;
        dst += (i + marginBegin[a]!) * pitch[a]!;
      }
      let src = xBase + ci * inPlane + q * nLast;
      for (let i = 0; i < nLast; i++) F[dst++] = x[src++]!;
    }
  }
}

/**
 * Packs output channels [cb0, cb1) of one group's weights, in one sweep over them, into every
 * phase's panel: tap `t` of channel `co` goes to `dest[t] + tile·tileStride[t] + ci·3 + m`
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
  ints: Int32Array,
  dest: number,
  tileStride: number,
  F: Float64Array,
): void {
  const tiles = Math.ceil((cb1 - cb0) / MR);
  F.fill(0, 0, tiles * slotStride(cinG) * K);
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
  ph: PhaseCombination,
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
