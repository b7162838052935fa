import { describe, expect, it } from 'vitest';
import { resolveConvTranspose, tensor } from '@tconv/core';
import { cpuBackend } from '@tconv/backend-cpu';
import { convTransposeImpl } from '@tconv/backend-cpu/internal';
import { OVERFLOW_CASES, overflowProblem } from '@tconv/testing';

// Issue #16 item 12 (the rule and the problems: @tconv/testing's `OVERFLOW_CASES`).

describe('#16 item 12: float32 overflow in an intermediate', () => {
  it('every kernel gives 0 for an exact 0 whose products overflow, ±Inf for a real overflow', () => {
    for (const c of OVERFLOW_CASES) {
      const { channels, positions } = c;
      const { x, w, expected } = overflowProblem(c);
      expect(Array.from(cpuBackend.convTranspose(x, w).data)).toEqual(expected);
      const g = resolveConvTranspose(x.shape, w.shape);
      for (const kernel of ['direct', 'gemm', 'phases'] as const) {
        const out = new Float32Array(positions + 1);
        convTransposeImpl(g, x.data, w.data, null, out, kernel);
        expect(Array.from(out), `${kernel}, ${channels} channels`).toEqual(expected);
      }
    }
  });

  it('conv: [3e38, 3e38, −3e38] ⋆ [2, −2] is [0, +Inf]', () => {
    const y = cpuBackend.conv(tensor([3e38, 3e38, -3e38], [1, 1, 3]), tensor([2, -2], [1, 1, 2]));
    expect(Array.from(y.data)).toEqual([0, Number.POSITIVE_INFINITY]);
  });

  it('a NaN input is NaN exactly where it reaches; float64 follows the float64 definition', () => {
    const y = cpuBackend.convTranspose(tensor([1, Number.NaN, 2], [1, 1, 3]), tensor([1, 1], [1, 1, 2]), {
      stride: 2,
    });
    expect(Array.from(y.data)).toEqual([1, 1, Number.NaN, Number.NaN, 2, 2]);
    const y64 = cpuBackend.convTranspose(
      tensor(Float64Array.from([1e300, 1e300]), [1, 1, 2]),
      tensor(Float64Array.from([1e10, -1e10]), [1, 1, 2]),
    );
    // float64 is computed in float64 as the definition itself is: 1e310 overflows there, ∞ − ∞ is NaN
    expect(Array.from(y64.data)).toEqual([Number.POSITIVE_INFINITY, Number.NaN, Number.NEGATIVE_INFINITY]);
  });
});
