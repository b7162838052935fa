// The tap table the direct kernels and the weight gradient fill and read: per kernel tap its
// coordinates ([K][rank] i32), then `rank` row-major strides of the side the taps reach.

import { axisWord } from './params';

/**
 * Fills the tap table at `table` from the block at `p` (whose scalars take `scalars` words):
 * coordinates of each of the K taps over the axis sizes of `kernelField`, then the row-major
 * strides of the axis sizes of `sizeField`.
 */
export function fillTapTable(
  p: usize,
  table: usize,
  rank: i32,
  K: i32,
  scalars: i32,
  kernelField: i32,
  sizeField: i32,
): void {
  for (let t = 0; t < K; t++) {
    let rest = t;
    for (let a = rank - 1; a >= 0; a--) {
      const k = axisWord(p, scalars, kernelField, rank, a);
      store<i32>(table + ((<usize>(t * rank + a)) << 2), rest % k);
      rest /= k;
    }
  }
  let stride = 1;
  for (let a = rank - 1; a >= 0; a--) {
    store<i32>(table + ((<usize>(K * rank + a)) << 2), stride);
    stride *= axisWord(p, scalars, sizeField, rank, a);
  }
}

/** Coordinate of tap t on axis a. */
// @inline
export function tapCoordinate(table: usize, rank: i32, t: i32, a: i32): i32 {
  return load<i32>(table + ((<usize>(t * rank + a)) << 2));
}

/** Row-major stride of axis a of the reached side. */
// @inline
export function reachedStride(table: usize, rank: i32, K: i32, a: i32): i32 {
  return load<i32>(table + ((<usize>(K * rank + a)) << 2));
}

// @inline

export function ceilDiv(a: i32, b: i32): i32 {
  return a >= 0 ? (a + b - 1) / b : -(-a / b);
}

// @inline

export function floorDiv(a: i32, b: i32): i32 {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}
