import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ConvOptions } from '@tconv/core';
import {
  adjointGeometry,
  geometryOptions,
  OptionError,
  resolveConv,
  resolveConvTranspose,
} from '@tconv/core';

describe('geometryOptions', () => {
  it('resolves back to the same geometry, for convolutions and their adjoints (ranks 1–3)', () => {
    const axis = fc.record({
      n: fc.integer({ min: 1, max: 9 }),
      k: fc.integer({ min: 1, max: 4 }),
      s: fc.integer({ min: 1, max: 3 }),
      d: fc.integer({ min: 1, max: 2 }),
      pb: fc.integer({ min: 0, max: 2 }),
      pe: fc.integer({ min: 0, max: 2 }),
    });
    fc.assert(
      fc.property(
        fc.array(axis, { minLength: 1, maxLength: 3 }),
        fc.constantFrom<ConvOptions['padding']>('same', 'valid', 'same-lower', undefined),
        (axes, word) => {
          const inputShape = [1, 2, ...axes.map((a) => a.n)];
          const weightShape = [4, 1, ...axes.map((a) => a.k)];
          const options: ConvOptions = {
            stride: axes.map((a) => a.s),
            dilation: axes.map((a) => a.d),
            groups: 2,
            padding: word ?? { begin: axes.map((a) => a.pb), end: axes.map((a) => a.pe) },
          };
          let c: ReturnType<typeof resolveConv>;
          try {
            c = resolveConv(inputShape, weightShape, options);
          } catch {
            return;
          }
          expect(resolveConv(inputShape, weightShape, geometryOptions(c))).toEqual(c);
          const t = adjointGeometry(c);
          const back = resolveConvTranspose(t.inputShape, t.weightShape, geometryOptions(t));
          expect(back).toEqual(t);
          expect(back.outputShape).toEqual(inputShape);
        },
      ),
      { numRuns: 300, seed: 13 },
    );
  });

  it('rejects a geometry whose pads are negative, naming the pad', () => {
    const g = resolveConvTranspose([1, 1, 3], [1, 1, 1], {
      stride: 3,
      padding: 'same-upper',
      outputSize: [11],
    });
    // total padding 3·2 + 1 − 11 = −4: the upper rule puts −2 at the start
    expect(() => geometryOptions(g)).toThrow(OptionError);
    expect(() => geometryOptions(g)).toThrow(/padBegin\[0\] is -2/);
  });
});
