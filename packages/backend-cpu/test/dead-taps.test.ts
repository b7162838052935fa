import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ConvTransposeGeometry, ConvTransposeOptions, Tensor } from '@tconv/core';
import { resolveConvTranspose, tensor } from '@tconv/core';
import { referenceConvTranspose } from '@tconv/backend-cpu';
import type { ConvTransposeKernel } from '@tconv/backend-cpu/internal';
import { convTransposeImpl, gemmTileKind } from '@tconv/backend-cpu/internal';
import { expectWithinRounding, firstDifference, randomData } from '@tconv/testing';

/*
 * The work the kernels skip because it would only multiply zeros: the GEMM's register tiles whose
 * every (tap, input position) lands outside the output, and the stride phases' slots whose input
 * row lies in the margin. Problems dominated by borders (small inputs, large kernels and pads)
 * exercise both; every output is checked against the definition.
 */

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** The fraction of (input position, tap) pairs landing inside the output, counted pair by pair. */
function insideFraction(g: ConvTransposeGeometry): number {
  let f = 1;
  for (let a = 0; a < g.rank; a++) {
    let inside = 0;
    for (let i = 0; i < g.inputSize[a]!; i++) {
      for (let k = 0; k < g.kernelSize[a]!; k++) {
        const o = i * g.stride[a]! + k * g.dilation[a]! - g.padBegin[a]!;
        if (o >= 0 && o < g.outputSize[a]!) inside++;
      }
    }
    f *= inside / (g.inputSize[a]! * g.kernelSize[a]!);
  }
  return f;
}

/** Small inputs, large kernels and pads: most (tap, position) pairs fall outside the output. */
const borderArb = fc
  .record({
    axes: fc.array(
      fc.record({
        n: fc.integer({ min: 1, max: 6 }),
        k: fc.integer({ min: 2, max: 6 }),
        s: fc.integer({ min: 1, max: 3 }),
        d: fc.integer({ min: 1, max: 2 }),
        pad: fc.integer({ min: 0, max: 10 }),
      }),
      { minLength: 1, maxLength: 3 },
    ),
    batch: fc.integer({ min: 1, max: 2 }),
    groups: fc.integer({ min: 1, max: 2 }),
    cinG: fc.integer({ min: 1, max: 6 }),
    coutG: fc.integer({ min: 1, max: 7 }),
    seed: fc.nat(),
  })
  .map(({ axes, batch, groups, cinG, coutG, seed }) => ({
    inputShape: [batch, groups * cinG, ...axes.map((a) => a.n)],
    weightShape: [groups * cinG, coutG, ...axes.map((a) => a.k)],
    options: {
      stride: axes.map((a) => a.s),
      dilation: axes.map((a) => a.d),
      // at most the kernel's extent, so that every axis keeps an output
      padding: axes.map((a) => Math.min(a.pad, a.d * (a.k - 1))),
      groups,
    } satisfies ConvTransposeOptions,
    seed,
  }));

/**
 * Geometries the GEMM's tap-row tiles take: the last axis' kernel 4 or 8 and its input row 4, 8 or
 * 12, small enough that a tile's corners (and whole tiles) land outside; any leading axis.
 */
