import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  convOutputShape,
  convOutputSize,
  convTransposeOutputShape,
  convTransposeOutputSize,
  fromOnnx,
  isTconvError,
  prepareConvTranspose,
  tensor,
} from '@tconv/core';

// Issue #16: whatever a caller passes, core answers or throws one of its own errors (named
// parameter, value, rule) — never a raw TypeError/RangeError from deep inside. Seeded.

/** Runs `f`; a thrown value must be a TconvError. */
function answersOrRejects(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!isTconvError(e))
      throw new Error(`raw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
}

const junk = fc.anything({
  withBigInt: true,
  withNullPrototype: true,
  withTypedArray: true,
  withSparseArray: true,
});
const dims = fc.oneof(fc.array(fc.integer({ min: -2, max: 6 }), { maxLength: 5 }), junk);
const axisValue = fc.oneof(
  fc.integer({ min: -3, max: 9 }),
  fc.constantFrom(2 ** 31, 2 ** 53, 2 ** 60, Number.NaN, 1.5),
);
const options = fc.oneof(
  junk,
  fc.record(
    {
      stride: fc.oneof(axisValue, fc.array(axisValue, { maxLength: 3 }), junk),
      padding: fc.oneof(
        axisValue,
        fc.constantFrom('same', 'valid', 'same-upper', 'same-lower', 'full'),
        junk,
      ),
      dilation: fc.oneof(axisValue, junk),
      groups: fc.oneof(axisValue, junk),
      outputPadding: fc.oneof(axisValue, junk),
      outputSize: fc.oneof(fc.array(axisValue, { maxLength: 3 }), junk),
      bias: fc.oneof(fc.array(fc.double(), { maxLength: 4 }), junk),
    },
    { requiredKeys: [] },
  ),
);

describe('#16: core under arbitrary input', () => {
  it('shape functions and fromOnnx answer or throw a TconvError for any input', () => {
    fc.assert(
      fc.property(dims, dims, options, (x, w, o) => {
        answersOrRejects(() => convTransposeOutputShape(x as never, w as never, o as never));
        answersOrRejects(() => convOutputShape(x as never, w as never, o as never));
        answersOrRejects(() => fromOnnx(o as never, x as never, w as never));
      }),
      { seed: 1616, numRuns: 2000 },
    );
  });

  it('the per-axis helpers answer or throw a TconvError for any input', () => {
    fc.assert(
      fc.property(fc.oneof(axisValue, junk), fc.oneof(axisValue, junk), options, (n, k, o) => {
        answersOrRejects(() => convTransposeOutputSize(n as never, k as never, o as never));
        answersOrRejects(() => convOutputSize(n as never, k as never, o as never));
      }),
      { seed: 1617, numRuns: 2000 },
    );
  });

  it('tensor() and prepareConvTranspose answer or throw a TconvError for any data', () => {
    fc.assert(
      fc.property(junk, dims, (data, shape) => {
        answersOrRejects(() => tensor(data as never, shape as never));
        answersOrRejects(() =>
          prepareConvTranspose({ shape, data } as never, { shape: [1, 1, 1], data: new Float32Array(1) }),
        );
      }),
      { seed: 1618, numRuns: 2000 },
    );
    // a number array round-trips as float32
    expect(Array.from(tensor([1.5, -2], [2]).data)).toEqual([1.5, -2]);
  });
});
