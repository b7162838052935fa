// Transposed convolution with Wᵀ's rows in the SIMD lanes (float32, 128-bit SIMD): the layers the
// other kernels tile badly — few output channels with long kernels (the iSTFT layer: Cout 1,
// kernel 2048, stride 512) and few input positions with many channels (DCGAN's 4×4 → 8×8, 512
// channels), where reading W in place walks it with a power-of-two stride (every read of a column
// of Wᵀ in one cache set) and a column buffer plus col2im doubles the traffic.
//
// cols[m][i] = Σ_ci W[ci][m] · X[ci][i] (m = output channel · K + tap) in 4 × 8 register tiles:
// 8 lanes of consecutive rows m (two f32x4: along the kernel's last axis, so contiguous in the
// output when that axis has dilation 1) × 4 input positions of one input row (4 splats). Both
// operands are packed so each step reads 16 + 32 contiguous bytes: the input once per group as
// [position tile][cinG][4], W per block of tiles as [tile][cinG][8] (read row by row, in order).
// Each finished tile is added straight into the output (no column buffer, no col2im pass): per
// position its lanes' outputs are 4 consecutive elements, one vector when all are inside.
//
// The parameter block is `lanes` in src/param-layout.ts (word indices in layout.generated.ts).

import {
  LANES_AXIS_DILATION,
  LANES_AXIS_INPUT_SIZE,
  LANES_AXIS_KERNEL_SIZE,
  LANES_AXIS_OUTPUT_SIZE,
  LANES_AXIS_PAD_BEGIN,
  LANES_AXIS_STRIDE,
  LANES_BATCH,
  LANES_BIAS,
  LANES_BLOCK_TILES,
  LANES_C0,
  LANES_C1,
  LANES_GROUPS,
  LANES_IN_CHANNELS_PER_GROUP,
  LANES_LEAD_TABLE,
  LANES_OUT,
  LANES_OUT_CHANNELS,
  LANES_OUT_CHANNELS_PER_GROUP,
  LANES_PACKED_W,
  LANES_PACKED_X,
  LANES_RANK,
  LANES_RESIDUE_HI,
  LANES_RESIDUE_LO,
  LANES_W,
  LANES_WORDS,
} from './layout.generated';
import { fillLeadTable, packInput, packWeights } from './lanes-pack';
import { fillChannels, fillResidues } from './output';
import { axisWord, word } from './params';
import { madd } from './simd';

// @inline
export function axis(p: usize, field: i32, rank: i32, a: i32): i32 {
  return axisWord(p, LANES_WORDS, field, rank, a);
}

/** ∏ of a per-axis field over axes [0, upTo). */
export function fieldProduct(p: usize, rank: i32, field: i32, upTo: i32): i32 {
  let n = 1;
  for (let a = 0; a < upTo; a++) n *= axis(p, field, rank, a);
  return n;
}

/**
 * Adds lane l of one accumulated vector (row m + l of Wᵀ in its group, position j of input row q)
 * into the output, wherever it lands, if this part owns the row: the general path, for vectors
 * whose lanes are not 4 consecutive outputs of this part (a tap row shorter than 4, dilation on the
 * last axis, the part's first or last rows).
 */
// @inline
function putLane(p: usize, v: f32, m: i32, outG: usize, q: i32, j: i32, leadT: usize): void {
  const rank = word(p, LANES_RANK);
  const last = rank - 1;
  const KL = axis(p, LANES_AXIS_KERNEL_SIZE, rank, last);
  const K = fieldProduct(p, rank, LANES_AXIS_KERNEL_SIZE, rank);
  if (m < word(p, LANES_C0) * K || m >= word(p, LANES_C1) * K) return;
  const cog = m / K;
  const t = m % K;
  const kLead = K / KL;
  const lo = load<i32>(leadT + ((<usize>(q * kLead + t / KL)) << 2));
  if (lo < 0) return;
  const oL =
    j * axis(p, LANES_AXIS_STRIDE, rank, last) +
    (t % KL) * axis(p, LANES_AXIS_DILATION, rank, last) -
    axis(p, LANES_AXIS_PAD_BEGIN, rank, last);
  if (oL < 0 || oL >= axis(p, LANES_AXIS_OUTPUT_SIZE, rank, last)) return;
  const outPlane = fieldProduct(p, rank, LANES_AXIS_OUTPUT_SIZE, rank);
  const o = outG + ((<usize>(cog * outPlane + lo + oL)) << 2);
  store<f32>(o, load<f32>(o) + v);
}

