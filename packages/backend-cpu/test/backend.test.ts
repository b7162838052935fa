import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ConvTransposeOptions, Tensor } from '@tconv/core';
import {
  adjointGeometry,
  geometryOptions,
  OptionError,
  resolveConvTranspose,
  ShapeError,
  tensor,
} from '@tconv/core';
import { cpuBackend, referenceConv, referenceConvTranspose } from '@tconv/backend-cpu';
import type { ConvTransposeKernel } from '@tconv/backend-cpu/internal';
import { chooseConvTransposeKernel, convTransposeImpl } from '@tconv/backend-cpu/internal';
import { expectWithinRounding, problemArb, randomData, resolveProblem } from '@tconv/testing';

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** float32 within the worst-case rounding bound of the float64 definition (see `@tconv/testing`). */
function expectWithinFloat32Rounding(
  fast: Tensor,
  x: Tensor,
  w: Tensor,
  options: ConvTransposeOptions,
  terms: number,
): void {
  expectWithinRounding(fast, x, w, options, referenceConvTranspose, terms);
}

describe('the documents worked examples', () => {
  const X = tensor([0, 1, 2, 3], [1, 1, 2, 2]);
  const K = tensor([0, 1, 2, 3], [1, 1, 2, 2]);
  for (const [name, impl] of [
    ['cpuBackend', cpuBackend.convTranspose],
    ['referenceConvTranspose', referenceConvTranspose],
  ] as const) {
    it(`${name}: d2l 13.10.1 basic example`, () => {
      const y = impl(X, K);
      expect(y.shape).toEqual([1, 1, 3, 3]);
      expect(Array.from(y.data)).toEqual([0, 0, 1, 0, 4, 6, 4, 12, 9]);
      expect(y.data).toBeInstanceOf(Float32Array);
    });
    it(`${name}: d2l 13.10.2 padding 1 -> [[4]] and stride 2`, () => {
      expect(Array.from(impl(X, K, { padding: 1 }).data)).toEqual([4]);
      expect(Array.from(impl(X, K, { stride: 2 }).data)).toEqual([
        0, 0, 0, 1, 0, 0, 2, 3, 0, 2, 0, 3, 4, 6, 6, 9,
      ]);
    });
    it(`${name}: GfG example, kernel [[4, 1], [2, 3]]`, () => {
      expect(Array.from(impl(X, tensor([4, 1, 2, 3], [1, 1, 2, 2])).data)).toEqual([
        0, 4, 1, 8, 16, 6, 4, 12, 9,
      ]);
    });
  }
  it('d2l 13.10.3 corr2d: arange(9) with [[1, 2], [3, 4]] -> [[27, 37], [57, 67]]', () => {
    const x = tensor([0, 1, 2, 3, 4, 5, 6, 7, 8], [1, 1, 3, 3]);
    const k = tensor([1, 2, 3, 4], [1, 1, 2, 2]);
    expect(Array.from(cpuBackend.conv(x, k).data)).toEqual([27, 37, 57, 67]);
    expect(Array.from(referenceConv(x, k).data)).toEqual([27, 37, 57, 67]);
  });
});

