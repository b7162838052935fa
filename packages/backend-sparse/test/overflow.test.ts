import { describe, expect, it } from 'vitest';
import { prepareSparseConvTranspose, sparseBackend } from '@tconv/backend-sparse';
import { OVERFLOW_CASES, overflowProblem, specialValueCases } from '@tconv/testing';

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

  it("conv overflow, NaN inputs and float64 give the definition's special values", () => {
    for (const c of specialValueCases()) {
      const y = sparseBackend[c.op](c.x, c.w, c.options);
      expect(Array.from(y.data), c.name).toEqual(c.expected);
    }
  });
});
