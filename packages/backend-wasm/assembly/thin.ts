// Transposed convolution by stride phases for thin groups (depthwise and other groups of few input
// channels): the same tables as phases.ts (core's phaseLayout), without a reduction worth a GEMM
// tile. Per output channel and phase row, the few taps' products summed four positions at a time.

import {
  PHASES_BATCH,
  PHASES_C0,
  PHASES_C1,
  PHASES_GROUPS,
  PHASES_IN_CHANNELS_PER_GROUP,
  PHASES_LAST_STRIDE,
  PHASES_OUT,
  PHASES_OUT_CHANNELS,
  PHASES_OUT_CHANNELS_PER_GROUP,
  PHASES_OUT_PLANE,
  PHASES_PADDED,
  PHASES_PAD_PLANE,
  PHASES_PHASE_COUNT,
  PHASES_PHASE_TABLE,
  PHASES_TAPS,
  PHASES_W,
  PHASE_ENTRY_BYTES,
  PHASE_ENTRY_COUNT,
  PHASE_ENTRY_KERNEL_OFFSETS,
  PHASE_ENTRY_LAST_RESIDUE,
  PHASE_ENTRY_LEADING_RESIDUES,
  PHASE_ENTRY_ROWS,
  PHASE_ENTRY_ROW_TABLE,
  PHASE_ENTRY_SHIFTS,
  PHASE_ENTRY_TAPS,
} from './layout.generated';
import { madd } from './simd';
import { entryWord, word } from './params';
import { addLanes, fillOutput, padInput } from './phase-common';

/**
 * Σ over the input channels of the group and the phase's taps of weight · input, for 4 positions
 * from `pb` (a margined-input address): one f32x4 of a thin group's phase row.
 */
// @inline
function thinVector(
  pb: usize,
  cinG: i32,
  planeBytes: usize,
  wb: usize,
  ciBytes: usize,
  taps: i32,
  shifts: usize,
  kOffs: usize,
): v128 {
  let acc = f32x4.splat(0);
  for (let ci = 0; ci < cinG; ci++) {
    const x = pb + <usize>ci * planeBytes;
    const wc = wb + <usize>ci * ciBytes;
    for (let t = 0; t < taps; t++) {
      const tb = (<usize>t) << 2;
      const wv = v128.load32_splat(wc + ((<usize>load<i32>(kOffs + tb)) << 2));
      acc = madd(wv, v128.load(x + ((<usize>load<i32>(shifts + tb)) << 2)), acc);
    }
  }
  return acc;
}

/** The scalar of {@link thinVector} for one position: the rows' tails. */
// @inline
function thinScalar(
  pb: usize,
  cinG: i32,
  planeBytes: usize,
  wb: usize,
  ciBytes: usize,
  taps: i32,
  shifts: usize,
  kOffs: usize,
): f32 {
  let acc: f32 = 0;
  for (let ci = 0; ci < cinG; ci++) {
    const x = pb + <usize>ci * planeBytes;
    const wc = wb + <usize>ci * ciBytes;
    for (let t = 0; t < taps; t++) {
      const tb = (<usize>t) << 2;
      acc +=
        load<f32>(wc + ((<usize>load<i32>(kOffs + tb)) << 2)) *
        load<f32>(x + ((<usize>load<i32>(shifts + tb)) << 2));
    }
  }
  return acc;
}

/** Margined-input address of the first read of row q of the phase at `entry`. */
// @inline
function rowInput(p: usize, padded: usize, entry: usize, q: i32): usize {
  return (
    padded + ((<usize>load<i32>(p + <usize>entryWord(entry, PHASE_ENTRY_ROW_TABLE) + ((<usize>q) << 3))) << 2)
  );
}

/** {@link thinVector} for positions j… of a phase row starting at `x`, the taps from the phase's entry. */
// @inline
function phaseVector(
  p: usize,
  x: usize,
  j: i32,
  cinG: i32,
  planeBytes: usize,
  wb: usize,
  ciBytes: usize,
  entry: usize,
): v128 {
  return thinVector(
    x + ((<usize>j) << 2),
    cinG,
    planeBytes,
    wb,
    ciBytes,
    entryWord(entry, PHASE_ENTRY_TAPS),
    p + <usize>entryWord(entry, PHASE_ENTRY_SHIFTS),
    p + <usize>entryWord(entry, PHASE_ENTRY_KERNEL_OFFSETS),
  );
}

