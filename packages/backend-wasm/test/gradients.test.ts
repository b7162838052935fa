import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConvOptions, ConvTransposeOptions, Gradients, Tensor } from '@tconv/core';
import {
  adjointGeometry,
  biasGradient,
  resolveConv,
  resolveConvTranspose,
  TconvError,
  tensor,
} from '@tconv/core';
import { cpuBackend } from '@tconv/backend-cpu';
import { createWasmBackend, wasmBackend } from '@tconv/backend-wasm';
import { OVERFLOW_CASES, overflowProblem, problemArb, randomData } from '@tconv/testing';
import type { WasmConvTransposeKernel } from '../src/internal';
import { convDotFits, convPhasesFits, weightGradientKernel } from '../src/kernel-choice';

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const one = await createWasmBackend();
const two = await createWasmBackend({ threads: 2, threadThreshold: 0 });
const kernels: WasmConvTransposeKernel[] = ['gemm', 'phases', 'thin', 'lanes'];
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
  // the kernels' bias gradient is core's, bit for bit (the same float64 partial sums, in order)
  expect(Array.from(first.bias.data)).toEqual(Array.from(biasGradient(g, gy.data)));
  for (const b of backends.slice(1)) {
    const again = await b[method](gy, x, w, o);
    if (each) {
      expectGradientsClose(op, again, gy, x, w, o);
      continue;
    }
    expect(Array.from(again.input.data)).toEqual(Array.from(first.input.data));
    expect(Array.from(again.weight.data)).toEqual(Array.from(first.weight.data));
    expect(Array.from(again.bias.data)).toEqual(Array.from(first.bias.data));
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
  // identical also where the weight gradient splits by batch items: problemArb's batch is at most
  // 2, one item per part, and both weight-gradient kernels store item 0's sum and add item 1's, as
  // the join adds part 1's (larger batches: test/thread-splits.test.ts, within rounding)
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

  it('random geometries reach both weight-gradient kernels (the stride phases and the GEMM)', async () => {
    const reached = { phases: 0, gemm: 0 };
    await fc.assert(
      fc.asyncProperty(problemArb, async (p) => {
        if (!valid(() => resolveConvTranspose(p.inputShape, p.weightShape, p.options))) return;
        const g = resolveConvTranspose(p.inputShape, p.weightShape, p.options);
        reached[weightGradientKernel(g.inChannelsPerGroup, g.inputSize[g.rank - 1]!)]++;
        await checkProblem('convTranspose', [one, two], p.inputShape, p.weightShape, p.options, p.seed + 11);
      }),
      { numRuns: 60, seed: 20261201 },
    );
    expect(reached.phases).toBeGreaterThan(5);
    expect(reached.gemm).toBeGreaterThan(5);
  });

  it('the stride-phase input gradient: random geometries widened to 4+ channels per group and rows of 8+', async () => {
    let reached = 0;
    await fc.assert(
      fc.asyncProperty(problemArb, async (p) => {
        // 3 more input channels per group and 8 more positions on the last axis than drawn
        const groups = p.options.groups ?? 1;
        const cinG = p.weightShape[0]! / groups + 3;
        const inputShape = [...p.inputShape];
        inputShape[1] = groups * cinG;
        inputShape[inputShape.length - 1]! += 8;
        const weightShape = [groups * cinG, ...p.weightShape.slice(1)];
        if (!valid(() => resolveConvTranspose(inputShape, weightShape, p.options))) return;
        const g = resolveConvTranspose(inputShape, weightShape, p.options);
        if (convPhasesFits(adjointGeometry(g))) reached++;
        await checkProblem('convTranspose', [one, two], inputShape, weightShape, p.options, p.seed + 5);
      }),
      { numRuns: 50, seed: 20261202 },
    );
    expect(reached).toBeGreaterThan(20);
  });

  it('the dot-product input gradient (few output positions): channel and depth tails, ranks 1–3', async () => {
    const cases: [number[], number[], object][] = [
      // 15 positions (an odd one out), 7 channels per group (a tile of 4 and 3), depth 27 (a tail of 3)
      [[2, 14, 3, 5], [14, 3, 3, 3], { stride: 2, padding: 1, groups: 2 }],
      [[1, 9, 7], [9, 5, 5], { stride: 3, padding: 2, dilation: 2 }],
      [[1, 6, 2, 3, 4], [6, 4, 3, 3, 3], { stride: 2, padding: 1, outputPadding: 1 }],
      [[1, 64, 4, 4], [64, 24, 4, 4], { stride: 2, padding: 1 }],
    ];
    let seed = 80;
    for (const [xs, ws, o] of cases) {
      const adjoint = adjointGeometry(resolveConvTranspose(xs, ws, o));
      expect(convDotFits(adjoint) && !convPhasesFits(adjoint)).toBe(true);
      await checkProblem('convTranspose', [one, two], xs, ws, o, seed++);
    }
  });

  it('the stride-phase weight gradient on each of its branches', async () => {
    const cases: [Op, number[], number[], object][] = [
      // rows of a by 4 and a leftover row, an odd column count, a row of 7 (a scalar tail), batch 3
      ['convTranspose', [3, 5, 6, 7], [5, 3, 3, 3], { stride: 2, padding: 1, outputPadding: 1 }],
      // depthwise (one row and one channel per group), stride 2, kernel 4
      ['convTranspose', [2, 6, 9, 8], [6, 1, 4, 4], { stride: 2, padding: 1, groups: 6 }],
      // dilation 2 with negative shifts, groups, rank 1 with a long row and stride 4 (wavegan-like)
      ['convTranspose', [1, 8, 33, 12], [8, 3, 3, 3], { padding: 2, dilation: 2, groups: 2 }],
      ['convTranspose', [2, 12, 301], [12, 5, 25], { stride: 4, padding: 11, outputPadding: 1 }],
      // kernel 16 stride 8 (fcn-up8-like), rank 3, padding larger than the kernel reach (ONNX-like crop)
      ['convTranspose', [1, 5, 6, 6], [5, 7, 16, 16], { stride: 8, padding: 4 }],
      ['convTranspose', [1, 4, 5, 6, 4], [4, 6, 3, 3, 3], { stride: 2, padding: 1, outputPadding: 1 }],
      ['convTranspose', [1, 3, 8, 9], [3, 2, 3, 3], { stride: 3, padding: 'same' }],
      // many channels of large planes: b's phases in several blocks of channels
      ['convTranspose', [1, 4, 64, 64], [4, 12, 3, 3], { stride: 2, padding: 1 }],
      // the convolution's weight gradient (a = gradOutput, b = input, read with its stride)
      [
        'conv',
        [2, 6, 31, 17],
        [8, 3, 3, 5],
        { stride: [2, 3], padding: [1, 2], dilation: [1, 2], groups: 2 },
      ],
      ['conv', [1, 4, 200], [8, 4, 7], { stride: 3, padding: 5 }],
    ];
    let seed = 40;
    for (const [op, xs, ws, o] of cases) {
      const g = op === 'convTranspose' ? resolveConvTranspose(xs, ws, o) : resolveConv(xs, ws, o);
      const a = op === 'convTranspose' ? g.inputSize : g.outputSize;
      const rows = op === 'convTranspose' ? g.inChannelsPerGroup : g.outChannelsPerGroup;
      expect(weightGradientKernel(rows, a[a.length - 1]!)).toBe('phases');
      await checkProblem(op, [one, two], xs, ws, o, seed++);
    }
  });

  it('the GEMM weight gradient: many rows of a per position (DCGAN 4×4-like), rows shorter than a vector', async () => {
    const cases: [number[], number[], object][] = [
      [[1, 64, 4, 4], [64, 24, 4, 4], { stride: 2, padding: 1 }],
      [[2, 6, 5, 3], [6, 4, 3, 3], { stride: 2, padding: 1 }],
    ];
    let seed = 60;
    for (const [xs, ws, o] of cases) {
      const g = resolveConvTranspose(xs, ws, o);
      const kernel = weightGradientKernel(g.inChannelsPerGroup, xs[xs.length - 1]!);
      expect(kernel).toBe('gemm');
      await checkProblem('convTranspose', [one, two], xs, ws, o, seed++);
    }
  });

  it('an input gradient whose float32 products overflow is the float64 definition (exactly 0 here)', async () => {
    for (const c of OVERFLOW_CASES) {
      // gradOutput all `value`, kernel [+w, −w] per channel: ∂input = conv(gradOutput, w) is 0
      const { x: gy, w } = overflowProblem(c);
      const x = tensor(new Float32Array(c.channels * (c.positions - 1)).fill(1), [
        1,
        c.channels,
        c.positions - 1,
      ]);
      for (const b of [one, two]) {
        const d = await b.convTransposeBackward(gy, x, w, { groups: c.channels });
        expect(Array.from(d.input.data)).toEqual(new Array(x.data.length).fill(0));
      }
    }
  });

  it("the bias gradient sums as core's: four float64 lanes, a plane's tail into the first, (s0 + s1) + (s2 + s3)", async () => {
    // float32 values whose float64 sums depend on the order (2^60 absorbs a 1 it meets first):
    // lanes, the tail, items and the final pairing each change a result when done otherwise
    const big = 2 ** 60;
    const cases = [
      { k: 3, gy: [big, -big, 1, 0], want: 1 }, // lanes (s0, s1) cancel before s2 + s3
      { k: 4, gy: [1, big, 0, 0, -big], want: 0 }, // the tail meets s0 (1 + −2^60), then s1
      { k: 3, gy: [big, -big, 1, 0, -big, big, 0, 1], want: 2, batch: 2 }, // items in order
      { k: 3, gy: [1, 0, big, -big], want: 1 }, // (s0 + s1) + (s2 + s3), not ((s0 + s1) + s2) + s3
    ];
    for (const { k, gy: values, want, batch = 1 } of cases) {
      const x = tensor(new Float32Array(batch * 2).fill(1), [batch, 1, 2]);
      const w = tensor(new Float32Array(k).fill(1), [1, 1, k]);
      const gy = tensor(Float32Array.from(values), [batch, 1, values.length / batch]);
      const g = resolveConvTranspose(x.shape, w.shape);
      expect(Array.from(biasGradient(g, gy.data))).toEqual([want]);
      for (const b of [one, two]) {
        expect(Array.from((await b.convTransposeBackward(gy, x, w)).bias.data)).toEqual([want]);
      }
    }
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
