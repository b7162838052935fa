import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ConvOptions, ConvTransposeOptions, Tensor } from '@tconv/core';
import {
  adjointGeometry,
  DTypeError,
  resolveConv,
  resolveConvTranspose,
  ShapeError,
  tensor,
} from '@tconv/core';
import { cpuBackend, referenceConv, referenceConvTranspose } from '@tconv/backend-cpu';
import { convImpl, convTransposeImpl } from '@tconv/backend-cpu/internal';
import { problemArb, randomData } from '@tconv/testing';
import { convGemmImpl } from '../src/conv-gemm';

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const f64 = (shape: readonly number[], seed: number) =>
  tensor(randomData(size(shape), seed, 'float64'), shape);
const dotp = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

/**
 * The gradient of L = ⟨gy, f(x, w)⟩ element by element from the forward reference alone: f is
 * linear in x and in w, so ∂L/∂x_j = ⟨gy, f(e_j, w)⟩ and ∂L/∂w_j = ⟨gy, f(x, e_j)⟩ exactly.
 */
function gradientsByDefinition(
  forward: (x: Tensor, w: Tensor) => Tensor,
  x: Tensor,
  w: Tensor,
  gy: Tensor,
): { input: number[]; weight: number[] } {
  const one = (shape: readonly number[], j: number) => {
    const d = new Float64Array(size(shape));
    d[j] = 1;
    return tensor(d, shape);
  };
  return {
    input: Array.from({ length: x.data.length }, (_, j) => dotp(gy.data, forward(one(x.shape, j), w).data)),
    weight: Array.from({ length: w.data.length }, (_, j) => dotp(gy.data, forward(x, one(w.shape, j)).data)),
  };
}

