// tconv's WebAssembly kernels (AssemblyScript, 128-bit SIMD). The JavaScript side resolves and
// validates every option (through @tconv/core) and lays the problem out in linear memory; these
// functions only compute. All buffers are f32, addressed by byte pointers.
//
// Parameter block (i32 words at `p`):
//   0 rank, 1 batch, 2 inChannels, 3 outChannels, 4 groups, 5 cinG, 6 coutG,
//   7 x, 8 w, 9 out, 10 bias (0 = none), 11 cols, 12 colsCapacity (elements), 13 table,
//   14 cogStart, 15 cogEnd (the output channels of each group this call computes),
//   16.. per axis: inputSize, outputSize, kernelSize, stride, dilation, padBegin (rank words each).

import { fillChannels } from './output';

export { convTransposePhases, convTransposeThin } from './phases';

const HEADER: i32 = 16;

@inline function param(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}

@inline function axis(p: usize, field: i32, rank: i32, a: i32): i32 {
  return load<i32>(p + (<usize>(HEADER + field * rank + a) << 2));
}

/** Start of the memory the JavaScript side may use. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~15;
}

/** Scalar dot product of A's column m and B's column t over `depth` rows: the tiles' leftovers. */
@inline function dotTN(A: usize, strideA: usize, B: usize, strideB: usize, m: i32, t: i32, depth: i32): f32 {
  let s: f32 = 0;
  let pa = A + (<usize>m << 2);
  let pb = B + (<usize>t << 2);
  for (let c = 0; c < depth; c++) {
    s += load<f32>(pa) * load<f32>(pb);
    pa += strideA;
    pb += strideB;
  }
  return s;
}

/** One 4×8 tile: rows m..m+3, columns t..t+7. */
@inline function tile4x8(A: usize, strideA: usize, B: usize, strideB: usize, C: usize, cols: i32, m: i32, t: i32, depth: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let pa = A + (<usize>m << 2);
  let pb = B + (<usize>t << 2);
  for (let c = 0; c < depth; c++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = f32x4.add(c00, f32x4.mul(a, b0));
    c01 = f32x4.add(c01, f32x4.mul(a, b1));
    a = v128.load32_splat(pa, 4);
    c10 = f32x4.add(c10, f32x4.mul(a, b0));
    c11 = f32x4.add(c11, f32x4.mul(a, b1));
    a = v128.load32_splat(pa, 8);
    c20 = f32x4.add(c20, f32x4.mul(a, b0));
    c21 = f32x4.add(c21, f32x4.mul(a, b1));
    a = v128.load32_splat(pa, 12);
    c30 = f32x4.add(c30, f32x4.mul(a, b0));
    c31 = f32x4.add(c31, f32x4.mul(a, b1));
    pa += strideA;
    pb += strideB;
  }
  const rowBytes = <usize>cols << 2;
  const o = C + ((<usize>m * <usize>cols + <usize>t) << 2);
  v128.store(o, c00);
  v128.store(o, c01, 16);
  v128.store(o + rowBytes, c10);
  v128.store(o + rowBytes, c11, 16);
  v128.store(o + 2 * rowBytes, c20);
  v128.store(o + 2 * rowBytes, c21, 16);
  v128.store(o + 3 * rowBytes, c30);
  v128.store(o + 3 * rowBytes, c31, 16);
}

/** One 1×8 tile: row m, columns t..t+7 (rows left over after the 4-row tiles). */
@inline function tile1x8(A: usize, strideA: usize, B: usize, strideB: usize, C: usize, cols: i32, m: i32, t: i32, depth: i32): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
  let pa = A + (<usize>m << 2);
  let pb = B + (<usize>t << 2);
  for (let c = 0; c < depth; c++) {
    const a = v128.load32_splat(pa);
    c0 = f32x4.add(c0, f32x4.mul(a, v128.load(pb)));
    c1 = f32x4.add(c1, f32x4.mul(a, v128.load(pb, 16)));
    pa += strideA;
    pb += strideB;
  }
  const o = C + ((<usize>m * <usize>cols + <usize>t) << 2);
  v128.store(o, c0);
  v128.store(o, c1, 16);
}

