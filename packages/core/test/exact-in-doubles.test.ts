// The shape arithmetic computes in doubles below EXACT_IN_DOUBLE (2^49) and in BigInt above it:
// both paths must give the exact result (or the same error) on every magnitude, on both sides of
// the switch. References here are BigInt formulas written out in the test.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkInt32Geometry,
  checkSafeGeometry,
  convOutputSize,
  convTransposeOutputSize,
  LimitError,
  OptionError,
  resolveConvTranspose,
} from '@tconv/core';

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Integers of every scale: small ones, and ones around 2^31 (the int32 limit), 2^49 (the switch) and 2^53. */
const scaled = (min: number) =>
  fc.oneof(
    fc.integer({ min, max: 40 }),
    fc
      .constantFrom(
        2 ** 31 - 2,
        2 ** 31 - 1,
        2 ** 31,
        2 ** 31 + 1,
        2 ** 49 - 1,
        2 ** 49,
        2 ** 49 + 1,
        2 ** 50,
        2 ** 52,
        2 ** 53 - 1,
      )
      .map((v) => Math.max(min, v)),
    fc.integer({ min: 2 ** 45, max: 2 ** 51 }).map((v) => Math.max(min, v)),
  );

/** One axis at every scale: input, kernel, stride and dilation ≥ 1, the two pads ≥ 0. */
const axisArbs = [scaled(1), scaled(1), scaled(1), scaled(1), scaled(0), scaled(0)] as const;

/** What a call gave: its number, or its error's class and code. */
function outcome(run: () => number): number | string {
  try {
    return run();
  } catch (e) {
    if (e instanceof LimitError || e instanceof OptionError) return `${e.name} ${e.code}`;
    throw e;
  }
}

describe('shape arithmetic in doubles and in BigInt', () => {
  it('convTransposeOutputSize: (n−1)·s − pads + d·(k−1) + 1 + outputPadding, exactly, at every scale', () => {
    fc.assert(
      fc.property(...axisArbs, (n, k, s, d, begin, end) => {
        const exact =
          BigInt(n - 1) * BigInt(s) - BigInt(begin) - BigInt(end) + BigInt(d) * BigInt(k - 1) + 1n;
        const got = outcome(() =>
          convTransposeOutputSize(n, k, { stride: s, dilation: d, padding: [begin, end] }),
        );
        if (exact > SAFE) expect(got).toBe('LimitError LIMIT_EXCEEDED');
        else if (exact < 1n) expect(got).toBe('OptionError OUTPUT_TOO_SMALL');
        else expect(got).toBe(Number(exact));
      }),
      { numRuns: 2000, seed: 49 },
    );
  });

  it('convOutputSize: floor((n + pads − d·(k−1) − 1) / s) + 1, exactly, at every scale', () => {
    fc.assert(
      fc.property(...axisArbs, (n, k, s, d, begin, end) => {
        const padded = BigInt(n) + BigInt(begin) + BigInt(end);
        const span = BigInt(d) * BigInt(k - 1) + 1n;
        const got = outcome(() => convOutputSize(n, k, { stride: s, dilation: d, padding: [begin, end] }));
        if (padded < span) return void expect(got).toBe('OptionError OUTPUT_TOO_SMALL');
        const exact = (padded - span) / BigInt(s) + 1n;
        if (exact > SAFE) expect(got).toBe('LimitError LIMIT_EXCEEDED');
        else expect(got).toBe(Number(exact));
      }),
      { numRuns: 2000, seed: 49 },
    );
  });

  it('the index checks: a geometry passes exactly when every quantity, computed exactly, is within the limit', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        scaled(1),
        scaled(1),
        fc.integer({ min: 1, max: 40 }),
        (n, k, s, d, target) => {
          // padding that crops the scatter to ~target outputs: the quantities stay large, the tensors small
          const full = BigInt(n - 1) * BigInt(s) + BigInt(d) * BigInt(k - 1) + 1n;
          fc.pre(full > BigInt(target));
          const pad = (full - BigInt(target)) / 2n;
          fc.pre(pad <= SAFE);
          const g = resolveConvTranspose([1, 1, n], [1, 1, k], {
            stride: s,
            dilation: d,
            padding: Number(pad),
          });
          const check = (run: () => void) => {
            try {
              run();
              return 'ok';
            } catch (e) {
              if (e instanceof LimitError) return e.code;
              throw e;
            }
          };
          // every quantity a transposed convolution's check bounds (limits.ts): the sizes, stride,
          // dilation, pads, the stride and kernel spans, the farthest position and it plus a stride
          const [bn, bk, bs, bd, bl] = [n, k, s, d, g.outputSize[0]!].map(BigInt) as bigint[];
          const spans = (bn! - 1n) * bs! + (bk! - 1n) * bd!;
          const quantities = [
            bn!,
            bk!,
            bl!,
            bs!,
            bd!,
            pad,
            (bn! - 1n) * bs!,
            (bk! - 1n) * bd!,
            spans + pad,
            spans + pad + bs!,
          ];
          const far = quantities.reduce((a, b) => (b > a ? b : a));
          expect(check(() => checkInt32Geometry(g, 'test'))).toBe(
            far <= BigInt(2 ** 31 - 1) ? 'ok' : 'LIMIT_EXCEEDED',
          );
          expect(check(() => checkSafeGeometry(g, 'test'))).toBe(far <= SAFE ? 'ok' : 'LIMIT_EXCEEDED');
        },
      ),
      { numRuns: 2000, seed: 49 },
    );
  });
});
