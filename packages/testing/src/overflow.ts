import type { Tensor } from '@tconv/core';
import { tensor } from '@tconv/core';

// Issue #16 item 12: a float32 result that is 0 in exact arithmetic while its products (or partial
// sums) overflow float32. The rule (core README, "Numerics"): such elements are the float64
// definition rounded once, so 0 here; ±Inf only where the exact result is beyond float32's range.
// Defined once here so every backend's overflow test checks the same problems.

/** One overflow problem: `channels` channels of `positions` values all `value`, kernel [+weight, −weight]. */
export interface OverflowCase {
  readonly channels: number;
  readonly positions: number;
  readonly value: number;
  readonly weight: number;
}

/** The overflow problems every backend is checked on (products past 3.4e38, exact sums 0 or ±Inf). */
export const OVERFLOW_CASES: readonly OverflowCase[] = [
  { channels: 1, positions: 6, value: 3e38, weight: 2 },
  { channels: 2, positions: 6, value: 2e38, weight: 1 },
  { channels: 4, positions: 8, value: 3e38, weight: 2 },
  { channels: 4, positions: 300, value: 3e38, weight: 2 },
];

/**
 * Builds an {@link OverflowCase}: x all `value` (batch `batch`), kernel [+w, −w] per channel
 * (depthwise, weight `[channels, 1, 2]`). The inner outputs are exactly 0 and the ends
 * ±channels·value·w (±Inf in float32); `expected` is one batch element's output.
 */
export function overflowProblem(
  { channels, positions, value, weight }: OverflowCase,
  batch = 1,
): { x: Tensor; w: Tensor; expected: number[] } {
  const x = tensor(new Float32Array(batch * channels * positions).fill(value), [batch, channels, positions]);
  const w = tensor(
    Float32Array.from({ length: channels * 2 }, (_, i) => (i % 2 === 0 ? weight : -weight)),
    [channels, 1, 2],
  );
  const expected = [Number.POSITIVE_INFINITY, ...new Array(positions - 1).fill(0), Number.NEGATIVE_INFINITY];
  return { x, w, expected };
}

/** A small problem with a special-value result, checked through a backend's `conv` or `convTranspose`. */
export interface SpecialValueCase {
  readonly name: string;
  readonly op: 'conv' | 'convTranspose';
  readonly x: Tensor;
  readonly w: Tensor;
  readonly options: { stride?: number };
  readonly expected: readonly number[];
}

/**
 * The special-value problems every backend is checked on: a convolution whose exact 0 has
 * overflowing products; a NaN input, NaN exactly where it reaches; float64, computed in float64 as
 * the definition is (1e310 overflows there, ∞ − ∞ is NaN).
 */
export function specialValueCases(): SpecialValueCase[] {
  return [
    {
      name: 'conv: [3e38, 3e38, −3e38] ⋆ [2, −2] is [0, +Inf]',
      op: 'conv',
      x: tensor([3e38, 3e38, -3e38], [1, 1, 3]),
      w: tensor([2, -2], [1, 1, 2]),
      options: {},
      expected: [0, Number.POSITIVE_INFINITY],
    },
    {
      name: 'a NaN input is NaN exactly where it reaches',
      op: 'convTranspose',
      x: tensor([1, Number.NaN, 2], [1, 1, 3]),
      w: tensor([1, 1], [1, 1, 2]),
      options: { stride: 2 },
      expected: [1, 1, Number.NaN, Number.NaN, 2, 2],
    },
    {
      name: 'float64 follows the float64 definition',
      op: 'convTranspose',
      x: tensor(Float64Array.from([1e300, 1e300]), [1, 1, 2]),
      w: tensor(Float64Array.from([1e10, -1e10]), [1, 1, 2]),
      options: {},
      expected: [Number.POSITIVE_INFINITY, Number.NaN, Number.NEGATIVE_INFINITY],
    },
  ];
}