/** {@link thinScalar} for position j of a phase row starting at `x`. */
// @inline
function phaseScalar(
  p: usize,
  x: usize,
  j: i32,
  cinG: i32,
  planeBytes: usize,
  wb: usize,
  ciBytes: usize,
  entry: usize,
): f32 {
  return thinScalar(
    x + ((<usize>j) << 2),
    cinG,
    planeBytes,
    wb,
    ciBytes,
    entryWord(entry, PHASE_ENTRY_TAPS),
    p + <usize>entryWord(entry, PHASE_ENTRY_SHIFTS),
    p + <usize>entryWord(entry, PHASE_ENTRY_KERNEL_OFFSETS),
  );
}

/**
 * Whether phases f … f + sL − 1 of the table are residues 0 … sL − 1 of the last axis under the
 * same leading residues (so they fill whole output rows together).
 */
function interleavable(table: usize, f: i32, count: i32, sL: i32): bool {
  if (f + sL > count) return false;
  const lead = entryWord(table + <usize>(f * PHASE_ENTRY_BYTES), PHASE_ENTRY_LEADING_RESIDUES);
  for (let r = 0; r < sL; r++) {
    const e = table + <usize>((f + r) * PHASE_ENTRY_BYTES);
    if (entryWord(e, PHASE_ENTRY_LAST_RESIDUE) !== r || entryWord(e, PHASE_ENTRY_LEADING_RESIDUES) !== lead)
      return false;
  }
  return true;
}

/**
 * Transposed convolution (float32) by stride phases for thin groups (depthwise and other groups of
 * few input channels), where there is no reduction worth a GEMM: per output channel and phase row,
 * the few taps' products summed along the row four positions at a time, weights read in place.
 * With stride 2 or 4 on the last axis the phases of a row are computed together and interleaved,
 * so the output is written in whole vectors instead of lane by lane. Same parameter block as
 * {@link convTransposePhases}; the panel is unused.
 */