describe('fast path = definition on random geometries (ranks 1–3, every option)', () => {
  it('float64: equal to the reference within 1e-12 relative', () => {
    fc.assert(
      fc.property(problemArb, (p) => {
        if (!resolveProblem(p)) return;
        const x = tensor(randomData(size(p.inputShape), p.seed, 'float64'), p.inputShape);
        const w = tensor(randomData(size(p.weightShape), p.seed + 1, 'float64'), p.weightShape);
        const options = p.options.bias
          ? { ...p.options, bias: Float64Array.from(p.options.bias as number[]) }
          : p.options;
        const fast = cpuBackend.convTranspose(x, w, options);
        const ref = referenceConvTranspose(x, w, options);
        expect(fast.shape).toEqual(ref.shape);
        expect(fast.data).toBeInstanceOf(Float64Array);
        for (let i = 0; i < ref.data.length; i++) {
          expect(Math.abs(fast.data[i]! - ref.data[i]!)).toBeLessThanOrEqual(
            1e-12 * (1 + Math.abs(ref.data[i]!)),
          );
        }
      }),
      { numRuns: 300 },
    );
  });

  it('float32: within float32 rounding of a float64 reference', () => {
    fc.assert(
      fc.property(problemArb, (p) => {
        if (!resolveProblem(p)) return;
        const x = tensor(randomData(size(p.inputShape), p.seed), p.inputShape);
        const w = tensor(randomData(size(p.weightShape), p.seed + 1), p.weightShape);
        const fast = cpuBackend.convTranspose(x, w, p.options);
        expect(fast.data).toBeInstanceOf(Float32Array);
        const cinG = p.weightShape[0]! / (p.options.groups ?? 1);
        const taps = size(p.weightShape.slice(2));
        expectWithinFloat32Rounding(fast, x, w, p.options, cinG * taps + 1);
      }),
      { numRuns: 300 },
    );
  });

  it('conv: fast path = definition (float64), and the adjoint identity <conv(x), y> = <x, convTranspose(y)>', () => {
    fc.assert(
      fc.property(problemArb, (p) => {
        const g = resolveProblem(p);
        if (!g) return;
        // the convolution whose transpose this is (core's adjoint), when options can express it
        const c = adjointGeometry(g);
        fc.pre(c.padBegin.every((v) => v >= 0) && c.padEnd.every((v) => v >= 0));
        const convOptions = geometryOptions(c);
        const x = tensor(randomData(size(g.outputShape), p.seed + 2, 'float64'), g.outputShape);
        const w = tensor(randomData(size(p.weightShape), p.seed + 1, 'float64'), p.weightShape);
        const y = cpuBackend.conv(x, w, convOptions);
        expect(y.shape).toEqual(p.inputShape);
        const ref = referenceConv(x, w, convOptions);
        for (let i = 0; i < ref.data.length; i++) {
          expect(Math.abs(y.data[i]! - ref.data[i]!)).toBeLessThanOrEqual(
            1e-12 * (1 + Math.abs(ref.data[i]!)),
          );
        }
        const { bias: _bias, ...noBias } = p.options;
        const v = tensor(randomData(size(y.shape), p.seed + 3, 'float64'), y.shape);
        const back = cpuBackend.convTranspose(v, w, noBias);
        let lhs = 0;
        let rhs = 0;
        for (let i = 0; i < y.data.length; i++) lhs += y.data[i]! * v.data[i]!;
        for (let i = 0; i < back.data.length; i++) rhs += x.data[i]! * back.data[i]!;
        expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(lhs)));
      }),
      { numRuns: 300 },
    );
  });
});

