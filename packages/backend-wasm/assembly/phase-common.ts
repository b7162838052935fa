// What the two stride-phase kernels (phases.ts, thin.ts) share: the output's bias fill, the
// margined copy of the input, and adding a vector's first lanes into strided outputs.

import {
  MARGIN_SLACK,
  PHASES_BATCH,
  PHASES_BIAS,
  PHASES_C0,
  PHASES_C1,
  PHASES_GROUPS,
  PHASES_INPUT_ROWS,
  PHASES_IN_CHANNELS,
  PHASES_IN_CHANNELS_PER_GROUP,
  PHASES_IN_PLANE,
  PHASES_OUT,
  PHASES_OUT_CHANNELS,
  PHASES_OUT_CHANNELS_PER_GROUP,
  PHASES_OUT_PLANE,
  PHASES_PAD_PLANE,
  PHASES_ROW_DST,
  PHASES_ROW_LENGTH,
  PHASES_X,
} from './layout.generated';
import { fillChannels } from './output';
import { word } from './params';

/** out[o + l·step] += lane l of v, for the first n ≤ 4 lanes. */
// @inline
export function addLanes(o: usize, step: usize, v: v128, n: i32): void {
  store<f32>(o, load<f32>(o) + f32x4.extract_lane(v, 0));
  if (n > 1) store<f32>(o + step, load<f32>(o + step) + f32x4.extract_lane(v, 1));
  if (n > 2) store<f32>(o + 2 * step, load<f32>(o + 2 * step) + f32x4.extract_lane(v, 2));
  if (n > 3) store<f32>(o + 3 * step, load<f32>(o + 3 * step) + f32x4.extract_lane(v, 3));
}

/** Writes the bias (or zeros) into output channels [c0, c1) of every group. */
export function fillOutput(p: usize): void {
  fillChannels(
    <usize>word(p, PHASES_OUT),
    <usize>word(p, PHASES_BIAS),
    word(p, PHASES_BATCH),
    word(p, PHASES_GROUPS),
    word(p, PHASES_OUT_CHANNELS),
    word(p, PHASES_OUT_CHANNELS_PER_GROUP),
    word(p, PHASES_C0),
    word(p, PHASES_C1),
    word(p, PHASES_OUT_PLANE),
  );
}

/** Copies input channels of (batch item n, group g) into the margined buffer at `padded`, zeros around them. */
export function padInput(p: usize, n: i32, g: i32, padded: usize): void {
  const inC = word(p, PHASES_IN_CHANNELS);
  const cinG = word(p, PHASES_IN_CHANNELS_PER_GROUP);
  const x = <usize>word(p, PHASES_X);
  const inPlane = word(p, PHASES_IN_PLANE);
  const padPlane = word(p, PHASES_PAD_PLANE);
  const inputRows = word(p, PHASES_INPUT_ROWS);
  const rowDst = p + <usize>word(p, PHASES_ROW_DST);
  const nLast = word(p, PHASES_ROW_LENGTH);
  // MARGIN_SLACK floats of slack: the last tile of a row reads (and discards) up to 7 positions past it
  memory.fill(padded, 0, (<usize>(cinG * padPlane + MARGIN_SLACK)) << 2);
  for (let ci = 0; ci < cinG; ci++) {
    const src = x + ((<usize>((n * inC + g * cinG + ci) * inPlane)) << 2);
    const dst = padded + ((<usize>(ci * padPlane)) << 2);
    for (let q = 0; q < inputRows; q++) {
      memory.copy(
        dst + ((<usize>load<i32>(rowDst + ((<usize>q) << 2))) << 2),
        src + ((<usize>(q * nLast)) << 2),
        (<usize>nLast) << 2,
      );
    }
  }
}
