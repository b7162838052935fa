import type { ConvTransposeGeometry, FloatArray } from '@tconv/core';
import { fillBias, phaseLayout, product, recomputeNonFinite } from '@tconv/core';
import type { TapRowTileCode } from './gemm';
import { gemmTN, gemmTNTapRows } from './gemm';
import type { ConvTransposeKernel } from './kernel-choice';
import { chooseConvTransposeKernel } from './kernel-choice';
import { byteScratch, SCRATCH_ELEMENTS, scratch } from './scratch';
import { CPU_PHASE_LAYOUT, convTransposePhasesImpl } from './stride-phases';
import { rowEnd, rowStart, tapTable } from './taps';

/**
 * The fast transposed convolution on a resolved geometry with the given kernel (by default the
 * one `chooseConvTransposeKernel` picks). The GEMM runs per batch item and group over the
 * group's input channels, tiled over input positions (and, for a large kernel, over its
 * `Cout/groups · ∏kernel` rows) so the column buffer never exceeds `scratchElements`
 * (default {@link SCRATCH_ELEMENTS}), then col2im adds each tile into the output.
 * `out` must be zero-filled or hold what is to be added to (the bias is written first).
 * float32 elements that come out non-finite are recomputed by the definition in float64
 * (core's `recomputeNonFinite`: the one overflow rule of every backend).
 */
export function convTransposeImpl(
  g: ConvTransposeGeometry,
  x: FloatArray,
  w: FloatArray,
  bias: FloatArray | null,
  out: FloatArray,
  kernel?: ConvTransposeKernel,
  scratchElements: number = SCRATCH_ELEMENTS,
): void {
  convTransposeKernels(g, x, w, bias, out, kernel, scratchElements);
  recomputeNonFinite(g, x, w, bias, out);
}

/** {@link convTransposeImpl} without the overflow rule: the chosen kernel only. */
function convTransposeKernels(
  g: ConvTransposeGeometry,
  x: FloatArray,
  w: FloatArray,
  bias: FloatArray | null,
  out: FloatArray,
  kernel?: ConvTransposeKernel,
  scratchElements: number = SCRATCH_ELEMENTS,
): void {
  kernel ??= chooseConvTransposeKernel(g);
  const r = g.rank;
  const K = product(g.kernelSize);
  const outPlane = product(g.outputSize);
  const inPlane = product(g.inputSize);
  if (bias) fillBias(out, bias, g.batch, g.outChannels, outPlane);
  const table = tapTable(g.kernelSize, g.outputSize);
  const nLast = g.inputSize[r - 1]!;
  const lead = (inPlane / nLast) | 0;
  const cinG = g.inChannelsPerGroup;
  const coutG = g.outChannelsPerGroup;
  const M = coutG * K;
  if (kernel === 'phases') {
    convTransposePhasesImpl(g, phaseLayout(g, CPU_PHASE_LAYOUT), x, w, out);
    return;
  }
  if (kernel === 'direct') {
    for (let n = 0; n < g.batch; n++) {
      for (let ci = 0; ci < g.inChannels; ci++) {
        const group = ((ci - (ci % cinG)) / cinG) | 0;
        for (let cog = 0; cog < coutG; cog++) {
          const outBase = (n * g.outChannels + group * coutG + cog) * outPlane;
          const wBase = (ci * coutG + cog) * K;
          scatterRows(g, table, K, w, wBase, x, (n * g.inChannels + ci) * inPlane, lead, out, outBase);
        }
      }
    }
    return;
  }
  const { rows: mRows, positions: T } = gemmTiles(M, inPlane, nLast, lead, scratchElements);
  const cols = scratch(x instanceof Float64Array ? 'float64' : 'float32', mRows * T);
  const tiles = tileKind(g, mRows === M, T);
  const masked = tiles !== 'all';
  const tapRows = tiles === 'tap-rows';
  let codes: Uint8Array | null = null;
  for (let n = 0; n < g.batch; n++) {
    for (let group = 0; group < g.groups; group++) {
      const xBase = (n * g.inChannels + group * cinG) * inPlane;
      const wBase = group * cinG * M;
      const outBase = (n * g.outChannels + group * coutG) * outPlane;
      for (let p0 = 0; p0 < inPlane; p0 += T) {
        const p1 = Math.min(inPlane, p0 + T);
        for (let m0 = 0; m0 < M; m0 += mRows) {
          const m1 = Math.min(M, m0 + mRows);
          if (tapRows) {
            // the codes depend on the positions only: one tile of all positions (the common case)
            // computes them once for every batch item and group
            if (codes === null || T < inPlane) codes = tapRowCodes(g, table, K, M, p0, p1);
            gemmTNTapRows(w, wBase, M, x, xBase + p0, inPlane, cols, M, p1 - p0, cinG, codes);
          } else {
            const live = masked ? liveTiles(g, table, K, m0, m1, p0, p1) : null;
            gemmTN(w, wBase + m0, M, x, xBase + p0, inPlane, cols, m1 - m0, p1 - p0, cinG, live);
          }
          col2im(g, table, K, cols, p0, p1, m0, m1, out, outBase, outPlane);
        }
      }
    }
  }
}

