// The lanes kernel's packing (assembly/lanes.ts): the input of a group as tiles of 4 positions,
// blocks of W as tiles of 8 rows of Wᵀ, and the table of leading output offsets.

import {
  LANES_AXIS_DILATION,
  LANES_AXIS_INPUT_SIZE,
  LANES_AXIS_KERNEL_SIZE,
  LANES_AXIS_OUTPUT_SIZE,
  LANES_AXIS_PAD_BEGIN,
  LANES_AXIS_STRIDE,
  LANES_BATCH,
  LANES_IN_CHANNELS,
  LANES_IN_CHANNELS_PER_GROUP,
  LANES_X,
} from './layout.generated';
import { axis } from './lanes';
import { word } from './params';

/**
 * Per leading input position q (every axis but the last) and leading tap tl: the element offset
 * of their output's leading coordinates in an output plane, or −1 when one is outside.
 */
export function fillLeadTable(p: usize, table: usize, rank: i32, lead: i32, kLead: i32): void {
  const last = rank - 1;
  for (let q = 0; q < lead; q++) {
    for (let tl = 0; tl < kLead; tl++) {
      let restQ = q;
      let restT = tl;
      let off = 0;
      let stride = axis(p, LANES_AXIS_OUTPUT_SIZE, rank, last);
      for (let a = last - 1; a >= 0; a--) {
        const n = axis(p, LANES_AXIS_INPUT_SIZE, rank, a);
        const k = axis(p, LANES_AXIS_KERNEL_SIZE, rank, a);
        const size = axis(p, LANES_AXIS_OUTPUT_SIZE, rank, a);
        const o =
          (restQ % n) * axis(p, LANES_AXIS_STRIDE, rank, a) +
          (restT % k) * axis(p, LANES_AXIS_DILATION, rank, a) -
          axis(p, LANES_AXIS_PAD_BEGIN, rank, a);
        restQ /= n;
        restT /= k;
        if (o < 0 || o >= size) {
          off = -1;
          break;
        }
        off += o * stride;
        stride *= size;
      }
      store<i32>(table + ((<usize>(q * kLead + tl)) << 2), off);
    }
  }
}

/**
 * Packs every batch item's input channels of group g as [item][row][tile of 4 positions][cinG][4],
 * positions past the row's end zero.
 */
export function packInput(p: usize, g: i32, lead: i32, nL: i32, packed: usize): void {
  const batch = word(p, LANES_BATCH);
  const inC = word(p, LANES_IN_CHANNELS);
  const cinG = word(p, LANES_IN_CHANNELS_PER_GROUP);
  const x = <usize>word(p, LANES_X);
  const inPlane = lead * nL;
  const full = nL >> 2;
  const tiles = (nL + 3) >> 2;
  let dst = packed;
  for (let n = 0; n < batch; n++) {
    const xg = x + ((<usize>((n * inC + g * cinG) * inPlane)) << 2);
    for (let q = 0; q < lead; q++) {
      for (let jt = 0; jt < tiles; jt++) {
        let src = xg + ((<usize>(q * nL + jt * 4)) << 2);
        const planeBytes = (<usize>inPlane) << 2;
        if (jt < full) {
          for (let ci = 0; ci < cinG; ci++) {
            v128.store(dst, v128.load(src));
            src += planeBytes;
            dst += 16;
          }
        } else {
          const rest = nL - jt * 4;
          for (let ci = 0; ci < cinG; ci++) {
            v128.store(dst, f32x4.splat(0));
            for (let r = 0; r < rest; r++)
              store<f32>(dst + ((<usize>r) << 2), load<f32>(src + ((<usize>r) << 2)));
            src += planeBytes;
            dst += 16;
          }
        }
      }
    }
  }
}

/** Input channels whose rows one pass of {@link packWeights} reads together. */
const PACK_CHANNELS: i32 = 8;

/**
 * Packs tiles [t0, t1) of 8 rows of Wᵀ (rows m of a group from `wg`, whose input channels are `ldw`
 * floats apart) as [tile][cinG][8], rows outside this part's [lo, hi) zero. Reads W in order, up
 * to {@link PACK_CHANNELS} input channels' rows at a time, so each tile takes 256 contiguous bytes
 * per pass: one channel per pass wrote 32 bytes per tile, tiles 32·cinG bytes apart (16 KiB on
 * DCGAN's 512-channel layer: every write in one L1 set), so each cache line was evicted between
 * its two halves — 1.5 ms of a 7.4 ms dcgan-4to8 call (2-core AMD EPYC Zen 3, same process).
 */
export function packWeights(
  wg: usize,
  ldw: i32,
  lo: i32,
  hi: i32,
  cinG: i32,
  t0: i32,
  t1: i32,
  packed: usize,
): void {
  const tileBytes = (<usize>cinG) << 5;
  const rowBytes = (<usize>ldw) << 2;
  for (let c0 = 0; c0 < cinG; c0 += PACK_CHANNELS) {
    const rows = min(PACK_CHANNELS, cinG - c0);
    const src = wg + <usize>c0 * rowBytes;
    let dst = packed + ((<usize>c0) << 5);
    for (let t = t0; t < t1; t++) {
      const m0 = t << 3;
      let s = src + ((<usize>m0) << 2);
      let d = dst;
      if (m0 >= lo && m0 + 8 <= hi) {
        for (let c = 0; c < rows; c++) {
          v128.store(d, v128.load(s));
          v128.store(d, v128.load(s, 16), 16);
          s += rowBytes;
          d += 32;
        }
      } else {
        for (let c = 0; c < rows; c++) {
          v128.store(d, f32x4.splat(0));
          v128.store(d, f32x4.splat(0), 16);
          for (let m = max(m0, lo); m < min(m0 + 8, hi); m++) {
            store<f32>(d + ((<usize>(m - m0)) << 2), load<f32>(s + ((<usize>(m - m0)) << 2)));
          }
          s += rowBytes;
          d += 32;
        }
      }
      dst += tileBytes;
    }
  }
}
