import type { FloatArray } from '@tconv/core';

/**
 * One pass of {@link gemmTN} over `depth` rows, storing into C or (`accumulate`) adding to it. Both
 * operands are read along their contiguous rows, so the transposed weight needs no packing.
 * Register-tiled 3×4: twelve accumulators in locals (doubles in the JIT, so float32 inputs are
 * summed in double precision and rounded once per pass). 3×4 measured ~12 % faster than a 4×4 tile
 * computing every pair, in an earlier V8 and kernel (16 accumulators plus 8 operands spill); on
 * DCGAN's 4×4 layer the two now run at the same rate per product, and {@link gemmTNTapRows}' 4×4
 * tile pays where it skips pairs.
 */
function gemmTNBlock(
  A: FloatArray,
  aOff: number,
  lda: number,
  B: FloatArray,
  bOff: number,
  ldb: number,
  C: FloatArray,
  rows: number,
  cols: number,
  depth: number,
  accumulate: boolean,
  live: Uint8Array | null,
): void {
  const rows3 = rows - (rows % 3);
  const cols4 = cols - (cols % 4);
  let tile = 0;
  for (let m = 0; m < rows3; m += 3) {
    for (let t = 0; t < cols4; t += 4) {
      const skip = live !== null && live[tile] === 0;
      tile++;
      if (skip) continue;
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
      let ai = aOff + m;
      let bi = bOff + t;
      for (let c = 0; c < depth; c++) {
        const a0 = A[ai]!;
        const a1 = A[ai + 1]!;
        const a2 = A[ai + 2]!;
        const b0 = B[bi]!;
        const b1 = B[bi + 1]!;
        const b2 = B[bi + 2]!;
        const b3 = B[bi + 3]!;
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
        ai += lda;
        bi += ldb;
      }
      let o = m * cols + t;
      if (accumulate) {
        c00 += C[o]!;
        c01 += C[o + 1]!;
        c02 += C[o + 2]!;
        c03 += C[o + 3]!;
        c10 += C[o + cols]!;
        c11 += C[o + cols + 1]!;
        c12 += C[o + cols + 2]!;
        c13 += C[o + cols + 3]!;
        c20 += C[o + 2 * cols]!;
        c21 += C[o + 2 * cols + 1]!;
        c22 += C[o + 2 * cols + 2]!;
        c23 += C[o + 2 * cols + 3]!;
      }
      C[o] = c00;
      C[o + 1] = c01;
      C[o + 2] = c02;
      C[o + 3] = c03;
      o += cols;
      C[o] = c10;
      C[o + 1] = c11;
      C[o + 2] = c12;
      C[o + 3] = c13;
      o += cols;
      C[o] = c20;
      C[o + 1] = c21;
      C[o + 2] = c22;
      C[o + 3] = c23;
    }
  }
  // leftovers: the last rows (fewer than 3) over every column, then the last columns of the tiled rows
  for (let m = rows3; m < rows; m++) {
    for (let t = 0; t < cols; t++) {
      const v = dot(A, aOff + m, lda, B, bOff + t, ldb, depth);
      C[m * cols + t] = accumulate ? C[m * cols + t]! + v : v;
    }
  }
  for (let m = 0; m < rows3; m++) {
    for (let t = cols4; t < cols; t++) {
      const v = dot(A, aOff + m, lda, B, bOff + t, ldb, depth);
      C[m * cols + t] = accumulate ? C[m * cols + t]! + v : v;
    }
  }
}

/**
 * Depth per pass of {@link gemmTN}: one pass's rows of B stay in L1 across the row tiles (+2–3 %
 * on DCGAN's 512-channel 4×4 layer, measured; 128 and unblocked are slower).
 */
const DEPTH_BLOCK = 256;

/**
 * `C[m][t] = Σ_c A[aOff + c·lda + m] · B[bOff + c·ldb + t]` for `m < rows`, `t < cols`, written to
 * `C[m·cols + t]`: the product Aᵀ·B where A is stored `[depth][lda]` and B `[depth][ldb]`, in passes
 * of {@link DEPTH_BLOCK} over the depth (later passes add to C).
 * @param live - per 3 × 4 register tile (row tile-major, `⌊cols/4⌋` per row of tiles), 0 where
 *   the caller never reads the tile: it is skipped and its C left as it was (null: every tile)
 */
