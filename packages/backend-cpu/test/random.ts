import fc from 'fast-check';
import type { ConvTransposeOptions } from '@tconv/core';

/** A random transposed-convolution problem: shapes, options and a seed for the data. */
export interface Problem {
  inputShape: number[];
  weightShape: number[];
  options: ConvTransposeOptions;
  seed: number;
}

const axis = fc.record({
  n: fc.integer({ min: 1, max: 7 }),
  k: fc.integer({ min: 1, max: 4 }),
  s: fc.integer({ min: 1, max: 3 }),
  d: fc.integer({ min: 1, max: 2 }),
  pb: fc.integer({ min: 0, max: 2 }),
  pe: fc.integer({ min: 0, max: 2 }),
  op: fc.nat(),
});

/** Problems of spatial rank 1–3 over every option; invalid combinations are filtered by the caller. */
export const problemArb: fc.Arbitrary<Problem> = fc
  .record({
    axes: fc.array(axis, { minLength: 1, maxLength: 3 }),
    batch: fc.integer({ min: 1, max: 2 }),
    groups: fc.integer({ min: 1, max: 3 }),
    cinG: fc.integer({ min: 1, max: 5 }),
    coutG: fc.integer({ min: 1, max: 3 }),
    padKind: fc.constantFrom('sym', 'asym', 'valid', 'same', 'same-upper', 'same-lower', 'size'),
    bias: fc.boolean(),
    seed: fc.nat(),
  })
  .map(({ axes, batch, groups, cinG, coutG, padKind, bias, seed }) => {
    const options: ConvTransposeOptions = {
      stride: axes.map((a) => a.s),
      dilation: axes.map((a) => a.d),
      groups,
    };
    if (padKind === 'sym') options.padding = axes.map((a) => a.pb);
    else if (padKind === 'asym')
      options.padding = { begin: axes.map((a) => a.pb), end: axes.map((a) => a.pe) };
    else if (padKind === 'size') {
      options.padding = axes.map((a) => a.pb);
      options.outputSize = axes.map((a) => (a.n - 1) * a.s + a.d * (a.k - 1) + 1 - 2 * a.pb + (a.op % a.s));
    } else options.padding = padKind;
    if (padKind !== 'size' && padKind !== 'valid' && padKind !== 'same') {
      options.outputPadding = axes.map((a) => a.op % Math.max(a.s, a.d));
    }
    if (bias)
      options.bias = Array.from({ length: groups * coutG }, (_, i) => ((i * 7919 + seed) % 13) / 7 - 1);
    return {
      inputShape: [batch, groups * cinG, ...axes.map((a) => a.n)],
      weightShape: [groups * cinG, coutG, ...axes.map((a) => a.k)],
      options,
      seed,
    };
  });

/** Deterministic pseudo-random values in [-1, 1) (mulberry32), so failures replay from the seed. */
export function randomData(
  length: number,
  seed: number,
  type: 'float32' | 'float64' = 'float32',
): Float32Array | Float64Array {
  const out = type === 'float64' ? new Float64Array(length) : new Float32Array(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 2 ** 31 - 1;
  }
  return out;
}