const tapRowArb = fc
  .record({
    lead: fc.array(
      fc.record({
        n: fc.integer({ min: 1, max: 4 }),
        k: fc.integer({ min: 1, max: 5 }),
        s: fc.integer({ min: 1, max: 3 }),
        pad: fc.integer({ min: 0, max: 4 }),
      }),
      { maxLength: 2 },
    ),
    n: fc.constantFrom(4, 8, 12),
    k: fc.constantFrom(4, 8),
    s: fc.integer({ min: 1, max: 3 }),
    d: fc.integer({ min: 1, max: 2 }),
    pad: fc.integer({ min: 0, max: 14 }),
    batch: fc.integer({ min: 1, max: 2 }),
    groups: fc.integer({ min: 1, max: 2 }),
    cinG: fc.integer({ min: 1, max: 9 }),
    coutG: fc.integer({ min: 1, max: 3 }),
    seed: fc.nat(),
  })
  .map(({ lead, n, k, s, d, pad, batch, groups, cinG, coutG, seed }) => ({
    inputShape: [batch, groups * cinG, ...lead.map((a) => a.n), n],
    weightShape: [groups * cinG, coutG, ...lead.map((a) => a.k), k],
    options: {
      stride: [...lead.map((a) => a.s), s],
      dilation: [...lead.map(() => 1), d],
      padding: [...lead.map((a) => Math.min(a.pad, a.k - 1)), Math.min(pad, d * (k - 1))],
      groups,
    } satisfies ConvTransposeOptions,
    seed,
  }));

/** Every element of a float64 result within 1e-12·(1 + |ref|) of the definition's. */
function expectFloat64Definition(fast: Tensor, ref: Tensor): void {
  for (let i = 0; i < ref.data.length; i++) {
    expect(Math.abs(fast.data[i]! - ref.data[i]!)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(ref.data[i]!)));
  }
}

function run(g: ConvTransposeGeometry, x: Tensor, w: Tensor, kernel: ConvTransposeKernel): Tensor {
  const out =
    x.data instanceof Float64Array
      ? new Float64Array(size(g.outputShape))
      : new Float32Array(size(g.outputShape));
  convTransposeImpl(g, x.data, w.data, null, out, kernel);
  return { shape: g.outputShape, data: out };
}

