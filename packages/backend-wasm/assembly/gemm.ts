// The GEMM every non-phase kernel uses: C (+)= Aᵀ·B with both operands read along contiguous rows,
// 4×8 register tiles of f32x4 accumulators. 8 accumulators, 2 B vectors, the splat and the
// product fit V8's 15 vector registers (6×8 spills four accumulators: 26 against 42 GFLOP/s).

import { GEMM_PANEL_COLUMNS } from './layout.generated';
import { madd, maddScalar } from './simd';

/** Scalar dot product of A's column m and B's column t over `depth` rows: the tiles' leftovers. */
// @inline
function dotTN(A: usize, strideA: usize, B: usize, strideB: usize, m: i32, t: i32, depth: i32): f32 {
  let s: f32 = 0;
  let pa = A + ((<usize>m) << 2);
  let pb = B + ((<usize>t) << 2);
  for (let c = 0; c < depth; c++) {
    s = maddScalar(load<f32>(pa), load<f32>(pb), s);
    pa += strideA;
    pb += strideB;
  }
  return s;
}

/** Stores (or with `accumulate` adds) v at o. */
// @inline
function put(o: usize, offset: usize, v: v128, accumulate: bool): void {
  if (accumulate) v = f32x4.add(v, v128.load(o + offset));
  v128.store(o + offset, v);
}

/** One 4×8 tile: rows m..m+3, columns t..t+7. */
// @inline
function tile4x8(
  A: usize,
  strideA: usize,
  B: usize,
  strideB: usize,
  C: usize,
  ldc: i32,
  m: i32,
  t: i32,
  depth: i32,
  accumulate: bool,
): void {
  let c00 = f32x4.splat(0),
    c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0),
    c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0),
    c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0),
    c31 = f32x4.splat(0);
  let pa = A + ((<usize>m) << 2);
  let pb = B + ((<usize>t) << 2);
  for (let c = 0; c < depth; c++) {
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
    pa += strideA;
    pb += strideB;
  }
  const rowBytes = (<usize>ldc) << 2;
  const o = C + ((<usize>m * <usize>ldc + <usize>t) << 2);
  put(o, 0, c00, accumulate);
  put(o, 16, c01, accumulate);
  put(o, rowBytes, c10, accumulate);
  put(o, rowBytes + 16, c11, accumulate);
  put(o, 2 * rowBytes, c20, accumulate);
  put(o, 2 * rowBytes + 16, c21, accumulate);
  put(o, 3 * rowBytes, c30, accumulate);
  put(o, 3 * rowBytes + 16, c31, accumulate);
}

/** One 1×8 tile: row m, columns t..t+7 (rows left over after the 4-row tiles). */
// @inline
function tile1x8(
  A: usize,
  strideA: usize,
  B: usize,
  strideB: usize,
  C: usize,
  ldc: i32,
  m: i32,
  t: i32,
  depth: i32,
  accumulate: bool,
): void {
  let c0 = f32x4.splat(0),
    c1 = f32x4.splat(0);
  let pa = A + ((<usize>m) << 2);
  let pb = B + ((<usize>t) << 2);
  for (let c = 0; c < depth; c++) {
    const a = v128.load32_splat(pa);
    c0 = madd(a, v128.load(pb), c0);
    c1 = madd(a, v128.load(pb, 16), c1);
    pa += strideA;
    pb += strideB;
  }
  const o = C + ((<usize>m * <usize>ldc + <usize>t) << 2);
  put(o, 0, c0, accumulate);
  put(o, 16, c1, accumulate);
}

/**
 * A row pitch (elements) of at least `n` that is an odd number of cache lines (16 floats), at most
 * n + ROW_PITCH_SLACK: rows of a matrix read down a column then do not all fall in one L1 set (a
 * pitch of 4096 floats put 800 rows of a convolution's column buffer into one).
 */
export function rowPitch(n: i32): i32 {
  let lines = (n + 15) >> 4;
  if ((lines & 1) === 0) lines++;
  return lines << 4;
}

/** Copies B's columns t … t + 7 of `depth` rows (`strideB` bytes apart) to `panel` as [depth][8]. */
function copyColumns(B: usize, strideB: usize, t: i32, depth: i32, panel: usize): void {
  let src = B + ((<usize>t) << 2);
  let dst = panel;
  for (let c = 0; c < depth; c++) {
    v128.store(dst, v128.load(src));
    v128.store(dst, v128.load(src, 16), 16);
    src += strideB;
    dst += GEMM_PANEL_COLUMNS << 2;
  }
}

/**
 * C[m·ldc + t] = Σ_c A[c·lda + m] · B[c·ldb + t] (pointers to f32, element strides), m < rows,
 * t < cols; with `accumulate`, C += instead of C =. The loop over tiles re-reads the smaller
 * operand: with more columns than rows a block of 8 columns of B stays in cache while every row
 * tile passes over it (A streamed), else the 4 columns of A stay while B is streamed. Given a
 * `panel` of depth × {@link GEMM_PANEL_COLUMNS} floats (0: none), with more columns than rows and
 * at least 8 rows (two row tiles read each block), each block of B is first copied there,
 * contiguous (B's rows may be a power of two apart, all in one L1 set); the sums are the same, in
 * the same order. The copy and the tiles are 8 columns wide: GEMM_PANEL_COLUMNS must stay 8.
 */
