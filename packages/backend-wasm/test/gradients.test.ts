import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConvOptions, ConvTransposeOptions, Gradients, Tensor } from '@tconv/core';
import { resolveConv, resolveConvTranspose, TconvError, tensor } from '@tconv/core';
import { cpuBackend } from '@tconv/backend-cpu';
import { createWasmBackend, wasmBackend } from '@tconv/backend-wasm';
import { problemArb, randomData } from '@tconv/testing';
import type { WasmConvTransposeKernel } from '../src/internal';

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const one = await createWasmBackend();
const two = await createWasmBackend({ threads: 2, threadThreshold: 0 });
const kernels: WasmConvTransposeKernel[] = ['gemm', 'phases', 'thin'];
const forced = await Promise.all(kernels.map((kernel) => createWasmBackend({ kernel })));
afterAll(() => Promise.all([one, two, ...forced].map((b) => b.dispose())));

const f64 = (t: Tensor, map: (v: number) => number = (v) => v): Tensor =>
  tensor(Float64Array.from(t.data, map), t.shape);

type Op = 'convTranspose' | 'conv';

/**
 * Each gradient within float32 rounding of the float64 definition (the CPU backend in float64):
 * |got − exact| ≤ (terms + 2)·2^-24·(the same gradient of the absolute values), `terms` bounding
 * the products summed into one element.
 */
function expectGradientsClose(op: Op, got: Gradients, gy: Tensor, x: Tensor, w: Tensor, o: object) {
  const method = op === 'convTranspose' ? 'convTransposeBackward' : 'convBackward';
  const exact = cpuBackend[method](f64(gy), f64(x), f64(w), o);
  const mag = cpuBackend[method](f64(gy, Math.abs), f64(x, Math.abs), f64(w, Math.abs), o);
  const terms = size(gy.shape) + size(x.shape) + size(w.shape);
  for (const key of ['input', 'weight', 'bias'] as const) {
    expect(got[key].shape).toEqual(exact[key].shape);
    expect(got[key].data).toBeInstanceOf(Float32Array);
    const a = got[key].data;
    for (let i = 0; i < a.length; i++) {
      const bound = (terms + 2) * 2 ** -24 * mag[key].data[i]! + 1e-30;
      if (!(Math.abs(a[i]! - exact[key].data[i]!) <= bound))
        throw new Error(`${key}[${i}]: ${a[i]} vs ${exact[key].data[i]} (bound ${bound})`);
    }
  }
}

/** The problem as a convolution: the transposed problem's weight read as a convolution's. */
function convProblem(p: { inputShape: number[]; weightShape: number[]; options: ConvTransposeOptions }) {
  const { outputPadding: _op, outputSize: _os, bias: _b, ...rest } = p.options;
  const transposedOut = resolveConvTranspose(p.inputShape, p.weightShape, p.options).outputShape;
  const groups = p.options.groups ?? 1;
  const inputShape = [transposedOut[0]!, groups * p.weightShape[1]!, ...transposedOut.slice(2)];
  return { inputShape, weightShape: p.weightShape, options: rest as ConvOptions };
}

/**
 * The first backend's gradients within rounding of the definition; the others identical to it
 * (threads), or with `each` each within rounding (different kernels round differently).
 */
async function checkProblem(
  op: Op,
  backends: (typeof one)[],
  xs: number[],
  ws: number[],
  o: object,
  seed: number,
  each = false,
) {
  const g = op === 'convTranspose' ? resolveConvTranspose(xs, ws, o) : resolveConv(xs, ws, o);
  const x = tensor(randomData(size(xs), seed), xs);
  const w = tensor(randomData(size(ws), seed + 1), ws);
  const gy = tensor(randomData(size(g.outputShape), seed + 2), g.outputShape);
  const method = op === 'convTranspose' ? 'convTransposeBackward' : 'convBackward';
  const first = await backends[0]![method](gy, x, w, o);
  expectGradientsClose(op, first, gy, x, w, o);
  for (const b of backends.slice(1)) {
    const again = await b[method](gy, x, w, o);
    if (each) {
      expectGradientsClose(op, again, gy, x, w, o);
      continue;
    }
    expect(Array.from(again.input.data)).toEqual(Array.from(first.input.data));
    expect(Array.from(again.weight.data)).toEqual(Array.from(first.weight.data));
  }
}