describe('each kernel = definition, whichever the backend would pick', () => {
  const kernels: ConvTransposeKernel[] = ['direct', 'gemm', 'phases'];
  /** Runs one kernel on a resolved problem, the bias written first as the backend does. */
  function run(
    p: ReturnType<typeof resolveConvTranspose>,
    x: Tensor,
    w: Tensor,
    kernel: ConvTransposeKernel,
  ) {
    const out =
      x.data instanceof Float64Array
        ? new Float64Array(size(p.outputShape))
        : new Float32Array(size(p.outputShape));
    convTransposeImpl(p, x.data, w.data, null, out, kernel);
    return { shape: p.outputShape, data: out };
  }
  for (const kernel of kernels) {
    it(`${kernel}: float64 within 1e-12, float32 within float32 rounding (ranks 1–3, every option)`, () => {
      fc.assert(
        fc.property(problemArb, (p) => {
          const { bias: _bias, ...options } = p.options;
          const g = resolveProblem(p, options);
          if (!g) return;
          const x64 = tensor(randomData(size(p.inputShape), p.seed, 'float64'), p.inputShape);
          const w64 = tensor(randomData(size(p.weightShape), p.seed + 1, 'float64'), p.weightShape);
          const ref = referenceConvTranspose(x64, w64, options);
          const fast = run(g, x64, w64, kernel);
          for (let i = 0; i < ref.data.length; i++) {
            expect(Math.abs(fast.data[i]! - ref.data[i]!)).toBeLessThanOrEqual(
              1e-12 * (1 + Math.abs(ref.data[i]!)),
            );
          }
          const x = tensor(randomData(size(p.inputShape), p.seed), p.inputShape);
          const w = tensor(randomData(size(p.weightShape), p.seed + 1), p.weightShape);
          const taps = size(p.weightShape.slice(2));
          expectWithinFloat32Rounding(run(g, x, w, kernel), x, w, options, g.inChannelsPerGroup * taps + 1);
        }),
        { numRuns: 200 },
      );
    });
  }

  it('phases: register-tile edges (channels 1–7 around the 3-channel tile, rows 1–9 around the 4-wide tile)', () => {
    for (const cout of [1, 2, 3, 4, 5, 7]) {
      for (const n of [1, 3, 4, 5, 9]) {
        for (const [s, k, pad] of [
          [1, 3, 1],
          [2, 4, 1],
          [3, 2, 0],
        ] as const) {
          const inputShape = [2, 3, n + 1, n];
          const weightShape = [3, cout, k, k];
          const options = { stride: s, padding: pad };
          const x = tensor(randomData(size(inputShape), n * 31 + cout, 'float64'), inputShape);
          const w = tensor(randomData(size(weightShape), s * 7 + k, 'float64'), weightShape);
          const ref = referenceConvTranspose(x, w, options);
          const fast = run(resolveConvTranspose(inputShape, weightShape, options), x, w, 'phases');
          for (let i = 0; i < ref.data.length; i++) {
            expect(Math.abs(fast.data[i]! - ref.data[i]!)).toBeLessThanOrEqual(
              1e-12 * (1 + Math.abs(ref.data[i]!)),
            );
          }
        }
      }
    }
  });

  it('gemm and phases over deep reductions (passes of 256 input channels, blocks of 128): 600 channels', () => {
    const inputShape = [1, 600, 3, 4];
    const weightShape = [600, 5, 3, 3];
    const options = { stride: 2, padding: 1 };
    const g = resolveConvTranspose(inputShape, weightShape, options);
    const x64 = tensor(randomData(size(inputShape), 11, 'float64'), inputShape);
    const w64 = tensor(randomData(size(weightShape), 12, 'float64'), weightShape);
    const ref = referenceConvTranspose(x64, w64, options);
    const x = tensor(randomData(size(inputShape), 11), inputShape);
    const w = tensor(randomData(size(weightShape), 12), weightShape);
    for (const kernel of ['gemm', 'phases'] as const) {
      const fast = run(g, x64, w64, kernel);
      for (let i = 0; i < ref.data.length; i++) {
        expect(Math.abs(fast.data[i]! - ref.data[i]!)).toBeLessThanOrEqual(
          1e-12 * (1 + Math.abs(ref.data[i]!)),
        );
      }
      expectWithinFloat32Rounding(run(g, x, w, kernel), x, w, options, 600 * 9 + 1);
    }
  });

  it('the backend picks direct for depthwise, gemm for few positions per weight, phases otherwise', () => {
    const pick = (x: number[], w: number[], o = {}) =>
      chooseConvTransposeKernel(resolveConvTranspose(x, w, o));
    expect(pick([1, 64, 32, 32], [64, 1, 4, 4], { groups: 64 })).toBe('direct');
    expect(pick([1, 512, 4, 4], [512, 256, 4, 4], { stride: 2, padding: 1 })).toBe('gemm');
    expect(pick([1, 64, 64, 64], [64, 32, 3, 3], { padding: 1 })).toBe('phases');
    // a margined input over the cap falls back to the bounded column buffer
    expect(pick([1, 8, 1024, 1024], [8, 1, 3, 3])).toBe('gemm');
  });
});

describe('dtypes and errors through the backend', () => {
  it('float64 in gives float64 out; float32 in gives float32 out', () => {
    const y64 = cpuBackend.convTranspose(
      tensor(new Float64Array([1, 2]), [1, 1, 2]),
      tensor(new Float64Array([1, 1]), [1, 1, 2]),
    );
    expect(y64.data).toBeInstanceOf(Float64Array);
    expect(Array.from(y64.data)).toEqual([1, 3, 2]);
  });

  it('rejects invalid input with the core errors, before allocating', () => {
    const x = tensor(new Float32Array(4), [1, 1, 2, 2]);
    const w = tensor(new Float32Array(4), [1, 1, 2, 2]);
    expect(() => cpuBackend.convTranspose(x, w, { stride: 0 })).toThrow(OptionError);
    expect(() => cpuBackend.convTranspose(x, w, { stride: 2, outputPadding: 2 })).toThrow(
      /smaller than either stride or dilation/,
    );
    expect(() => cpuBackend.convTranspose(x, tensor(new Float32Array(8), [2, 1, 2, 2]))).toThrow(ShapeError);
    expect(() => cpuBackend.convTranspose(x, tensor(new Float64Array(4), [1, 1, 2, 2]))).toThrow(
      /float64 but input is float32/,
    );
    expect(() => cpuBackend.conv(x, w, { padding: 'full' as 'same' })).toThrow(/not a padding word/);
    expect(() => cpuBackend.convTranspose({ shape: [1, 1, 2, 2], data: new Float32Array(3) }, w)).toThrow(
      /needs 4/,
    );
  });
});