describe('skipping what lands outside the output', () => {
  for (const kernel of ['gemm', 'phases'] as const) {
    it(`${kernel}: border-dominated problems = definition (float64 within 1e-12, float32 within rounding)`, () => {
      let borderHeavy = 0;
      fc.assert(
        fc.property(borderArb, (p) => {
          let g: ConvTransposeGeometry;
          try {
            g = resolveConvTranspose(p.inputShape, p.weightShape, p.options);
          } catch {
            return;
          }
          // the GEMM masks its tiles at ≤ 90 % inside; count how many problems are that far in
          if (insideFraction(g) <= 0.9) borderHeavy++;
          const x64 = tensor(randomData(size(p.inputShape), p.seed, 'float64'), p.inputShape);
          const w64 = tensor(randomData(size(p.weightShape), p.seed + 1, 'float64'), p.weightShape);
          const ref = referenceConvTranspose(x64, w64, p.options);
          const fast = run(g, x64, w64, kernel);
          expectFloat64Definition(fast, ref);
          const x = tensor(randomData(size(p.inputShape), p.seed), p.inputShape);
          const w = tensor(randomData(size(p.weightShape), p.seed + 1), p.weightShape);
          const terms = g.inChannelsPerGroup * size(p.weightShape.slice(2)) + 1;
          expectWithinRounding(run(g, x, w, kernel), x, w, p.options, referenceConvTranspose, terms);
        }),
        { numRuns: 200, seed: 18 },
      );
      expect(borderHeavy).toBeGreaterThan(100);
    });
  }

  it('gemm, tap-row tiles (last-axis kernel and row multiples of 4): random geometries = definition', () => {
    let tapRows = 0;
    fc.assert(
      fc.property(tapRowArb, (p) => {
        let g: ConvTransposeGeometry;
        try {
          g = resolveConvTranspose(p.inputShape, p.weightShape, p.options);
        } catch {
          return;
        }
        if (gemmTileKind(g) === 'tap-rows') tapRows++;
        const x64 = tensor(randomData(size(p.inputShape), p.seed, 'float64'), p.inputShape);
        const w64 = tensor(randomData(size(p.weightShape), p.seed + 1, 'float64'), p.weightShape);
        const ref = referenceConvTranspose(x64, w64, p.options);
        const fast = run(g, x64, w64, 'gemm');
        expectFloat64Definition(fast, ref);
        const x = tensor(randomData(size(p.inputShape), p.seed), p.inputShape);
        const w = tensor(randomData(size(p.weightShape), p.seed + 1), p.weightShape);
        const terms = g.inChannelsPerGroup * size(p.weightShape.slice(2)) + 1;
        expectWithinRounding(run(g, x, w, 'gemm'), x, w, p.options, referenceConvTranspose, terms);
      }),
      { numRuns: 200, seed: 44 },
    );
    // most of the problems are border-heavy enough for the tiles (the rest: every tile computed)
    expect(tapRows).toBeGreaterThan(100);
  });

  it('gemm, tap-row tiles: bit-identical in float32 to the masked 3 × 4 tiles they replace (a small scratch forces those)', () => {
    for (const { inputShape, weightShape, options } of [
      { inputShape: [1, 16, 4, 4], weightShape: [16, 8, 4, 4], options: { stride: 2, padding: 1 } },
      { inputShape: [2, 20, 2, 8], weightShape: [20, 3, 3, 4], options: { stride: 2, padding: [1, 2] } },
      { inputShape: [1, 300, 4, 4], weightShape: [300, 3, 4, 4], options: { stride: 2, padding: 1 } },
    ]) {
      const g = resolveConvTranspose(inputShape, weightShape, options);
      expect(gemmTileKind(g)).toBe('tap-rows');
      expect(gemmTileKind(g, 128)).toBe('masked');
      const x = randomData(size(inputShape), 7) as Float32Array;
      const w = randomData(size(weightShape), 8) as Float32Array;
      const tapRows = new Float32Array(size(g.outputShape));
      const masked = new Float32Array(size(g.outputShape));
      convTransposeImpl(g, x, w, null, tapRows, 'gemm');
      convTransposeImpl(g, x, w, null, masked, 'gemm', 128);
      expect(firstDifference(tapRows, masked)).toBe(-1);
    }
  });

  it('gemm, tap-row tiles over more than one depth pass (300 input channels, k4 s2 p1 and k8 s3 p2)', () => {
    for (const { inputShape, weightShape, options } of [
      { inputShape: [1, 300, 4, 4], weightShape: [300, 3, 4, 4], options: { stride: 2, padding: 1 } },
      {
        inputShape: [2, 300, 3, 8],
        weightShape: [300, 2, 3, 8],
        options: { stride: [1, 3], padding: [1, 2] },
      },
    ]) {
      const g = resolveConvTranspose(inputShape, weightShape, options);
      expect(gemmTileKind(g)).toBe('tap-rows');
      const x = tensor(randomData(size(inputShape), 5, 'float64'), inputShape);
      const w = tensor(randomData(size(weightShape), 6, 'float64'), weightShape);
      const ref = referenceConvTranspose(x, w, options);
      const fast = run(g, x, w, 'gemm');
      expectFloat64Definition(fast, ref);
    }
  });

  it("DCGAN's 4×4 → 8×8 borders (k4 s2 p1, 77 % of pairs inside): gemm and phases = definition", () => {
    // the bench's dcgan-4to8 with fewer channels: the same borders, the GEMM's tap-row tiles
    const inputShape = [1, 16, 4, 4];
    const weightShape = [16, 8, 4, 4];
    const options = { stride: 2, padding: 1 };
    const g = resolveConvTranspose(inputShape, weightShape, options);
    expect(insideFraction(g)).toBeLessThanOrEqual(0.9);
    expect(gemmTileKind(g)).toBe('tap-rows');
    const x = tensor(randomData(size(inputShape), 3, 'float64'), inputShape);
    const w = tensor(randomData(size(weightShape), 4, 'float64'), weightShape);
    const ref = referenceConvTranspose(x, w, options);
    for (const kernel of ['gemm', 'phases'] as const) {
      const fast = run(g, x, w, kernel);
      expectFloat64Definition(fast, ref);
    }
  });
});
