import { describe, expect, it } from 'vitest';
import { tensor } from '@tconv/core';
import { prepareSparseConvTranspose, sparseBackend } from '@tconv/backend-sparse';
import { OVERFLOW_CASES, overflowProblem } from '@tconv/testing';

// Issue #16 item 12 (the rule and the problems: @tconv/testing's `OVERFLOW_CASES`).

describe('#16 item 12: float32 overflow in an intermediate', () => {
  it('gives 0 for an exact 0 whose products overflow, ±Inf for a real overflow', () => {
    for (const c of OVERFLOW_CASES) {
      const { channels, positions } = c;
      const { x, w, expected } = overflowProblem(c);
      expect(Array.from(sparseBackend.convTranspose(x, w).data)).toEqual(expected);
      // a prepared operator applied to a batch of two follows the same rule
      const op = prepareSparseConvTranspose([2, channels, positions], w);
      const batch = overflowProblem(c, 2).x;
      expect(Array.from(op.apply(batch).data)).toEqual([...expected, ...expected]);
    }
  });

  it('conv: [3e38, 3e38, −3e38] ⋆ [2, −2] is [0, +Inf]', () => {
    const y = sparseBackend.conv(tensor([3e38, 3e38, -3e38], [1, 1, 3]), tensor([2, -2], [1, 1, 2]));
    expect(Array.from(y.data)).toEqual([0, Number.POSITIVE_INFINITY]);
  });

  it('a NaN input is NaN exactly where it reaches; float64 follows the float64 definition', () => {
    const y = sparseBackend.convTranspose(tensor([1, Number.NaN, 2], [1, 1, 3]), tensor([1, 1], [1, 1, 2]), {
      stride: 2,
    });
    expect(Array.from(y.data)).toEqual([1, 1, Number.NaN, Number.NaN, 2, 2]);
    const y64 = sparseBackend.convTranspose(
      tensor(Float64Array.from([1e300, 1e300]), [1, 1, 2]),
      tensor(Float64Array.from([1e10, -1e10]), [1, 1, 2]),
    );
    // float64 is computed in float64 as the definition itself is: 1e310 overflows there, ∞ − ∞ is NaN
    expect(Array.from(y64.data)).toEqual([Number.POSITIVE_INFINITY, Number.NaN, Number.NEGATIVE_INFINITY]);
  });
});