/**
 * The GEMM skips its register tiles whose every (tap, input position) lands outside the output
 * (col2im never reads them) when at most this fraction of all pairs lands inside: DCGAN's 4×4 →
 * 8×8 (k4 s2 p1) has 77 % inside, its 16×16 layer 94 %, where the mask would cost more than it saves.
 */
const MASK_MAX_LIVE = 0.9;

/** The fraction of (input position, kernel tap) pairs whose output lies inside the output: the product over axes. */
export function liveFraction(g: ConvTransposeGeometry): number {
  let f = 1;
  for (let a = 0; a < g.rank; a++) {
    const n = g.inputSize[a]!;
    const k = g.kernelSize[a]!;
    let inside = 0;
    for (let t = 0; t < k; t++) {
      const off = t * g.dilation[a]! - g.padBegin[a]!;
      inside += Math.max(0, rowEnd(off, g.stride[a]!, g.outputSize[a]!, n) - rowStart(off, g.stride[a]!));
    }
    f *= inside / (n * k);
  }
  return f;
}

/**
 * Per 3 × 4 register tile of the GEMM on rows `m0…m1` (output channel × tap) and input positions
 * `p0…p1`, in {@link gemmTN}'s order: 1 when some (tap, position) of the tile lands inside the
 * output, 0 when none does.
 */
function liveTiles(
  g: ConvTransposeGeometry,
  table: Int32Array,
  K: number,
  m0: number,
  m1: number,
  p0: number,
  p1: number,
): Uint8Array {
  const r = g.rank;
  const rowTiles = Math.floor((m1 - m0) / 3);
  const colTiles = Math.floor((p1 - p0) / 4);
  const live = byteScratch(rowTiles * colTiles);
  live.fill(0, 0, rowTiles * colTiles);
  for (let i = 0; i < rowTiles; i++) {
    for (let j = 0; j < colTiles; j++) {
      let any = false;
      for (let m = 0; m < 3 && !any; m++) {
        const t = (m0 + 3 * i + m) % K;
        for (let c = 0; c < 4 && !any; c++) {
          let rest = p0 + 4 * j + c;
          let inside = true;
          for (let a = r - 1; a >= 0 && inside; a--) {
            const n = g.inputSize[a]!;
            const idx = rest % n;
            rest = (rest - idx) / n;
            const pos = idx * g.stride[a]! + table[t * r + a]! * g.dilation[a]! - g.padBegin[a]!;
            inside = pos >= 0 && pos < g.outputSize[a]!;
          }
          any = inside;
        }
      }
      if (any) live[i * colTiles + j] = 1;
    }
  }
  return live;
}

/** How the `'gemm'` kernel tiles its product (see {@link gemmTileKind}). */
export type GemmTileKind = 'all' | 'masked' | 'tap-rows';

/**
 * How the `'gemm'` kernel tiles a geometry's product: `'all'` computes every 3 × 4 register tile
 * (most pairs land inside: more than {@link MASK_MAX_LIVE}); `'masked'` skips the 3 × 4 tiles
 * whose every pair lands outside; `'tap-rows'` takes `gemmTNTapRows`' 4 × 4 tiles of 4 last-axis
 * taps × 4 positions of one input row, skipping outside pairs down to a tile's corners — when the
 * last axis' kernel and input row are multiples of 4 and the GEMM's tile holds all of
 * `Cout/groups · ∏kernel` rows over whole input rows.
 */
