import type { FloatArray } from '@tconv/core';

/**
 * `C[m][t] = Σ_c A[aOff + c·lda + m] · B[bOff + c·ldb + t]` for `m < rows`, `t < cols`, written to
 * `C[m·cols + t]`: the product Aᵀ·B where A is stored `[depth][lda]` and B `[depth][ldb]`. Both
 * operands are read along their contiguous rows, so the transposed weight needs no packing.
 * Register-tiled 4×4: sixteen accumulators live in locals (doubles in the JIT, so float32 inputs
 * are summed in double precision and rounded once).
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
): void {
  const rows4 = rows - (rows % 4);
  const cols4 = cols - (cols % 4);
  for (let m = 0; m < rows4; m += 4) {
    for (let t = 0; t < cols4; t += 4) {
      let c00 = 0,
        c01 = 0,
        c02 = 0,
        c03 = 0;
      let c10 = 0,
        c11 = 0,
        c12 = 0,
        c13 = 0;
      let c20 = 0,
        c21 = 0,
        c22 = 0,
        c23 = 0;
      let c30 = 0,
        c31 = 0,
        c32 = 0,
        c33 = 0;
      let ai = aOff + m;
      let bi = bOff + t;
      for (let c = 0; c < depth; c++) {
        const a0 = A[ai]!,
          a1 = A[ai + 1]!,
          a2 = A[ai + 2]!,
          a3 = A[ai + 3]!;
        const b0 = B[bi]!,
          b1 = B[bi + 1]!,
          b2 = B[bi + 2]!,
          b3 = B[bi + 3]!;
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
      let o = m * cols + t;
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
    for (let t = cols4; t < cols; t++) {
      let c0 = 0,
        c1 = 0,
        c2 = 0,
        c3 = 0;
      let ai = aOff + m;
      let bi = bOff + t;
      for (let c = 0; c < depth; c++) {
        const b = B[bi]!;
        c0 += A[ai]! * b;
        c1 += A[ai + 1]! * b;
        c2 += A[ai + 2]! * b;
        c3 += A[ai + 3]! * b;
        ai += lda;
        bi += ldb;
      }
      C[m * cols + t] = c0;
      C[(m + 1) * cols + t] = c1;
      C[(m + 2) * cols + t] = c2;
      C[(m + 3) * cols + t] = c3;
    }
  }
  for (let m = rows4; m < rows; m++) {
    for (let t = 0; t < cols; t++) {
      let acc = 0;
      let ai = aOff + m;
      let bi = bOff + t;
      for (let c = 0; c < depth; c++) {
        acc += A[ai]! * B[bi]!;
        ai += lda;
        bi += ldb;
      }
      C[m * cols + t] = acc;
    }
  }
}
