import { describe, expect, it } from 'vitest';
import { resolveConvTranspose } from '@tconv/core';
import { cpuBackend } from '@tconv/backend-cpu';
import { convTransposeImpl } from '@tconv/backend-cpu/internal';
import { OVERFLOW_CASES, overflowProblem, specialValueCases } from '@tconv/testing';

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

  it("conv overflow, NaN inputs and float64 give the definition's special values", () => {
    for (const c of specialValueCases()) {
      const y = cpuBackend[c.op](c.x, c.w, c.options);
      expect(Array.from(y.data), c.name).toEqual(c.expected);
    }
  });
});
