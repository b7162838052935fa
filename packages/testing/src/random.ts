import type { ConvTransposeGeometry, ConvTransposeOptions, DType, FloatArray } from '@tconv/core';
import { isTconvError, resolveConvTranspose, seeded } from '@tconv/core';
import fc from 'fast-check';

/**
 * Deterministic pseudo-random values in [-1, 1): core's {@link seeded} generator (the one
 * generator of the project), under the name the tests use.
 * @param length - how many values
 * @param seed - any integer
 * @param type - float32 (default) or float64
 */
export function randomData(length: number, seed: number, type: DType = 'float32'): FloatArray {
  return seeded(length, seed, type);
}

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

/**
 * Transposed-convolution problems of spatial rank 1–3 over every option (every padding
 * convention, `outputSize`, `outputPadding`, groups, dilation, bias as a number array). Some
 * combinations are invalid on purpose (padding that crops the whole output, …): callers resolve
 * the problem and skip what core rejects.
 */
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

/**
 * The geometry of a random problem, or `undefined` when core rejects the combination (a property
 * test skips those); any other error is rethrown, so a crash is never mistaken for a rejection.
 * @param p - the problem (its shapes and options)
 * @param options - options to resolve instead of `p.options` (e.g. without the bias)
 * @param inputShape - an input shape to resolve instead of `p.inputShape`
 */
export function resolveProblem(
  p: Problem,
  options: ConvTransposeOptions = p.options,
  inputShape: readonly number[] = p.inputShape,
): ConvTransposeGeometry | undefined {
  try {
    return resolveConvTranspose(inputShape, p.weightShape, options);
  } catch (e) {
    if (isTconvError(e)) return undefined;
    throw e;
  }
}