const valid = (run: () => unknown): boolean => {
  try {
    run();
    return true;
  } catch (e) {
    if (e instanceof TconvError) return false;
    throw e;
  }
};

describe('gradients against the float64 definition', () => {
  it('convTransposeBackward: random geometries of ranks 1–3 over every option (1 and 2 threads identical)', () =>
    fc.assert(
      fc.asyncProperty(problemArb, async (p) => {
        if (!valid(() => resolveConvTranspose(p.inputShape, p.weightShape, p.options))) return;
        await checkProblem('convTranspose', [one, two], p.inputShape, p.weightShape, p.options, p.seed);
      }),
      { numRuns: 80 },
    ));

  it('convBackward: random geometries of ranks 1–3 (1 and 2 threads identical)', () =>
    fc.assert(
      fc.asyncProperty(problemArb, async (p) => {
        if (!valid(() => resolveConvTranspose(p.inputShape, p.weightShape, p.options))) return;
        const c = convProblem(p);
        if (!valid(() => resolveConv(c.inputShape, c.weightShape, c.options))) return;
        await checkProblem('conv', [one, two], c.inputShape, c.weightShape, c.options, p.seed);
      }),
      { numRuns: 80 },
    ));

  it('convBackward through every transposed-convolution kernel of its input gradient', () =>
    fc.assert(
      fc.asyncProperty(problemArb, async (p) => {
        if (!valid(() => resolveConvTranspose(p.inputShape, p.weightShape, p.options))) return;
        const c = convProblem(p);
        if (!valid(() => resolveConv(c.inputShape, c.weightShape, c.options))) return;
        await checkProblem('conv', forced, c.inputShape, c.weightShape, c.options, p.seed, true);
      }),
      { numRuns: 40 },
    ));

  it('layer-sized problems that tile the weight gradient (chunks of positions, split channels)', async () => {
    await checkProblem(
      'convTranspose',
      [one, two],
      [2, 64, 12, 12],
      [64, 40, 4, 4],
      { stride: 2, padding: 1 },
      3,
    );
    await checkProblem('conv', [one, two], [1, 24, 40, 40], [48, 24, 3, 3], { padding: 1, stride: 2 }, 4);
    await checkProblem('convTranspose', [one, two], [1, 8, 300], [8, 16, 9], { stride: 4, groups: 2 }, 5);
  });

  it('negative pads of the adjoint: Keras same with kernel < stride, ONNX same-upper with a negative total', async () => {
    await checkProblem(
      'convTranspose',
      [one, two],
      [1, 3, 5, 4],
      [3, 2, 1, 2],
      { stride: 3, padding: 'same' },
      6,
    );
    await checkProblem(
      'convTranspose',
      [one, two],
      [1, 2, 6],
      [2, 3, 2],
      { stride: 4, padding: 'same-upper', outputPadding: 1 },
      7,
    );
  });

  it('wasmBackend has both gradients: d2l 13.10.3 (the input gradient of a transposed convolution is the convolution)', async () => {
    const x = tensor([0, 1, 2, 3], [1, 1, 2, 2]);
    const w = tensor([0, 1, 2, 3], [1, 1, 2, 2]);
    const gy = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3]);
    const g = await wasmBackend.convTransposeBackward(gy, x, w);
    expect(Array.from(g.input.data)).toEqual(Array.from((await wasmBackend.conv(gy, w)).data));
    expect(Array.from(g.bias.data)).toEqual([45]);
  });
});