export function gemmTN(
  A: FloatArray,
  aOff: number,
  lda: number,
  B: FloatArray,
  bOff: number,
  ldb: number,
  C: FloatArray,
  rows: number,
  cols: number,
  depth: number,
  live: Uint8Array | null = null,
): void {
  for (let c0 = 0; c0 < depth; c0 += DEPTH_BLOCK) {
    const d = Math.min(DEPTH_BLOCK, depth - c0);
    gemmTNBlock(A, aOff + c0 * lda, lda, B, bOff + c0 * ldb, ldb, C, rows, cols, d, c0 > 0, live);
  }
}

/**
 * What {@link gemmTNTapRows} computes of one 4 × 4 register tile: 0 nothing (every pair lands
 * outside the output), 1 all sixteen products, 2 all but the tile's first (row 0, column 0),
 * 3 all but its last (row 3, column 3), 4 all but both corners. The corners are where a
 * last-axis tap block meets the ends of an input row: with stride 2, kernel 4 and padding 1
 * (DCGAN's layers) tap 0 lands outside at the row's first position and tap 3 at its last.
 */
export type TapRowTileCode = 0 | 1 | 2 | 3 | 4;

/**
 * The tap-row GEMM: {@link gemmTN}'s product in 4 × 4 register tiles whose rows are four
 * consecutive last-axis taps of one output channel (and leading taps) and whose columns are four
 * consecutive positions of one input row, so the pairs that land outside the output — whole
 * tiles, and a tile's corners ({@link TapRowTileCode}) — are never multiplied. On DCGAN's 4×4 →
 * 8×8 layer that is 77 % of the pairs computed against the 3 × 4 tile's 94 %, and 16–20 % less
 * time per call (2-core AMD EPYC Zen 3, Node 20.20: per product the 4 × 4 tile's spills cost
 * about what its fewer loads save, so skipping is the gain). Rows and columns are multiples of 4.
 * A skipped product leaves its C element 0 (or as it was, on a later pass): col2im never reads it.
 * @param codes - one {@link TapRowTileCode} per tile, row tile-major (`cols/4` per row of tiles)
 * @throws RangeError when rows or columns are not multiples of 4 or `codes` is short (the tile has
 *   no leftover loops: C would be left unwritten)
 */
export function gemmTNTapRows(
  A: FloatArray,
  aOff: number,
  lda: number,
  B: FloatArray,
  bOff: number,
  ldb: number,
  C: FloatArray,
  rows: number,
  cols: number,
  depth: number,
  codes: Uint8Array,
): void {
  if (rows % 4 !== 0 || cols % 4 !== 0 || codes.length < (rows / 4) * (cols / 4)) {
    throw new RangeError(
      `gemmTNTapRows: rows (${rows}) and cols (${cols}) must be multiples of 4, with a code per tile (got ${codes.length})`,
    );
  }
  for (let c0 = 0; c0 < depth; c0 += DEPTH_BLOCK) {
    const d = Math.min(DEPTH_BLOCK, depth - c0);
    tapRowsBlock(A, aOff + c0 * lda, lda, B, bOff + c0 * ldb, ldb, C, rows, cols, d, c0 > 0, codes);
  }
}