/**
 * Adds one accumulated vector (rows m … m + 3 of Wᵀ at position j of input row q) into the
 * output. `fast`: its lanes are 4 consecutive outputs of one channel and leading tap (`chan` the
 * channel's plane, `tl` the leading tap, `kw` the first lane's tap on the last axis); then one
 * vector when all 4 are inside the output row, else the lanes that are.
 */
// @inline
function put(
  p: usize,
  v: v128,
  fast: bool,
  m: i32,
  chan: usize,
  outG: usize,
  lead: i32,
  oL: i32,
  LL: i32,
  q: i32,
  j: i32,
  leadT: usize,
): void {
  if (fast) {
    if (lead < 0) return;
    const o = chan + ((<usize>(lead + oL)) << 2);
    if (oL >= 0 && oL + 4 <= LL) {
      v128.store(o, f32x4.add(v128.load(o), v));
      return;
    }
    if (oL >= 0 && oL < LL) store<f32>(o, load<f32>(o) + f32x4.extract_lane(v, 0));
    if (oL + 1 >= 0 && oL + 1 < LL) store<f32>(o, load<f32>(o, 4) + f32x4.extract_lane(v, 1), 4);
    if (oL + 2 >= 0 && oL + 2 < LL) store<f32>(o, load<f32>(o, 8) + f32x4.extract_lane(v, 2), 8);
    if (oL + 3 >= 0 && oL + 3 < LL) store<f32>(o, load<f32>(o, 12) + f32x4.extract_lane(v, 3), 12);
    return;
  }
  putLane(p, f32x4.extract_lane(v, 0), m, outG, q, j, leadT);
  putLane(p, f32x4.extract_lane(v, 1), m + 1, outG, q, j, leadT);
  putLane(p, f32x4.extract_lane(v, 2), m + 2, outG, q, j, leadT);
  putLane(p, f32x4.extract_lane(v, 3), m + 3, outG, q, j, leadT);
}

/**
 * Whether tile `mt` (rows 8·mt … 8·mt + 7 of Wᵀ: 8 taps of one tap row, the kernel's last axis of
 * `KL` taps a multiple of 8 when `rHi` > 0) is this part's: every tile, or one whose taps' last-axis
 * index modulo the stride `sL` is in [rLo, rHi).
 */
// @inline
function ownsTile(mt: i32, KL: i32, sL: i32, rLo: i32, rHi: i32): bool {
  if (rHi === 0) return true;
  const r = ((mt << 3) % KL) % sL;
  return r >= rLo && r < rHi;
}

/**
 * One tile's sums: rows of Wᵀ from the packed tile at `pb` ([cinG][8]) times 4 positions from the
 * packed input at `pa` ([cinG][4]), stored at `sums` as 4 positions × 2 vectors. A function of its
 * own (binaryen does not inline functions with loops), so the engine allocates the loop's 8
 * accumulators, 2 weight vectors and splat in registers without the caller's live values around.
 */
function tileSums(pa: usize, pb: usize, cinG: i32, sums: usize): void {
  const zero = f32x4.splat(0);
  let c00 = zero,
    c01 = zero,
    c10 = zero,
    c11 = zero,
    c20 = zero,
    c21 = zero,
    c30 = zero,
    c31 = zero;
  for (let ci = 0; ci < cinG; ci++) {
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
    pa += 16;
    pb += 32;
  }
  v128.store(sums, c00);
  v128.store(sums, c01, 16);
  v128.store(sums, c10, 32);
  v128.store(sums, c11, 48);
  v128.store(sums, c20, 64);
  v128.store(sums, c21, 80);
  v128.store(sums, c30, 96);
  v128.store(sums, c31, 112);
}