function expectNear(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  const scale = Math.max(1, ...Array.from(expected, Math.abs));
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i]! - expected[i]!) <= tol * scale))
      throw new Error(`element ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}

const small = (p: { inputShape: number[]; weightShape: number[] }) =>
  size(p.inputShape) <= 400 && size(p.weightShape) <= 200;

describe('convTransposeBackward: exact against the definition', () => {
  it('random geometries of rank 1–3, every option (float64)', () => {
    let ran = 0;
    fc.assert(
      fc.property(problemArb, (p) => {
        let g: ReturnType<typeof resolveConvTranspose>;
        try {
          g = resolveConvTranspose(p.inputShape, p.weightShape, p.options);
        } catch {
          return; // an invalid combination of options
        }
        if (!small(p) || size(g.outputShape) > 2000) return;
        const x = f64(p.inputShape, p.seed);
        const w = f64(p.weightShape, p.seed + 1);
        const gy = f64(g.outputShape, p.seed + 2);
        const { bias: _b, ...rest } = p.options;
        const got = cpuBackend.convTransposeBackward(gy, x, w, p.options);
        const want = gradientsByDefinition((a, b) => referenceConvTranspose(a, b, rest), x, w, gy);
        expect(got.input.shape).toEqual(p.inputShape);
        expect(got.weight.shape).toEqual(p.weightShape);
        expectNear(got.input.data, want.input, 1e-12);
        expectNear(got.weight.data, want.weight, 1e-12);
        expect(got.bias.shape).toEqual([g.outChannels]);
        ran++;
      }),
      { numRuns: 80, seed: 14 },
    );
    expect(ran).toBeGreaterThan(25);
  });

  it('the weight gradient tiles long rows and many rows per chunk the same way (float32, within rounding)', () => {
    // last axis 700 > one chunk of 512 positions; then 40 rows of 20 per chunk
    for (const [xs, ws, o] of [
      [[1, 4, 700], [4, 5, 3], { stride: 3, padding: 2 }],
      [[2, 5, 40, 20], [5, 4, 4, 4], { stride: 2, padding: 1 }],
    ] as const) {
      const x = f64(xs, 3);
      const w = f64(ws, 4);
      const g = resolveConvTranspose(xs, ws, o);
      const gy = f64(g.outputShape, 5);
      const got = cpuBackend.convTransposeBackward(gy, x, w, o);
      // ∂L/∂w_j by definition on a few elements (every one would be slow)
      for (const j of [0, 7, w.data.length - 1]) {
        const e = new Float64Array(w.data.length);
        e[j] = 1;
        const want = dotp(gy.data, referenceConvTranspose(x, tensor(e, ws), o).data);
        expect(got.weight.data[j]).toBeCloseTo(want, 9);
      }
    }
  });

  it('the bias gradient is gradOutput summed over batch and space, with or without a bias', () => {
    const x = f64([2, 2, 3], 1);
    const w = f64([2, 3, 2], 2);
    const gy = f64([2, 3, 4], 3);
    const a = cpuBackend.convTransposeBackward(gy, x, w, {});
    const b = cpuBackend.convTransposeBackward(gy, x, w, { bias: [1, 2, 3] });
    const want = [0, 1, 2].map(
      (c) =>
        gy.data[c * 4]! +
        gy.data[c * 4 + 1]! +
        gy.data[c * 4 + 2]! +
        gy.data[c * 4 + 3]! +
        gy.data[12 + c * 4]! +
        gy.data[13 + c * 4]! +
        gy.data[14 + c * 4]! +
        gy.data[15 + c * 4]!,
    );
    expectNear(a.bias.data, want, 1e-15);
    expect(Array.from(b.bias.data)).toEqual(Array.from(a.bias.data));
    expect(Array.from(b.weight.data)).toEqual(Array.from(a.weight.data));
  });

  it('float32 in, float32 gradients out', () => {
    const x = tensor(randomData(2 * 3 * 5 * 5, 1), [2, 3, 5, 5]);
    const w = tensor(randomData(3 * 2 * 3 * 3, 2), [3, 2, 3, 3]);
    const gy = tensor(randomData(2 * 2 * 11 * 11, 3), [2, 2, 11, 11]);
    const d = cpuBackend.convTransposeBackward(gy, x, w, { stride: 2 });
    expect(d.input.data).toBeInstanceOf(Float32Array);
    expect(d.weight.data).toBeInstanceOf(Float32Array);
    expect(d.bias.data).toBeInstanceOf(Float32Array);
  });

  it('rejects a gradOutput of the wrong shape or dtype, naming gradOutput', () => {
    const x = tensor(new Float32Array(9), [1, 1, 3, 3]);
    const w = tensor(new Float32Array(4), [1, 1, 2, 2]);
    expect(() => cpuBackend.convTransposeBackward(tensor(new Float32Array(9), [1, 1, 3, 3]), x, w)).toThrow(
      ShapeError,
    );
    expect(() => cpuBackend.convTransposeBackward(tensor(new Float32Array(9), [1, 1, 3, 3]), x, w)).toThrow(
      /gradOutput/,
    );
    expect(() => cpuBackend.convTransposeBackward(tensor(new Float64Array(16), [1, 1, 4, 4]), x, w)).toThrow(
      DTypeError,
    );
  });
});

describe('convBackward: exact against the definition', () => {
  it('random geometries of rank 1–3 (float64)', () => {
    let ran = 0;
    fc.assert(
      fc.property(problemArb, (p) => {
        // the same shapes read as a convolution: weight [Cout, Cin/groups, ...k] = [Cin_t, Cout_t/groups, ...k]
        const groups = p.options.groups ?? 1;
        const cinG = p.weightShape[1]!;
        const xs = [p.inputShape[0]!, groups * cinG, ...p.inputShape.slice(2).map((n, a) => n + 3 * a + 2)];
        const { outputPadding: _op, outputSize: _os, bias: _b, ...rest } = p.options;
        const o: ConvOptions = rest;
        let g: ReturnType<typeof resolveConv>;
        try {
          g = resolveConv(xs, p.weightShape, o);
        } catch {
          return;
        }
        if (!small({ inputShape: xs, weightShape: p.weightShape })) return;
        const x = f64(xs, p.seed);
        const w = f64(p.weightShape, p.seed + 1);
        const gy = f64(g.outputShape, p.seed + 2);
        const got = cpuBackend.convBackward(gy, x, w, o);
        const want = gradientsByDefinition((a, b) => referenceConv(a, b, o), x, w, gy);
        expectNear(got.input.data, want.input, 1e-12);
        expectNear(got.weight.data, want.weight, 1e-12);
        ran++;
      }),
      { numRuns: 80, seed: 15 },
    );
    expect(ran).toBeGreaterThan(25);
  });
});

describe('the forward kernels on adjoint geometries with negative pads', () => {
  it("Keras 'same' with kernel < stride: the adjoint convolution has negative pads and matches the reference", () => {
    const g = resolveConvTranspose([1, 2, 3, 4], [2, 2, 1, 2], { stride: 3, padding: 'same' });
    const c = adjointGeometry(g);
    expect([...c.padBegin, ...c.padEnd].some((p) => p < 0)).toBe(true);
    const gy = f64(g.outputShape, 9);
    const w = f64(g.weightShape, 10);
    const out = new Float64Array(size(c.outputShape));
    convImpl(c, gy.data, w.data, null, out);
    const x = f64(g.inputShape, 11);
    // ⟨convT(x), gy⟩ = ⟨x, conv_adjoint(gy)⟩
    expect(dotp(out, x.data)).toBeCloseTo(
      dotp(referenceConvTranspose(x, w, { stride: 3, padding: 'same' }).data, gy.data),
      12,
    );
  });

  it("ONNX 'same-lower' with a negative total: every transposed kernel on the extended geometry", () => {
    const o: ConvTransposeOptions = { stride: 3, padding: 'same-lower', outputSize: [10, 9] };
    const g = resolveConvTranspose([1, 3, 3, 2], [3, 2, 2, 1], o);
    expect(g.padBegin.some((p) => p < 0)).toBe(true);
    const c = adjointGeometry(adjointGeometry(g));
    const x = f64(g.inputShape, 1);
    const w = f64(g.weightShape, 2);
    const want = referenceConvTranspose(x, w, o).data;
    for (const kernel of ['direct', 'gemm', 'phases'] as const) {
      const out = new Float64Array(size(g.outputShape));
      convTransposeImpl(c, x.data, w.data, null, out, kernel);
      expectNear(out, want, 1e-14);
    }
  });
});

describe('convGemmImpl: the convolution as one GEMM per tap (the input gradient of convTranspose)', () => {
  it('matches the reference on random geometries with enough channels to take the GEMM, both packings', () => {
    let ran = 0;
    fc.assert(
      fc.property(
        problemArb,
        fc.integer({ min: 3, max: 7 }),
        fc.integer({ min: 3, max: 6 }),
        (p, cout, cin) => {
          const groups = p.options.groups ?? 1;
          const xs = [p.inputShape[0]!, groups * cin, ...p.inputShape.slice(2).map((n) => n + 4)];
          const ws = [groups * cout, cin, ...p.weightShape.slice(2)];
          const { outputPadding: _op, outputSize: _os, bias: _b, ...o } = p.options;
          let g: ReturnType<typeof resolveConv>;
          try {
            g = resolveConv(xs, ws, o);
          } catch {
            return;
          }
          const x = f64(xs, p.seed);
          const w = f64(ws, p.seed + 1);
          const want = referenceConv(x, w, o).data;
          for (const panel of [undefined, 1]) {
            const out = new Float64Array(size(g.outputShape));
            convGemmImpl(g, x.data, w.data, out, panel);
            expectNear(out, want, 1e-13);
          }
          ran++;
        },
      ),
      { numRuns: 50, seed: 17 },
    );
    expect(ran).toBeGreaterThan(20);
  });

  it('one input channel and a long kernel (ISTFT-like): every tap in one GEMM, and per tap', () => {
    const o = { stride: 16, padding: 24 };
    const xs = [2, 1, 700];
    const ws = [5, 1, 64];
    const g = resolveConv(xs, ws, o);
    const x = f64(xs, 41);
    const w = f64(ws, 42);
    const want = referenceConv(x, w, o).data;
    for (const panel of [undefined, 1]) {
      const out = new Float64Array(size(g.outputShape));
      convGemmImpl(g, x.data, w.data, out, panel);
      expectNear(out, want, 1e-13);
    }
  });

  it('on the adjoint of a long-row, many-channel transposed convolution with negative pads', () => {
    const o: ConvTransposeOptions = { stride: 3, padding: 'same-upper' };
    const g = resolveConvTranspose([2, 6, 3, 700], [6, 4, 2, 2], o);
    const c = adjointGeometry(g);
    expect([...c.padBegin, ...c.padEnd].some((v) => v < 0)).toBe(true);
    const gy = f64(g.outputShape, 21);
    const w = f64(g.weightShape, 22);
    const out = new Float64Array(size(c.outputShape));
    convGemmImpl(c, gy.data, w.data, out);
    const x = f64(g.inputShape, 23);
    expect(dotp(out, x.data)).toBeCloseTo(dotp(referenceConvTranspose(x, w, o).data, gy.data), 9);
  });
});

describe('the weight gradient with fewer than four output channels (the operands swap)', () => {
  it('RGB-like: 6 input channels, 3 output channels, batch 2, against the definition', () => {
    const o: ConvTransposeOptions = { stride: 2, padding: 1 };
    const x = f64([2, 6, 5, 4], 31);
    const w = f64([6, 3, 4, 4], 32);
    const g = resolveConvTranspose(x.shape, w.shape, o);
    const gy = f64(g.outputShape, 33);
    const want = gradientsByDefinition((a, b) => referenceConvTranspose(a, b, o), x, w, gy);
    expectNear(cpuBackend.convTransposeBackward(gy, x, w, o).weight.data, want.weight, 1e-12);
  });
});

describe('non-finite inputs: no NaN the definition would not produce', () => {
  it('an infinite input element reaches exactly the taps that pair it with an output (no 0·∞ from padding)', () => {
    const o: ConvTransposeOptions = { stride: 2, padding: 2 };
    const xs = [1, 4, 3, 3];
    const ws = [4, 4, 4, 4];
    const x = tensor(new Float32Array(size(xs)).fill(0.5), xs);
    x.data[0] = Number.POSITIVE_INFINITY; // channel 0, position (0, 0)
    const w = tensor(new Float32Array(size(ws)).fill(0.25), ws);
    const g = resolveConvTranspose(xs, ws, o);
    const gy = tensor(new Float32Array(size(g.outputShape)).fill(1), g.outputShape);
    const d = cpuBackend.convTransposeBackward(gy, x, w, o);
    // input (0, 0) lands on output (k·1 − 2) per axis: inside for taps k ≥ 2
    for (let i = 0; i < d.weight.data.length; i++) {
      const ci = Math.floor(i / 64);
      const t = i % 16;
      const reaches = ci === 0 && Math.floor(t / 4) >= 2 && t % 4 >= 2;
      if (reaches) expect(d.weight.data[i], `weight gradient ${i}`).toBe(Number.POSITIVE_INFINITY);
      else expect(Number.isFinite(d.weight.data[i]!), `weight gradient ${i}`).toBe(true);
    }
    expect(Array.from(d.input.data).every(Number.isFinite)).toBe(true);
  });
});