export function convTransposeThin(p: usize): void {
  const batch = word(p, PHASES_BATCH);
  const groups = word(p, PHASES_GROUPS);
  const outC = word(p, PHASES_OUT_CHANNELS);
  const cinG = word(p, PHASES_IN_CHANNELS_PER_GROUP);
  const coutG = word(p, PHASES_OUT_CHANNELS_PER_GROUP);
  const w = <usize>word(p, PHASES_W);
  const out = <usize>word(p, PHASES_OUT);
  const K = word(p, PHASES_TAPS);
  const outPlane = word(p, PHASES_OUT_PLANE);
  const c0 = word(p, PHASES_C0);
  const c1 = word(p, PHASES_C1);
  const padded = <usize>word(p, PHASES_PADDED);
  const padPlane = word(p, PHASES_PAD_PLANE);
  const phaseCount = word(p, PHASES_PHASE_COUNT);
  const phaseTable = p + <usize>word(p, PHASES_PHASE_TABLE);
  const sL = word(p, PHASES_LAST_STRIDE);
  const planeBytes = (<usize>padPlane) << 2;
  const ciBytes = (<usize>(coutG * K)) << 2;
  const stepBytes = (<usize>sL) << 2;
  fillOutput(p);
  for (let n = 0; n < batch; n++) {
    for (let g = 0; g < groups; g++) {
      padInput(p, n, g, padded);
      for (let cog = c0; cog < c1; cog++) {
        const oc = out + ((<usize>((n * outC + g * coutG + cog) * outPlane)) << 2);
        const wb = w + ((<usize>((g * cinG * coutG + cog) * K)) << 2);
        for (let f = 0; f < phaseCount; f++) {
          const a = phaseTable + <usize>(f * PHASE_ENTRY_BYTES);
          const countA = entryWord(a, PHASE_ENTRY_COUNT);
          const rows = entryWord(a, PHASE_ENTRY_ROWS);
          const rowsA = p + <usize>entryWord(a, PHASE_ENTRY_ROW_TABLE);
          // stride 2 or 4 on the last axis with every residue present: the phases of a row
          // together, interleaved into whole output vectors
          if ((sL === 2 || sL === 4) && interleavable(phaseTable, f, phaseCount, sL)) {
            const e1 = a + <usize>PHASE_ENTRY_BYTES;
            const e2 = a + <usize>(2 * PHASE_ENTRY_BYTES);
            const e3 = a + <usize>(3 * PHASE_ENTRY_BYTES);
            const last = sL === 2 ? e1 : e3;
            const full = entryWord(last, PHASE_ENTRY_COUNT); // the shortest phase: residues past it have one more
            for (let q = 0; q < rows; q++) {
              const o = oc + ((<usize>load<i32>(rowsA + ((<usize>q) << 3), 4)) << 2);
              const x0 = rowInput(p, padded, a, q);
              const x1 = rowInput(p, padded, e1, q);
              let j = 0;
              if (sL === 2) {
                for (; j + 4 <= full; j += 4) {
                  const v0 = phaseVector(p, x0, j, cinG, planeBytes, wb, ciBytes, a);
                  const v1 = phaseVector(p, x1, j, cinG, planeBytes, wb, ciBytes, e1);
                  const at = o + ((<usize>j) << 3);
                  v128.store(at, f32x4.add(v128.load(at), v128.shuffle<f32>(v0, v1, 0, 4, 1, 5)));
                  v128.store(at, f32x4.add(v128.load(at, 16), v128.shuffle<f32>(v0, v1, 2, 6, 3, 7)), 16);
                }
              } else {
                const x2 = rowInput(p, padded, e2, q);
                const x3 = rowInput(p, padded, e3, q);
                for (; j + 4 <= full; j += 4) {
                  const v0 = phaseVector(p, x0, j, cinG, planeBytes, wb, ciBytes, a);
                  const v1 = phaseVector(p, x1, j, cinG, planeBytes, wb, ciBytes, e1);
                  const v2 = phaseVector(p, x2, j, cinG, planeBytes, wb, ciBytes, e2);
                  const v3 = phaseVector(p, x3, j, cinG, planeBytes, wb, ciBytes, e3);
                  // 4×4 transpose: output vector k holds lane k of every phase
                  const t0 = v128.shuffle<f32>(v0, v1, 0, 4, 1, 5);
                  const t1 = v128.shuffle<f32>(v2, v3, 0, 4, 1, 5);
                  const t2 = v128.shuffle<f32>(v0, v1, 2, 6, 3, 7);
                  const t3 = v128.shuffle<f32>(v2, v3, 2, 6, 3, 7);
                  const at = o + ((<usize>j) << 4);
                  v128.store(at, f32x4.add(v128.load(at), v128.shuffle<f32>(t0, t1, 0, 1, 4, 5)));
                  v128.store(at, f32x4.add(v128.load(at, 16), v128.shuffle<f32>(t0, t1, 2, 3, 6, 7)), 16);
                  v128.store(at, f32x4.add(v128.load(at, 32), v128.shuffle<f32>(t2, t3, 0, 1, 4, 5)), 32);
                  v128.store(at, f32x4.add(v128.load(at, 48), v128.shuffle<f32>(t2, t3, 2, 3, 6, 7)), 48);
                }
              }
              for (let r = 0; r < sL; r++) {
                const e = a + <usize>(r * PHASE_ENTRY_BYTES);
                const x = rowInput(p, padded, e, q);
                for (let i = j; i < entryWord(e, PHASE_ENTRY_COUNT); i++) {
                  const at = o + ((<usize>(i * sL + r)) << 2);
                  store<f32>(at, load<f32>(at) + phaseScalar(p, x, i, cinG, planeBytes, wb, ciBytes, e));
                }
              }
            }
            f += sL - 1;
            continue;
          }
          for (let q = 0; q < rows; q++) {
            const xa = rowInput(p, padded, a, q);
            const o = oc + ((<usize>load<i32>(rowsA + ((<usize>q) << 3), 4)) << 2);
            let j = 0;
            for (; j + 4 <= countA; j += 4) {
              const v = phaseVector(p, xa, j, cinG, planeBytes, wb, ciBytes, a);
              const at = o + <usize>j * stepBytes;
              if (sL === 1) v128.store(at, f32x4.add(v128.load(at), v));
              else addLanes(at, stepBytes, v, 4);
            }
            for (; j < countA; j++) {
              const at = o + <usize>j * stepBytes;
              store<f32>(at, load<f32>(at) + phaseScalar(p, xa, j, cinG, planeBytes, wb, ciBytes, a));
            }
          }
        }
      }
    }
  }
}