/**
 * C[m·cols + t] = Σ_c A[c·lda + m] · B[c·ldb + t] (pointers to f32, element strides), m < rows,
 * t < cols: Aᵀ·B with both operands read along contiguous rows. 4×8 register tiles of f32x4
 * accumulators: 8 accumulators, 2 B vectors, the splat and the product fit V8's 15 vector
 * registers (6×8 spills four accumulators: 26 against 42 GFLOP/s measured).
 */
export function gemmTN(A: usize, lda: i32, B: usize, ldb: i32, C: usize, rows: i32, cols: i32, depth: i32): void {
  const cols8 = cols & ~7;
  const rows4 = rows & ~3;
  const strideA = <usize>lda << 2;
  const strideB = <usize>ldb << 2;
  for (let m = 0; m < rows4; m += 4) {
    for (let t = 0; t < cols8; t += 8) tile4x8(A, strideA, B, strideB, C, cols, m, t, depth);
  }
  for (let m = rows4; m < rows; m++) {
    for (let t = 0; t < cols8; t += 8) tile1x8(A, strideA, B, strideB, C, cols, m, t, depth);
  }
  for (let m = 0; m < rows; m++) {
    for (let t = cols8; t < cols; t++) {
      store<f32>(C + ((<usize>m * <usize>cols + <usize>t) << 2), dotTN(A, strideA, B, strideB, m, t, depth));
    }
  }
}

/**
 * dst[i·step] += src[i] for i < n. SIMD when the destination is contiguous, and for steps 2 and 4
 * (the common upsampling strides): four sources are spread over 8 or 16 destinations with zeros
 * between, so the destinations in between are added 0 and stay as they are.
 */
@inline function addRow(dst: usize, step: i32, src: usize, n: i32): void {
  let i = 0;
  if (step == 1) {
    for (; i + 4 <= n; i += 4) {
      const o = dst + (<usize>i << 2);
      v128.store(o, f32x4.add(v128.load(o), v128.load(src + (<usize>i << 2))));
    }
  } else if (step == 2) {
    const zero = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      const v = v128.load(src + (<usize>i << 2));
      const o = dst + (<usize>i << 3);
      v128.store(o, f32x4.add(v128.load(o), v128.shuffle<f32>(v, zero, 0, 4, 1, 4)));
      v128.store(o, f32x4.add(v128.load(o, 16), v128.shuffle<f32>(v, zero, 2, 4, 3, 4)), 16);
    }
  } else if (step == 4) {
    const zero = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      const v = v128.load(src + (<usize>i << 2));
      const o = dst + (<usize>i << 4);
      v128.store(o, f32x4.add(v128.load(o), v128.shuffle<f32>(v, zero, 0, 4, 4, 4)));
      v128.store(o, f32x4.add(v128.load(o, 16), v128.shuffle<f32>(v, zero, 1, 4, 4, 4)), 16);
      v128.store(o, f32x4.add(v128.load(o, 32), v128.shuffle<f32>(v, zero, 2, 4, 4, 4)), 32);
      v128.store(o, f32x4.add(v128.load(o, 48), v128.shuffle<f32>(v, zero, 3, 4, 4, 4)), 48);
    }
  }
  const stepBytes = <usize>step << 2;
  let o = dst + <usize>i * stepBytes;
  for (; i < n; i++) {
    store<f32>(o, load<f32>(o) + load<f32>(src + (<usize>i << 2)));
    o += stepBytes;
  }
}

/** out[i] += w · src[i·step] for i < n (the convolution's strided read). */
@inline function gatherAxpy(dst: usize, w: f32, src: usize, step: i32, n: i32): void {
  let i = 0;
  if (step == 1) {
    const wv = f32x4.splat(w);
    for (; i + 4 <= n; i += 4) {
      const o = dst + (<usize>i << 2);
      v128.store(o, f32x4.add(v128.load(o), f32x4.mul(wv, v128.load(src + (<usize>i << 2)))));
    }
  }
  const stepBytes = <usize>step << 2;
  let s = src + <usize>i * stepBytes;
  for (; i < n; i++) {
    const o = dst + (<usize>i << 2);
    store<f32>(o, load<f32>(o) + w * load<f32>(s));
    s += stepBytes;
  }
}