export function gemmTileKind(
  g: ConvTransposeGeometry,
  scratchElements: number = SCRATCH_ELEMENTS,
): GemmTileKind {
  const nLast = g.inputSize[g.rank - 1]!;
  const inPlane = product(g.inputSize);
  const M = g.outChannelsPerGroup * product(g.kernelSize);
  const { rows, positions } = gemmTiles(M, inPlane, nLast, (inPlane / nLast) | 0, scratchElements);
  return tileKind(g, rows === M, positions);
}

/** {@link gemmTileKind} for a GEMM tile already chosen (`allRows`: it spans all of M's rows). */
function tileKind(g: ConvTransposeGeometry, allRows: boolean, positions: number): GemmTileKind {
  if (liveFraction(g) > MASK_MAX_LIVE) return 'all';
  const last = g.rank - 1;
  const nLast = g.inputSize[last]!;
  const fits = allRows && g.kernelSize[last]! % 4 === 0 && nLast % 4 === 0 && positions % nLast === 0;
  return fits ? 'tap-rows' : 'masked';
}

/**
 * Per 4 × 4 tap-row tile of the GEMM on all M rows and input positions `p0…p1` (whole input
 * rows), in `gemmTNTapRows`' order: its {@link TapRowTileCode} — 0 when the tile's leading taps
 * land outside at its input row or none of its 16 last-axis pairs lands inside, else which of its
 * corners land outside (every other pair is computed, inside or not).
 */
function tapRowCodes(
  g: ConvTransposeGeometry,
  table: Int32Array,
  K: number,
  M: number,
  p0: number,
  p1: number,
): Uint8Array {
  const r = g.rank;
  const last = r - 1;
  const nLast = g.inputSize[last]!;
  const kL = g.kernelSize[last]!;
  const s = g.stride[last]!;
  const d = g.dilation[last]!;
  const pad = g.padBegin[last]!;
  const L = g.outputSize[last]!;
  const inside = (i: number, k: number) => {
    const o = i * s + k * d - pad;
    return o >= 0 && o < L;
  };
  // the last axis' code per (block of 4 taps, block of 4 positions): the same on every row
  const kBlocks = kL / 4;
  const iBlocks = nLast / 4;
  const rowTiles = M / 4;
  const colTiles = (p1 - p0) / 4;
  // the tiles' codes, then the last axis' (in the same reused scratch: nothing allocated per call)
  const codes = byteScratch(rowTiles * colTiles + kBlocks * iBlocks);
  const lastAt = rowTiles * colTiles;
  for (let kb = 0; kb < kBlocks; kb++) {
    for (let ib = 0; ib < iBlocks; ib++) {
      let any = false;
      for (let k = 4 * kb; k < 4 * kb + 4 && !any; k++) {
        for (let i = 4 * ib; i < 4 * ib + 4 && !any; i++) any = inside(i, k);
      }
      const first = inside(4 * ib, 4 * kb);
      const lastPair = inside(4 * ib + 3, 4 * kb + 3);
      const code: TapRowTileCode = !any ? 0 : first && lastPair ? 1 : lastPair ? 2 : first ? 3 : 4;
      codes[lastAt + kb * iBlocks + ib] = code;
    }
  }
  for (let i = 0; i < rowTiles; i++) {
    const t = (4 * i) % K;
    const kb = table[t * r + last]! / 4;
    for (let j = 0; j < colTiles; j++) {
      const p = p0 + 4 * j;
      const ib = ((p % nLast) / 4) | 0;
      const q = ((p - (p % nLast)) / nLast) | 0;
      codes[i * colTiles + j] = leadingOffset(g, table, K, t, q) < 0 ? 0 : codes[lastAt + kb * iBlocks + ib]!;
    }
  }
  return codes;
}

/** Input positions below which a tile is not split further (a GEMM tile needs a few columns). */
const MIN_TILE_POSITIONS = 64;

/**
 * The GEMM tile: `rows` of the `M = Cout/groups · ∏kernel` column rows by `positions` input
 * positions, with `rows · positions ≤ limit`. Whole input rows and all of M when they fit (the
 * common case); else fewer positions, down to {@link MIN_TILE_POSITIONS}; for a kernel so large
 * that M times those passes the limit, that many positions and a block of M's rows (measured: a
 * tile of one position is 5–8× slower than a block of rows).
 */