export function gemmTN(
  A: usize,
  lda: i32,
  B: usize,
  ldb: i32,
  C: usize,
  ldc: i32,
  rows: i32,
  cols: i32,
  depth: i32,
  accumulate: bool,
  panel: usize,
): void {
  const cols8 = cols & ~7;
  const rows4 = rows & ~3;
  const strideA = (<usize>lda) << 2;
  const strideB = (<usize>ldb) << 2;
  if (cols > rows && rows >= 8 && panel !== 0) {
    const panelStride: usize = GEMM_PANEL_COLUMNS << 2;
    for (let t = 0; t < cols8; t += 8) {
      copyColumns(B, strideB, t, depth, panel);
      const Ct = C + ((<usize>t) << 2);
      for (let m = 0; m < rows4; m += 4)
        tile4x8(A, strideA, panel, panelStride, Ct, ldc, m, 0, depth, accumulate);
      for (let m = rows4; m < rows; m++)
        tile1x8(A, strideA, panel, panelStride, Ct, ldc, m, 0, depth, accumulate);
    }
  } else if (cols > rows) {
    for (let t = 0; t < cols8; t += 8) {
      if (accumulate) {
        for (let m = 0; m < rows4; m += 4) tile4x8(A, strideA, B, strideB, C, ldc, m, t, depth, true);
        for (let m = rows4; m < rows; m++) tile1x8(A, strideA, B, strideB, C, ldc, m, t, depth, true);
      } else {
        for (let m = 0; m < rows4; m += 4) tile4x8(A, strideA, B, strideB, C, ldc, m, t, depth, false);
        for (let m = rows4; m < rows; m++) tile1x8(A, strideA, B, strideB, C, ldc, m, t, depth, false);
      }
    }
  } else if (accumulate) {
    for (let m = 0; m < rows4; m += 4) {
      for (let t = 0; t < cols8; t += 8) tile4x8(A, strideA, B, strideB, C, ldc, m, t, depth, true);
    }
    for (let m = rows4; m < rows; m++) {
      for (let t = 0; t < cols8; t += 8) tile1x8(A, strideA, B, strideB, C, ldc, m, t, depth, true);
    }
  } else {
    for (let m = 0; m < rows4; m += 4) {
      for (let t = 0; t < cols8; t += 8) tile4x8(A, strideA, B, strideB, C, ldc, m, t, depth, false);
    }
    for (let m = rows4; m < rows; m++) {
      for (let t = 0; t < cols8; t += 8) tile1x8(A, strideA, B, strideB, C, ldc, m, t, depth, false);
    }
  }
  for (let m = 0; m < rows; m++) {
    for (let t = cols8; t < cols; t++) {
      const o = C + ((<usize>m * <usize>ldc + <usize>t) << 2);
      const v = dotTN(A, strideA, B, strideB, m, t, depth);
      store<f32>(o, accumulate ? load<f32>(o) + v : v);
    }
  }
}

/** Floats of one panel of {@link gemmPanels}' A: 4 rows × `depth`. */
// @inline
export function panelFloats(depth: i32): i32 {
  return depth << 2;
}

/**
 * C (+)= Aᵀ·B like {@link gemmTN}, with A packed in panels of 4 rows: panel i holds rows 4i … 4i + 3
 * as [depth][4] (rows past `rows` zero), so a tile reads its 4 values per step from one contiguous
 * 16 bytes instead of 4 of a row `lda` apart (a convolution's transposed weights, 512 rows wide,
 * put every step of a tile on another cache line).
 */
export function gemmPanels(
  A: usize,
  B: usize,
  ldb: i32,
  C: usize,
  ldc: i32,
  rows: i32,
  cols: i32,
  depth: i32,
  accumulate: bool,
): void {
  const cols8 = cols & ~7;
  const rows4 = rows & ~3;
  const strideB = (<usize>ldb) << 2;
  const panelBytes = (<usize>panelFloats(depth)) << 2;
  const rowBytes = (<usize>ldc) << 2;
  const tail = A + <usize>(rows4 >> 2) * panelBytes;
  if (cols > rows) {
    for (let t = 0; t < cols8; t += 8) {
      for (let m = 0; m < rows4; m += 4) {
        const pa = A + <usize>(m >> 2) * panelBytes;
        tile4x8(pa, 16, B, strideB, C + <usize>m * rowBytes, ldc, 0, t, depth, accumulate);
      }
      for (let m = rows4; m < rows; m++) {
        const pa = tail + ((<usize>(m - rows4)) << 2);
        tile1x8(pa, 16, B, strideB, C + <usize>m * rowBytes, ldc, 0, t, depth, accumulate);
      }
    }
  } else {
    for (let m = 0; m < rows4; m += 4) {
      const pa = A + <usize>(m >> 2) * panelBytes;
      for (let t = 0; t < cols8; t += 8) {
        tile4x8(pa, 16, B, strideB, C + <usize>m * rowBytes, ldc, 0, t, depth, accumulate);
      }
    }
    for (let m = rows4; m < rows; m++) {
      const pa = tail + ((<usize>(m - rows4)) << 2);
      for (let t = 0; t < cols8; t += 8) {
        tile1x8(pa, 16, B, strideB, C + <usize>m * rowBytes, ldc, 0, t, depth, accumulate);
      }
    }
  }
  for (let m = 0; m < rows; m++) {
    const pa = A + <usize>(m >> 2) * panelBytes + ((<usize>(m & 3)) << 2);
    for (let t = cols8; t < cols; t++) {
      const o = C + <usize>m * rowBytes + ((<usize>t) << 2);
      const v = dotTN(pa, 16, B, strideB, 0, t, depth);
      store<f32>(o, accumulate ? load<f32>(o) + v : v);
    }
  }
}