/** One pass of {@link gemmTNTapRows} over `depth` rows (see {@link gemmTNBlock}). */
function tapRowsBlock(
  A: FloatArray,
  aOff: number,
  lda: number,
  B: FloatArray,
  bOff: number,
  ldb: number,
  C: FloatArray,
  rows: number,
  cols: number,
  depth: number,
  accumulate: boolean,
  codes: Uint8Array,
): void {
  let tile = 0;
  for (let m = 0; m < rows; m += 4) {
    for (let t = 0; t < cols; t += 4) {
      const code = codes[tile]!;
      tile++;
      if (code === 0) continue;
      // one loop per code: a branch inside the depth loop would cost what the corners save
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
      let c30 = 0;
      let c31 = 0;
      let c32 = 0;
      let c33 = 0;
      let ai = aOff + m;
      let bi = bOff + t;
      if (code === 1) {
        for (let c = 0; c < depth; c++) {
          const a0 = A[ai]!;
          const a1 = A[ai + 1]!;
          const a2 = A[ai + 2]!;
          const a3 = A[ai + 3]!;
          const b0 = B[bi]!;
          const b1 = B[bi + 1]!;
          const b2 = B[bi + 2]!;
          const b3 = B[bi + 3]!;
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
          c30 += a3 * b0;
          c31 += a3 * b1;
          c32 += a3 * b2;
          c33 += a3 * b3;
          ai += lda;
          bi += ldb;
        }
      } else if (code === 2) {
        for (let c = 0; c < depth; c++) {
          const a0 = A[ai]!;
          const a1 = A[ai + 1]!;
          const a2 = A[ai + 2]!;
          const a3 = A[ai + 3]!;
          const b0 = B[bi]!;
          const b1 = B[bi + 1]!;
          const b2 = B[bi + 2]!;
          const b3 = B[bi + 3]!;
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
          c30 += a3 * b0;
          c31 += a3 * b1;
          c32 += a3 * b2;
          c33 += a3 * b3;
          ai += lda;
          bi += ldb;
        }
      } else if (code === 3) {
        for (let c = 0; c < depth; c++) {
          const a0 = A[ai]!;
          const a1 = A[ai + 1]!;
          const a2 = A[ai + 2]!;
          const a3 = A[ai + 3]!;
          const b0 = B[bi]!;
          const b1 = B[bi + 1]!;
          const b2 = B[bi + 2]!;
          const b3 = B[bi + 3]!;
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
          c30 += a3 * b0;
          c31 += a3 * b1;
          c32 += a3 * b2;
          ai += lda;
          bi += ldb;
        }
      } else {
        for (let c = 0; c < depth; c++) {
          const a0 = A[ai]!;
          const a1 = A[ai + 1]!;
          const a2 = A[ai + 2]!;
          const a3 = A[ai + 3]!;
          const b0 = B[bi]!;
          const b1 = B[bi + 1]!;
          const b2 = B[bi + 2]!;
          const b3 = B[bi + 3]!;
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
          c30 += a3 * b0;
          c31 += a3 * b1;
          c32 += a3 * b2;
          ai += lda;
          bi += ldb;
        }
      }
      let o = m * cols + t;
      if (accumulate) {
        c00 += C[o]!;
        c01 += C[o + 1]!;
        c02 += C[o + 2]!;
        c03 += C[o + 3]!;
        c10 += C[o + cols]!;
        c11 += C[o + cols + 1]!;
        c12 += C[o + cols + 2]!;
        c13 += C[o + cols + 3]!;
        c20 += C[o + 2 * cols]!;
        c21 += C[o + 2 * cols + 1]!;
        c22 += C[o + 2 * cols + 2]!;
        c23 += C[o + 2 * cols + 3]!;
        c30 += C[o + 3 * cols]!;
        c31 += C[o + 3 * cols + 1]!;
        c32 += C[o + 3 * cols + 2]!;
        c33 += C[o + 3 * cols + 3]!;
      }
      C[o] = c00;
      C[o + 1] = c01;
      C[o + 2] = c02;
      C[o + 3] = c03;
      o += cols;
      C[o] = c10;
      C[o + 1] = c11;
      C[o + 2] = c12;
      C[o + 3] = c13;
      o += cols;
      C[o] = c20;
      C[o + 1] = c21;
      C[o + 2] = c22;
      C[o + 3] = c23;
      o += cols;
      C[o] = c30;
      C[o + 1] = c31;
      C[o + 2] = c32;
      C[o + 3] = c33;
    }
  }
}

function dot(
  A: FloatArray,
  ai: number,
  lda: number,
  B: FloatArray,
  bi: number,
  ldb: number,
  depth: number,
): number {
  let acc = 0;
  for (let c = 0; c < depth; c++) {
    acc += A[ai]! * B[bi]!;
    ai += lda;
    bi += ldb;
  }
  return acc;
}