export function gemmTiles(
  M: number,
  inPlane: number,
  nLast: number,
  lead: number,
  limit: number,
): { rows: number; positions: number } {
  if (M * nLast <= limit) {
    return { rows: M, positions: Math.max(1, Math.min(lead, Math.floor(limit / (M * nLast)))) * nLast };
  }
  if (M * MIN_TILE_POSITIONS <= limit)
    return { rows: M, positions: Math.min(inPlane, Math.floor(limit / M)) };
  const positions = Math.max(1, Math.min(inPlane, MIN_TILE_POSITIONS, limit));
  return { rows: Math.max(1, Math.floor(limit / positions)), positions };
}

/**
 * Scatter-adds one tile of the column buffer into the output: rows `m0…m1` of M (one output
 * channel × tap each) over input positions `p0…p1` (row-major over the input plane, so a tile may
 * start or end inside an input row).
 */
function col2im(
  g: ConvTransposeGeometry,
  table: Int32Array,
  K: number,
  cols: FloatArray,
  p0: number,
  p1: number,
  m0: number,
  m1: number,
  out: FloatArray,
  outBase: number,
  outPlane: number,
): void {
  const r = g.rank;
  const last = r - 1;
  const nLast = g.inputSize[last]!;
  const sL = g.stride[last]!;
  const dL = g.dilation[last]!;
  const pL = g.padBegin[last]!;
  const LL = g.outputSize[last]!;
  const T = p1 - p0;
  const qFirst = ((p0 - (p0 % nLast)) / nLast) | 0;
  const qEnd = (((p1 - 1 - ((p1 - 1) % nLast)) / nLast) | 0) + 1;
  for (let row = m0; row < m1; row++) {
    const t = row % K;
    const cog = ((row - t) / K) | 0;
    const offL = table[t * r + last]! * dL - pL;
    const lo = rowStart(offL, sL);
    const hi = rowEnd(offL, sL, LL, nLast);
    if (lo >= hi) continue;
    const chanBase = outBase + cog * outPlane;
    for (let q = qFirst; q < qEnd; q++) {
      const leadOff = leadingOffset(g, table, K, t, q);
      if (leadOff < 0) continue;
      const rowP = q * nLast;
      const i0 = Math.max(lo, p0 - rowP);
      const i1 = Math.min(hi, p1 - rowP);
      let c = (row - m0) * T + rowP + i0 - p0;
      let o = chanBase + leadOff + offL + i0 * sL;
      for (let i = i0; i < i1; i++) {
        out[o]! += cols[c]!;
        c++;
        o += sL;
      }
    }
  }
}

/**
 * Direct scatter of one (input channel, output channel) pair over all taps:
 * `out[o(i, k)] += w[k] · x[i]`, along whole input rows.
 */
function scatterRows(
  g: ConvTransposeGeometry,
  table: Int32Array,
  K: number,
  w: FloatArray,
  wBase: number,
  x: FloatArray,
  xBase: number,
  lead: number,
  out: FloatArray,
  outBase: number,
): void {
  const r = g.rank;
  const last = r - 1;
  const nLast = g.inputSize[last]!;
  const sL = g.stride[last]!;
  const dL = g.dilation[last]!;
  const pL = g.padBegin[last]!;
  const LL = g.outputSize[last]!;
  for (let t = 0; t < K; t++) {
    const wv = w[wBase + t]!;
    const offL = table[t * r + last]! * dL - pL;
    const lo = rowStart(offL, sL);
    const hi = rowEnd(offL, sL, LL, nLast);
    if (lo >= hi) continue;
    for (let q = 0; q < lead; q++) {
      const leadOff = leadingOffset(g, table, K, t, q);
      if (leadOff < 0) continue;
      let xi = xBase + q * nLast + lo;
      let o = outBase + leadOff + offL + lo * sL;
      for (let i = lo; i < hi; i++) {
        out[o]! += wv * x[xi]!;
        xi++;
        o += sL;
      }
    }
  }
}

/**
 * Output offset of leading input position `q` (all axes but the last) under tap `t`, or -1 when
 * the tap lands outside the output on one of those axes.
 */
function leadingOffset(g: ConvTransposeGeometry, table: Int32Array, K: number, t: number, q: number): number {
  const r = g.rank;
  let off = 0;
  let rest = q;
  for (let a = r - 2; a >= 0; a--) {
    const n = g.inputSize[a]!;
    const idx = rest % n;
    rest = ((rest - idx) / n) | 0;
    const pos = idx * g.stride[a]! + table[t * r + a]! * g.dilation[a]! - g.padBegin[a]!;
    if (pos < 0 || pos >= g.outputSize[a]!) return -1;
    off += pos * table[K * r + a]!;
  }
  return off;
}
