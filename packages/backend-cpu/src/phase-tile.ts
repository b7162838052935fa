import type { FloatArray, PhaseEntry } from '@tconv/core';

/*
 * The stride-phase kernel's register tile (3 output channels × 4 positions, twelve float64
 * accumulators) and the loop over one output row of an entry that drives it; the setup (packing,
 * margins, rows) is in stride-phases.ts. Kept apart so that V8 inlines the tile into a loop with
 * few live values.
 */

/** Output channels per register tile (the kernel's literal 3). */
export const MR = 3;
/** Output positions (along the last axis of one phase) per register tile (the kernel's literal 4). */
export const NR = 4;
/** Input channels per pass, so one tile's input reads stay in L1 across the channel tiles. */
const CHANNEL_BLOCK = 128;
/**
 * Elements between the packed weights of one tap and the next within a tile: 3·cinG plus one
 * cache line, so the taps' streams (written together when packing, read together by a tile) do
 * not fall in one L1 set when 24·cinG bytes is a multiple of 4 KiB.
 */
export const slotStride = (cinG: number): number => cinG * MR + 8;

/**
 * Every tile of one output row of a phase: input channels in blocks of {@link CHANNEL_BLOCK}, then
 * 4 positions at a time across all channel tiles of the block, so those positions' input reads
 * stay in L1. Kept apart from the setup so that V8 inlines the tile into a loop with few live values.
 */
export function phaseRow(
  F: Float64Array,
  panel: number,
  ph: PhaseEntry,
  xb: number,
  padPlane: number,
  ints: Int32Array,
  shifts: number,
  slots: number,
  live: number,
  cinG: number,
  out: FloatArray,
  ob: number,
  outPlane: number,
  sL: number,
  cb0: number,
  cb1: number,
): void {
  const count = ph.count;
  const tileElements = ph.taps * slotStride(cinG);
  for (let c0 = 0; c0 < cinG; c0 += CHANNEL_BLOCK) {
    const c1 = Math.min(cinG, c0 + CHANNEL_BLOCK);
    for (let j0 = 0; j0 < count; j0 += NR) {
      const cols = Math.min(NR, count - j0);
      for (let co = cb0; co < cb1; co += MR) {
        tileKernel(
          F,
          panel + (((co - cb0) / MR) | 0) * tileElements,
          (xb + j0 + c0 * padPlane) | 0,
          padPlane,
          ints,
          shifts,
          slots,
          live,
          c0,
          c1 - c0,
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
 * One 3 × 4 register tile: twelve float64 accumulators over `live` slots × `channels` (input channels
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
  slots: number,
  live: number,
  c0: number,
  channels: number,
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
  for (let t = 0; t < live; t++) {
    // `| 0` on every index: int32 adds without overflow checks; the loop runs on the weight index
    // (literals, not MR: a module constant is a context load and hole check per iteration)
    let xi = (xb + ints[shifts + t]!) | 0;
    let pa = (panel + ints[slots + t]! + c0 * 3) | 0;
    const end = (pa + channels * 3) | 0;
    for (; pa < end; pa = (pa + 3) | 0) {
      const a0 = F[pa]!;
      const a1 = F[(pa + 1) | 0]!;
      const a2 = F[(pa + 2) | 0]!;
      let b = F[xi]!;
      c00 += a0 * b;
      c10 += a1 * b;
      c20 += a2 * b;
      b = F[(xi + 1) | 0]!;
      c01 += a0 * b;
      c11 += a1 * b;
      c21 += a2 * b;
      b = F[(xi + 2) | 0]!;
      c02 += a0 * b;
      c12 += a1 * b;
      c22 += a2 * b;
      b = F[(xi + 3) | 0]!;
      c03 += a0 * b;
      c13 += a1 * b;
      c23 += a2 * b;
      xi = (xi + padPlane) | 0;
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