/** Fills the tap table: [K][rank] tap coordinates, then `rank` output strides of `sizeField`. */
function fillTable(p: usize, rank: i32, K: i32, sizeField: i32): void {
  const table = <usize>param(p, 13);
  for (let t = 0; t < K; t++) {
    let rest = t;
    for (let a = rank - 1; a >= 0; a--) {
      const k = axis(p, 2, rank, a);
      store<i32>(table + (<usize>(t * rank + a) << 2), rest % k);
      rest /= k;
    }
  }
  let stride = 1;
  for (let a = rank - 1; a >= 0; a--) {
    store<i32>(table + (<usize>(K * rank + a) << 2), stride);
    stride *= axis(p, sizeField, rank, a);
  }
}

/**
 * Offset (elements) of leading position q (every axis but the last) under tap t on the side given
 * by `toField` (1: output of a transposed convolution, 0: input of a convolution), or -1 outside.
 * `fromField` names the axis sizes q enumerates.
 */
@inline function leading(p: usize, rank: i32, K: i32, t: i32, q: i32, fromField: i32, toField: i32): i32 {
  const table = <usize>param(p, 13);
  let off = 0;
  let rest = q;
  for (let a = rank - 2; a >= 0; a--) {
    const n = axis(p, fromField, rank, a);
    const idx = rest % n;
    rest /= n;
    const pos = idx * axis(p, 3, rank, a) + load<i32>(table + (<usize>(t * rank + a) << 2)) * axis(p, 4, rank, a) - axis(p, 5, rank, a);
    if (pos < 0 || pos >= axis(p, toField, rank, a)) return -1;
    off += pos * load<i32>(table + (<usize>(K * rank + a) << 2));
  }
  return off;
}

@inline function ceilDiv(a: i32, b: i32): i32 {
  return a >= 0 ? (a + b - 1) / b : -((-a) / b);
}