/** Transposed convolution (float32) with Wᵀ's rows in the SIMD lanes: see the file's opening comment. */
export function convTransposeLanes(p: usize): void {
  const rank = word(p, LANES_RANK);
  const batch = word(p, LANES_BATCH);
  const groups = word(p, LANES_GROUPS);
  const outC = word(p, LANES_OUT_CHANNELS);
  const cinG = word(p, LANES_IN_CHANNELS_PER_GROUP);
  const coutG = word(p, LANES_OUT_CHANNELS_PER_GROUP);
  const w = <usize>word(p, LANES_W);
  const out = <usize>word(p, LANES_OUT);
  const c0 = word(p, LANES_C0);
  const c1 = word(p, LANES_C1);
  const packedX = <usize>word(p, LANES_PACKED_X);
  const packedW = <usize>word(p, LANES_PACKED_W);
  const blockTiles = word(p, LANES_BLOCK_TILES);
  const leadT = <usize>word(p, LANES_LEAD_TABLE);
  const last = rank - 1;
  const K = fieldProduct(p, rank, LANES_AXIS_KERNEL_SIZE, rank);
  const outPlane = fieldProduct(p, rank, LANES_AXIS_OUTPUT_SIZE, rank);
  const lead = fieldProduct(p, rank, LANES_AXIS_INPUT_SIZE, last);
  const nL = axis(p, LANES_AXIS_INPUT_SIZE, rank, last);
  const LL = axis(p, LANES_AXIS_OUTPUT_SIZE, rank, last);
  const KL = axis(p, LANES_AXIS_KERNEL_SIZE, rank, last);
  const sL = axis(p, LANES_AXIS_STRIDE, rank, last);
  const dL = axis(p, LANES_AXIS_DILATION, rank, last);
  const pL = axis(p, LANES_AXIS_PAD_BEGIN, rank, last);
  const kLead = K / KL;
  // rows of Wᵀ in a group: this part's are [lo, hi); tiles of 8 rows are counted from the group's
  // first row, so a row's tile, and the order in which an output's sums are added, do not depend
  // on how the channels are split over threads
  const lo = c0 * K;
  const hi = c1 * K;
  const tileLo = lo >> 3;
  const tileHi = (hi + 7) >> 3;
  const jTiles = (nL + 3) >> 2;
  const xTileBytes = (<usize>cinG) << 4;
  const wTileBytes = (<usize>cinG) << 5;
  const ldw = coutG * K;
  // a part of a stride-phase split: the tiles whose taps have a last-axis residue in [rLo, rHi)
  // (whole tiles: the JavaScript side splits at multiples of 8), and the outputs of that residue
  const rLo = word(p, LANES_RESIDUE_LO);
  const rHi = word(p, LANES_RESIDUE_HI);
  if (rHi > 0) {
    fillResidues(out, <usize>word(p, LANES_BIAS), batch, outC, coutG, c0, c1, outPlane, LL, sL, pL, rLo, rHi);
  } else {
    fillChannels(out, <usize>word(p, LANES_BIAS), batch, groups, outC, coutG, c0, c1, outPlane);
  }
  fillLeadTable(p, leadT, rank, lead, kLead);
  // a tile's 8 sums, after the lead table (the JavaScript side leaves 36 floats there)
  const sums = (leadT + ((<usize>(lead * kLead)) << 2) + 15) & ~(<usize>15);
  for (let g = 0; g < groups; g++) {
    packInput(p, g, lead, nL, packedX);
    const wg = w + ((<usize>(g * cinG * ldw)) << 2);
    // blocks of up to blockTiles consecutive tiles this part computes (all of [tileLo, tileHi)
    // unless the part owns residues), in the order one thread takes them
    let b0 = tileLo;
    while (b0 < tileHi) {
      if (!ownsTile(b0, KL, sL, rLo, rHi)) {
        b0++;
        continue;
      }
      let b1 = b0 + 1;
      while (b1 < tileHi && b1 - b0 < blockTiles && ownsTile(b1, KL, sL, rLo, rHi)) b1++;
      packWeights(wg, ldw, lo, hi, cinG, b0, b1, packedW);
      for (let mt = b0; mt < b1; mt++) {
        const pw = packedW + <usize>(mt - b0) * wTileBytes;
        const m0 = mt << 3;
        const second = m0 + 4 < hi;
        for (let n = 0; n < batch; n++) {
          const outG = out + ((<usize>((n * outC + g * coutG) * outPlane)) << 2);
          // what each of the tile's two vectors writes to (see put): channel plane, leading tap,
          // first lane's tap on the last axis, and whether its lanes are 4 consecutive outputs
          const tapA = m0 % K;
          const kwA = tapA % KL;
          const tlA = tapA / KL;
          const chanA = outG + ((<usize>((m0 / K) * outPlane)) << 2);
          const fastA = dL === 1 && m0 >= lo && m0 + 4 <= hi && kwA + 4 <= KL;
          const tapB = (m0 + 4) % K;
          const kwB = tapB % KL;
          const tlB = tapB / KL;
          const chanB = outG + ((<usize>(((m0 + 4) / K) * outPlane)) << 2);
          const fastB = dL === 1 && m0 + 4 >= lo && m0 + 8 <= hi && kwB + 4 <= KL;
          let px = packedX + <usize>(n * lead * jTiles) * xTileBytes;
          for (let q = 0; q < lead; q++) {
            const leadA = load<i32>(leadT + ((<usize>(q * kLead + tlA)) << 2));
            const leadB = second ? load<i32>(leadT + ((<usize>(q * kLead + tlB)) << 2)) : -1;
            for (let jt = 0; jt < jTiles; jt++) {
              tileSums(px, pw, cinG, sums);
              px += xTileBytes;
              const j = jt << 2;
              const cnt = min(4, nL - j);
              const oA = j * sL + kwA - pL;
              const oB = j * sL + kwB - pL;
              put(p, v128.load(sums, 0), fastA, m0, chanA, outG, leadA, oA, LL, q, j, leadT);
              if (second) put(p, v128.load(sums, 16), fastB, m0 + 4, chanB, outG, leadB, oB, LL, q, j, leadT);
              if (cnt > 1) {
                put(p, v128.load(sums, 32), fastA, m0, chanA, outG, leadA, oA + sL, LL, q, j + 1, leadT);
                if (second)
                  put(
                    p,
                    v128.load(sums, 48),
                    fastB,
                    m0 + 4,
                    chanB,
                    outG,
                    leadB,
                    oB + sL,
                    LL,
                    q,
                    j + 1,
                    leadT,
                  );
              }
              if (cnt > 2) {
                put(p, v128.load(sums, 64), fastA, m0, chanA, outG, leadA, oA + 2 * sL, LL, q, j + 2, leadT);
                if (second)
                  put(
                    p,
                    v128.load(sums, 80),
                    fastB,
                    m0 + 4,
                    chanB,
                    outG,
                    leadB,
                    oB + 2 * sL,
                    LL,
                    q,
                    j + 2,
                    leadT,
                  );
              }
              if (cnt > 3) {
                put(p, v128.load(sums, 96), fastA, m0, chanA, outG, leadA, oA + 3 * sL, LL, q, j + 3, leadT);
                if (second)
                  put(
                    p,
                    v128.load(sums, 112),
                    fastB,
                    m0 + 4,
                    chanB,
                    outG,
                    leadB,
                    oB + 3 * sL,
                    LL,
                    q,
                    j + 3,
                    leadT,
                  );
              }
            }
          }
        }
      }
      b0 = b1;
    }
  }
}
