// What the stride-phase backward kernels share (weight-gradient-phases.ts, conv-phases.ts): rows
// of a tensor split into the stride phases of its last axis — D_ρ[e] = row[(e + minShift)·s + ρ],
// so that reads at i·s + off (off = shift·s + ρ) become D_ρ[i + shift − minShift], contiguous in i
// — and the table of which phase row each (tap, row of the other side) reads.

import { axisWord } from './params';
import { floorDiv } from './taps';

/**
 * Splits `channels` channels (planes `srcPlaneBytes` apart) of `rows` rows of length L into their
 * phases: per channel (`dstChannelBytes` apart), row and phase ρ < s, `R` floats
 * D[e] = row[(e + minShift)·s + ρ], zeros where that is outside the row.
 */
export function splitPhases(
  src: usize,
  srcPlaneBytes: usize,
  channels: i32,
  rows: i32,
  L: i32,
  s: i32,
  R: i32,
  minShift: i32,
  dst: usize,
  dstChannelBytes: usize,
): void {
  const step = (<usize>s) << 2;
  // e reads inside from e0 = −minShift on (0 ≤ ρ < s), to (e + minShift)·s + ρ ≤ L − 1
  const e0 = min(R, max(0, -minShift));
  for (let c = 0; c < channels; c++) {
    let out = dst + <usize>c * dstChannelBytes;
    for (let row = 0; row < rows; row++) {
      const from = src + <usize>c * srcPlaneBytes + ((<usize>(row * L)) << 2);
      for (let rho = 0; rho < s; rho++) {
        const e1 = min(R, max(e0, floorDiv(L - 1 - rho, s) - minShift + 1));
        if (e0 > 0) memory.fill(out, 0, (<usize>e0) << 2);
        let at = from + ((<usize>((e0 + minShift) * s + rho)) << 2);
        if (s === 1) {
          memory.copy(out + ((<usize>e0) << 2), at, (<usize>(e1 - e0)) << 2);
        } else {
          for (let e = e0; e < e1; e++) {
            store<f32>(out + ((<usize>e) << 2), load<f32>(at));
            at += step;
          }
        }
        if (e1 < R) memory.fill(out + ((<usize>e1) << 2), 0, (<usize>(R - e1)) << 2);
        out += (<usize>R) << 2;
      }
    }
  }
}

/**
 * Fills `table` (per tap k and row q of side a: word k·aLead + q) with the element offset, in a
 * channel's phases of side b, of the phase row tap k reads for row q — or `outside` when a leading
 * axis reads outside b. The block at `p` (scalars `scalars` words) holds a's and b's sizes and the
 * kernel, stride, dilation and padBegin per axis in the given fields.
 */
export function fillPhaseTable(
  p: usize,
  scalars: i32,
  aField: i32,
  bField: i32,
  kField: i32,
  sField: i32,
  dField: i32,
  pField: i32,
  table: usize,
  rank: i32,
  K: i32,
  aLead: i32,
  R: i32,
  minShift: i32,
  outside: i32,
): void {
  const last = rank - 1;
  const sL = axisWord(p, scalars, sField, rank, last);
  const kL = axisWord(p, scalars, kField, rank, last);
  for (let k = 0; k < K; k++) {
    const off =
      (k % kL) * axisWord(p, scalars, dField, rank, last) - axisWord(p, scalars, pField, rank, last);
    const shift = floorDiv(off, sL);
    const inRow = (off - shift * sL) * R + shift - minShift;
    const leadTap = k / kL;
    for (let q = 0; q < aLead; q++) {
      // b's row for (q, k): row-major over the leading axes
      let restQ = q;
      let restK = leadTap;
      let bRow = 0;
      let scale = 1;
      let inside = true;
      for (let a = last - 1; a >= 0; a--) {
        const na = axisWord(p, scalars, aField, rank, a);
        const ka = axisWord(p, scalars, kField, rank, a);
        const nb = axisWord(p, scalars, bField, rank, a);
        const pos =
          (restQ % na) * axisWord(p, scalars, sField, rank, a) +
          (restK % ka) * axisWord(p, scalars, dField, rank, a) -
          axisWord(p, scalars, pField, rank, a);
        restQ /= na;
        restK /= ka;
        if (pos < 0 || pos >= nb) inside = false;
        bRow += pos * scale;
        scale *= nb;
      }
      store<i32>(table + ((<usize>(k * aLead + q)) << 2), inside ? bRow * sL * R + inRow : outside);
    }
  }
}