@inline function floorDiv(a: i32, b: i32): i32 {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/** Writes the bias (or zeros) into the output channels this call owns. */
function initOutput(p: usize, outPlane: i32): void {
  fillChannels(<usize>param(p, 9), <usize>param(p, 10), param(p, 1), param(p, 4), param(p, 3), param(p, 6), param(p, 14), param(p, 15), outPlane);
}

/**
 * Transposed convolution (float32): per batch item and group, cols = Wᵀ·X by {@link gemmTN}, tiled
 * over leading input positions so cols fits its capacity, then col2im along whole input rows.
 */
export function convTranspose(p: usize): void {
  const rank = param(p, 0);
  const batch = param(p, 1);
  const inC = param(p, 2);
  const outC = param(p, 3);
  const groups = param(p, 4);
  const cinG = param(p, 5);
  const coutG = param(p, 6);
  const x = <usize>param(p, 7);
  const w = <usize>param(p, 8);
  const out = <usize>param(p, 9);
  const cols = <usize>param(p, 11);
  const capacity = param(p, 12);
  const c0 = param(p, 14);
  const c1 = param(p, 15);
  let K = 1;
  let inPlane = 1;
  let outPlane = 1;
  for (let a = 0; a < rank; a++) {
    K *= axis(p, 2, rank, a);
    inPlane *= axis(p, 0, rank, a);
    outPlane *= axis(p, 1, rank, a);
  }
  fillTable(p, rank, K, 1);
  initOutput(p, outPlane);
  const table = <usize>param(p, 13);
  const last = rank - 1;
  const nLast = axis(p, 0, rank, last);
  const LL = axis(p, 1, rank, last);
  const sL = axis(p, 3, rank, last);
  const dL = axis(p, 4, rank, last);
  const pL = axis(p, 5, rank, last);
  const lead = inPlane / nLast;
  const M = coutG * K;
  const rowsOwned = (c1 - c0) * K;
  let rowsPerTile = capacity / (rowsOwned * nLast);
  if (rowsPerTile < 1) rowsPerTile = 1;
  if (rowsPerTile > lead) rowsPerTile = lead;
  for (let n = 0; n < batch; n++) {
    for (let g = 0; g < groups; g++) {
      const xBase = x + (<usize>((n * inC + g * cinG) * inPlane) << 2);
      const wBase = w + (<usize>(g * cinG * M + c0 * K) << 2);
      const outBase = out + (<usize>((n * outC + g * coutG) * outPlane) << 2);
      for (let q0 = 0; q0 < lead; q0 += rowsPerTile) {
        const q1 = min(lead, q0 + rowsPerTile);
        const T = (q1 - q0) * nLast;
        gemmTN(wBase, M, xBase + (<usize>(q0 * nLast) << 2), inPlane, cols, rowsOwned, T, cinG);
        for (let row = 0; row < rowsOwned; row++) {
          const t = row % K;
          const cog = c0 + row / K;
          const offL = load<i32>(table + (<usize>(t * rank + last) << 2)) * dL - pL;
          const lo = max(0, ceilDiv(-offL, sL));
          const hi = min(nLast, floorDiv(LL - 1 - offL, sL) + 1);
          if (lo >= hi) continue;
          const chan = outBase + (<usize>(cog * outPlane) << 2);
          for (let q = q0; q < q1; q++) {
            const lo2 = leading(p, rank, K, t, q, 0, 1);
            if (lo2 < 0) continue;
            addRow(chan + (<usize>(lo2 + offL + lo * sL) << 2), sL, cols + (<usize>(row * T + (q - q0) * nLast + lo) << 2), hi - lo);
          }
        }
      }
    }
  }
}

/**
 * Convolution (float32): for each (output channel, input channel of its group, tap), one strided
 * multiply-add along whole output rows, the valid range computed once per row.
 */
export function conv(p: usize): void {
  const rank = param(p, 0);
  const batch = param(p, 1);
  const inC = param(p, 2);
  const outC = param(p, 3);
  const cinG = param(p, 5);
  const coutG = param(p, 6);
  const x = <usize>param(p, 7);
  const w = <usize>param(p, 8);
  const out = <usize>param(p, 9);
  const c0 = param(p, 14);
  const c1 = param(p, 15);
  const groups = param(p, 4);
  let K = 1;
  let inPlane = 1;
  let outPlane = 1;
  for (let a = 0; a < rank; a++) {
    K *= axis(p, 2, rank, a);
    inPlane *= axis(p, 0, rank, a);
    outPlane *= axis(p, 1, rank, a);
  }
  fillTable(p, rank, K, 0);
  initOutput(p, outPlane);
  const table = <usize>param(p, 13);
  const last = rank - 1;
  const nLast = axis(p, 0, rank, last);
  const LL = axis(p, 1, rank, last);
  const sL = axis(p, 3, rank, last);
  const dL = axis(p, 4, rank, last);
  const pL = axis(p, 5, rank, last);
  const lead = outPlane / LL;
  for (let n = 0; n < batch; n++) {
    for (let g = 0; g < groups; g++) {
      for (let cog = c0; cog < c1; cog++) {
        const co = g * coutG + cog;
        const outBase = out + (<usize>((n * outC + co) * outPlane) << 2);
        for (let cig = 0; cig < cinG; cig++) {
          const xBase = x + (<usize>((n * inC + g * cinG + cig) * inPlane) << 2);
          const wBase = w + (<usize>((co * cinG + cig) * K) << 2);
          for (let t = 0; t < K; t++) {
            const wv = load<f32>(wBase + (<usize>t << 2));
            const offL = load<i32>(table + (<usize>(t * rank + last) << 2)) * dL - pL;
            const lo = max(0, ceilDiv(-offL, sL));
            const hi = min(LL, floorDiv(nLast - 1 - offL, sL) + 1);
            if (lo >= hi) continue;
            for (let q = 0; q < lead; q++) {
              const inOff = leading(p, rank, K, t, q, 1, 0);
              if (inOff < 0) continue;
              gatherAxpy(outBase + (<usize>(q * LL + lo) << 2), wv, xBase + (<usize>(inOff + offL + lo * sL) << 2), sL, hi - lo);
            }
          }
        }
      }
    }
  }
}
