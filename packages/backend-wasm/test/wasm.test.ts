import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConvTransposeOptions } from '@tconv/core';
import { resolveConvTranspose, TconvError, tensor, UnsupportedError } from '@tconv/core';
import { referenceConv, referenceConvTranspose } from '@tconv/backend-cpu';
import type { WasmBackend, WasmConvTransposeKernel } from '@tconv/backend-wasm';
import { createWasmBackend, MAX_WASM_BYTES, wasmBackend } from '@tconv/backend-wasm';
import { convTransposeKernel, MIN_THREADED_CHANNELS, planForward, threadSplit } from '../src/internal';
import { problemArb, randomData } from '@tconv/testing';

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const one = await createWasmBackend();
const two = await createWasmBackend({ threads: 2, threadThreshold: 0 });
const kernels: WasmConvTransposeKernel[] = ['gemm', 'phases', 'thin', 'lanes'];
const forced = await Promise.all(kernels.map((kernel) => createWasmBackend({ kernel })));
const forcedTwo = await Promise.all(
  kernels.map((kernel) => createWasmBackend({ kernel, threads: 2, threadThreshold: 0 })),
);
afterAll(() => Promise.all([two, ...forcedTwo].map((b) => b.dispose())));

/** float32 within the worst-case rounding bound of a float64 reference: (terms + 2)·2^-24·Σ|x·w|. */
function expectFloat32Close(
  actual: ArrayLike<number>,
  x: Float32Array,
  w: Float32Array,
  xs: number[],
  ws: number[],
  o: ConvTransposeOptions,
  terms: number,
  op: 'ct' | 'conv' = 'ct',
) {
  const run = op === 'ct' ? referenceConvTranspose : referenceConv;
  const { bias, ...rest } = o;
  const exact = run(
    tensor(Float64Array.from(x), xs),
    tensor(Float64Array.from(w), ws),
    bias ? { ...rest, bias: Float64Array.from(bias as number[]) } : rest,
  ).data;
  const mag = run(
    tensor(Float64Array.from(x, Math.abs), xs),
    tensor(Float64Array.from(w, Math.abs), ws),
    bias ? { ...rest, bias: Float64Array.from(bias as number[], Math.abs) } : rest,
  ).data;
  expect(actual.length).toBe(exact.length);
  for (let i = 0; i < exact.length; i++) {
    const bound = (terms + 2) * 2 ** -24 * mag[i]!;
    if (!(Math.abs(actual[i]! - exact[i]!) <= bound + 1e-30))
      throw new Error(`element ${i}: ${actual[i]} vs ${exact[i]} (bound ${bound})`);
  }
}

/**
 * On random geometries of ranks 1–3 over every option: the one-thread backend within float32
 * rounding of the definition, and the two-thread one identical to it.
 */
function randomGeometries(single: WasmBackend, threaded: WasmBackend, numRuns: number) {
  return fc.assert(
    fc.asyncProperty(problemArb, async (p) => {
      try {
        resolveConvTranspose(p.inputShape, p.weightShape, p.options);
      } catch (e) {
        if (e instanceof TconvError) return;
        throw e;
      }
      const x = randomData(size(p.inputShape), p.seed) as Float32Array;
      const w = randomData(size(p.weightShape), p.seed + 1) as Float32Array;
      const args = [tensor(x, p.inputShape), tensor(w, p.weightShape), p.options] as const;
      const y1 = await single.convTranspose(...args);
      const y2 = await threaded.convTranspose(...args);
      expect(y1.data).toBeInstanceOf(Float32Array);
      expect(Array.from(y2.data)).toEqual(Array.from(y1.data));
      const cinG = p.weightShape[0]! / (p.options.groups ?? 1);
      const terms = cinG * size(p.weightShape.slice(2)) + 1;
      expectFloat32Close(y1.data, x, w, p.inputShape, p.weightShape, p.options, terms);
    }),
    { numRuns },
  );
}

/**
 * Kernel `k` (its index in `kernels`) forced on seeded data: one thread within float32 rounding of
 * the definition, two threads (threshold 0) identical to it.
 */
async function expectForcedKernel(
  k: number,
  xs: number[],
  ws: number[],
  o: ConvTransposeOptions,
  seedX: number,
  seedW: number,
) {
  const x = randomData(size(xs), seedX) as Float32Array;
  const w = randomData(size(ws), seedW) as Float32Array;
  const args = [tensor(x, xs), tensor(w, ws), o] as const;
  const y = await forced[k]!.convTranspose(...args);
  const cinG = ws[0]! / (o.groups ?? 1);
  expectFloat32Close(y.data, x, w, xs, ws, o, cinG * size(ws.slice(2)) + 1);
  expect(Array.from((await forcedTwo[k]!.convTranspose(...args)).data)).toEqual(Array.from(y.data));
}

describe('wasm backend against the definition', () => {
  it('random geometries of ranks 1–3 over every option, the kernel picked by shape (1 and 2 threads identical)', () =>
    randomGeometries(one, two, 150));

  kernels.forEach((kernel, k) => {
    it(`kernel ${kernel}: random geometries (ranks 1–3, every option), 1 and 2 threads identical`, () =>
      randomGeometries(forced[k]!, forcedTwo[k]!, 120));
  });

  it('phases: the tile edges (output channels 1–9 around the 4-channel tile, rows 1–17 around 4 and 8 positions, 130 and 520 input channels over a channel block of 128 channels or 512 tap-channels)', async () => {
    const phases = forced[1]!;
    for (const cout of [1, 2, 3, 4, 5, 7, 9]) {
      for (const n of [1, 3, 4, 5, 8, 9, 17]) {
        for (const [cin, s, k, pad] of [
          [3, 1, 3, 1],
          [5, 2, 4, 1],
          [130, 2, 2, 0],
          [130, 1, 4, 1],
          [520, 2, 2, 0],
          [2, 3, 5, 2],
        ] as const) {
          if (cin >= 130 && cout > 4) continue;
          if (cin === 520 && ((cout !== 1 && cout !== 4) || (n !== 5 && n !== 9))) continue;
          const xs = [2, cin, n + 1, n];
          const ws = [cin, cout, k, k];
          const o = { stride: s, padding: pad, bias: Array.from({ length: cout }, (_, i) => i / 3 - 1) };
          const x = randomData(size(xs), n * 31 + cout) as Float32Array;
          const w = randomData(size(ws), s * 7 + k + cin) as Float32Array;
          const y = await phases.convTranspose(tensor(x, xs), tensor(w, ws), o);
          expectFloat32Close(y.data, x, w, xs, ws, o, cin * k * k + 1);
        }
      }
    }
  });

  it('thin: the interleaved strides 2 and 4 and their tails (rows 1–17, 1 or 2 input channels per group, 1D–3D)', async () => {
    const thin = forced[2]!;
    for (const s of [2, 4]) {
      for (const n of [1, 3, 4, 5, 8, 9, 17]) {
        for (const [cinG, coutG, k, pad, op] of [
          [1, 1, 4, 1, 0],
          [2, 3, 3, 1, 1],
          [1, 2, 5, 2, 1],
        ] as const) {
          for (const lead of [[], [3], [2, 3]]) {
            const groups = 3;
            const xs = [2, groups * cinG, ...lead, n];
            const ws = [groups * cinG, coutG, ...lead.map(() => 2), k];
            const o = {
              stride: [...lead.map(() => 2), s],
              padding: [...lead.map(() => 0), pad],
              outputPadding: [...lead.map(() => 0), op],
              groups,
            };
            const x = randomData(size(xs), n * 7 + s) as Float32Array;
            const w = randomData(size(ws), k + cinG) as Float32Array;
            const y = await thin.convTranspose(tensor(x, xs), tensor(w, ws), o);
            expectFloat32Close(y.data, x, w, xs, ws, o, cinG * size(ws.slice(2)) + 1);
          }
        }
      }
    }
  });

  it('lanes: the tile edges (rows of Wᵀ 1–17 around the 8 lanes, positions 1–9 around 4, kernels 1–9 and 2048 along the last axis, padding cropping a vector, 1D–3D, groups, dilation)', async () => {
    for (const [cin, cout, kL, s, pad, d] of [
      [1, 1, 4, 2, 0, 1],
      [3, 1, 8, 4, 1, 1],
      [5, 3, 4, 2, 1, 1],
      [2, 2, 5, 3, 2, 1],
      [3, 1, 3, 2, 1, 2],
      [9, 2, 9, 1, 4, 1],
      [17, 2, 4, 2, 1, 1],
      [4, 1, 2048, 512, 0, 1],
    ] as const) {
      for (const n of [1, 3, 4, 5, 9]) {
        for (const lead of [[], [3], [2, 2]]) {
          for (const groups of [1, 2]) {
            const xs = [2, cin * groups, ...lead, n];
            const ws = [cin * groups, cout, ...lead.map(() => 2), kL];
            const o = {
              stride: [...lead.map(() => 2), s],
              padding: [...lead.map(() => 1), pad],
              dilation: [...lead.map(() => 1), d],
              groups,
              bias: Array.from({ length: cout * groups }, (_, i) => i / 3 - 1),
            };
            try {
              resolveConvTranspose(xs, ws, o);
            } catch (e) {
              if (e instanceof TconvError) continue;
              throw e;
            }
            await expectForcedKernel(3, xs, ws, o, n * 13 + kL, cin + cout + kL);
          }
        }
      }
    }
  });

  it('gemm: the column panel (rows of Wᵀ 4–27 with 1-row leftovers, columns 10–63 with scalar tails, 1–33 input channels; two threads split output channels — 9 of them, or one batch item — so a part starts inside a row tile, else batch items)', async () => {
    for (const [cout, kh, kw] of [
      [1, 2, 2],
      [2, 2, 2],
      [3, 3, 1],
      [5, 1, 3],
      [9, 3, 1],
    ] as const) {
      for (const cin of [1, 3, 8, 9, 33]) {
        for (const [n, h, wIn] of [
          [2, 2, 5],
          [2, 6, 7],
          [1, 9, 7],
        ] as const) {
          const xs = [n, cin, h, wIn];
          const ws = [cin, cout, kh, kw];
          const o = { stride: 2, padding: [0, 1], bias: Array.from({ length: cout }, (_, i) => i - 1) };
          const split = threadSplit(resolveConvTranspose(xs, ws, o), 2, 0, cout);
          const byChannels = cout >= MIN_THREADED_CHANNELS || n === 1;
          expect(split).toEqual(
            byChannels ? { by: 'channels', parts: Math.min(2, cout) } : { by: 'batch', parts: 2 },
          );
          await expectForcedKernel(0, xs, ws, o, cin * 7 + h, cout * 5 + kw);
        }
      }
    }
  });

  it('picks thin for depthwise, lanes or gemm for few output channels or few positions per weight, phases otherwise', () => {
    const pick = (x: number[], w: number[], o = {}) => convTransposeKernel(resolveConvTranspose(x, w, o));
    expect(pick([1, 64, 32, 32], [64, 1, 4, 4], { groups: 64 })).toBe('thin');
    // few positions per weight (DCGAN's 4×4 → 8×8): the lanes when the kernel's last axis is whole
    // vectors, else the GEMM
    expect(pick([1, 512, 4, 4], [512, 256, 4, 4], { stride: 2, padding: 1 })).toBe('lanes');
    expect(pick([1, 512, 4, 4], [512, 256, 3, 3], { stride: 2, padding: 1 })).toBe('gemm');
    expect(pick([1, 64, 64, 64], [64, 32, 3, 3], { padding: 1 })).toBe('phases');
    // few output channels per group with a long kernel's last axis of whole vectors (the iSTFT
    // layer: 1 channel, 2048 taps): the lanes; with a short (DCGAN's RGB layer: 3 channels, 4 taps),
    // odd or dilated one: the GEMM
    expect(pick([1, 512, 128], [512, 1, 2048], { stride: 512 })).toBe('lanes');
    expect(pick([1, 8, 9], [8, 2, 8], { stride: 4 })).toBe('lanes');
    expect(pick([8, 64, 32, 32], [64, 3, 4, 4], { stride: 2, padding: 1 })).toBe('gemm');
    expect(pick([1, 8, 9, 9], [8, 2, 3, 10], { stride: 2 })).toBe('gemm');
    expect(pick([1, 8, 9, 9], [8, 2, 4, 8], { stride: 2, dilation: 2 })).toBe('gemm');
  });

  it('the edges of the SIMD tiling: sizes 1, 3, 5, 7, 9, 17 in channels and rows, strides 2 and 4', async () => {
    for (const n of [1, 3, 5, 7, 9, 17]) {
      for (const c of [1, 3, 5, 9, 17]) {
        const xs = [1, c, n, n + 2];
        const ws = [c, 5, 3, 2];
        const o = { stride: [c % 2 ? 2 : 4, n % 3 ? 2 : 4], padding: 1 };
        const x = randomData(size(xs), n * 31 + c) as Float32Array;
        const w = randomData(size(ws), n + c) as Float32Array;
        const y = await one.convTranspose(tensor(x, xs), tensor(w, ws), o);
        expectFloat32Close(y.data, x, w, xs, ws, o, c * 6 + 1);
      }
    }
  });

  it('conv: the definition on 1D/2D/3D with stride, padding, dilation and groups', async () => {
    for (const [xs, ws, o] of [
      [[2, 4, 11], [6, 2, 3], { stride: 2, padding: 1, groups: 2 }],
      [[1, 3, 9, 8], [5, 3, 3, 2], { dilation: [2, 1], padding: 'same' }],
      [[1, 2, 5, 6, 4], [3, 2, 2, 3, 2], { stride: [1, 2, 1], bias: [1, 2, 3] }],
    ] as [number[], number[], ConvTransposeOptions][]) {
      const x = randomData(size(xs), 5) as Float32Array;
      const w = randomData(size(ws), 6) as Float32Array;
      const y = await one.conv(tensor(x, xs), tensor(w, ws), o as object);
      const y2 = await two.conv(tensor(x, xs), tensor(w, ws), o as object);
      expect(Array.from(y2.data)).toEqual(Array.from(y.data));
      expectFloat32Close(y.data, x, w, xs, ws, o, ws[1]! * size(ws.slice(2)) + 1, 'conv');
    }
  });

  it('wasmBackend instantiates on its first call: the d2l example', async () => {
    const y = await wasmBackend.convTranspose(
      tensor([0, 1, 2, 3], [1, 1, 2, 2]),
      tensor([0, 1, 2, 3], [1, 1, 2, 2]),
    );
    expect(Array.from(y.data)).toEqual([0, 0, 1, 0, 4, 6, 4, 12, 9]);
  });
});

describe('threads', () => {
  it('a page that is not cross-origin isolated (no shared memory) computes on one thread', async () => {
    const g = globalThis as { crossOriginIsolated?: boolean };
    g.crossOriginIsolated = false;
    try {
      const backend = await createWasmBackend({ threads: 4 });
      expect(backend.threads).toBe(1);
      const y = await backend.convTranspose(
        tensor([0, 1, 2, 3], [1, 1, 2, 2]),
        tensor([0, 1, 2, 3], [1, 1, 2, 2]),
      );
      expect(Array.from(y.data)).toEqual([0, 0, 1, 0, 4, 6, 4, 12, 9]);
    } finally {
      delete g.crossOriginIsolated;
    }
  });

  it('few output channels split by batch items: dcgan-rgb-b8 (3 channels, batch 8) on 2 threads, identical to 1', async () => {
    const xs = [8, 64, 32, 32];
    const ws = [64, 3, 4, 4];
    const o = { stride: 2, padding: 1 };
    const g = resolveConvTranspose(xs, ws, o);
    expect(threadSplit(g, 2, 20_000_000, g.outChannelsPerGroup)).toEqual({ by: 'batch', parts: 2 });
    const ctx = { heapBase: 0, threads: 2, threadThreshold: 20_000_000, kernel: undefined };
    expect(planForward(g, new Float32Array(0), new Float32Array(0), null, ctx).tasks[0]!.length).toBe(2);
    const defaultTwo = await createWasmBackend({ threads: 2 });
    const x = tensor(randomData(size(xs), 21), xs);
    const w = tensor(randomData(size(ws), 22), ws);
    const [y1, y2] = [await one.convTranspose(x, w, o), await defaultTwo.convTranspose(x, w, o)];
    expect(Array.from(y2.data)).toEqual(Array.from(y1.data));
    await defaultTwo.dispose();
  });

  it('depthwise layers split by groups (forward and both gradients), identical to one thread', async () => {
    const xs = [1, 64, 32, 32];
    const ws = [64, 1, 4, 4];
    const o = { stride: 2, padding: 1, groups: 64 };
    const g = resolveConvTranspose(xs, ws, o);
    expect(threadSplit(g, 2, 1, g.outChannelsPerGroup)).toEqual({ by: 'groups', parts: 2 });
    const twoByGroups = await createWasmBackend({ threads: 2, threadThreshold: 1 });
    const x = tensor(randomData(size(xs), 23), xs);
    const w = tensor(randomData(size(ws), 24), ws);
    const gy = tensor(randomData(size(g.outputShape), 25), g.outputShape);
    const withBias = { ...o, bias: Array.from({ length: 64 }, (_, i) => i / 10) };
    expect(Array.from((await twoByGroups.convTranspose(x, w, withBias)).data)).toEqual(
      Array.from((await one.convTranspose(x, w, withBias)).data),
    );
    const [a, b] = [
      await one.convTransposeBackward(gy, x, w, o),
      await twoByGroups.convTransposeBackward(gy, x, w, o),
    ];
    expect(Array.from(b.input.data)).toEqual(Array.from(a.input.data));
    expect(Array.from(b.weight.data)).toEqual(Array.from(a.weight.data));
    await twoByGroups.dispose();
  });

  it('overlapping calls on a threaded backend each get their own result', async () => {
    const shapes = [
      [
        [1, 12, 8, 8],
        [12, 16, 4, 4],
      ],
      [
        [2, 6, 11, 3],
        [6, 9, 3, 2],
      ],
      [
        [1, 20, 40],
        [20, 8, 5],
      ],
    ] as const;
    const calls = shapes.map(([xs, ws], i) => {
      const x = tensor(randomData(size(xs), i), xs);
      const w = tensor(randomData(size(ws), i + 9), ws);
      return { x, w, y: two.convTranspose(x, w, { stride: 2 }) };
    });
    for (const { x, w, y } of calls) {
      expect(Array.from((await y).data)).toEqual(
        Array.from((await one.convTranspose(x, w, { stride: 2 })).data),
      );
    }
  });
});

describe('invalid input through this backend', () => {
  const x = tensor(new Float32Array(4), [1, 1, 2, 2]);
  it('rejects float64 clearly (declared absent in capabilities)', async () => {
    expect(wasmBackend.capabilities?.dtypes).toEqual(['float32']);
    await expect(
      one.convTranspose(tensor(new Float64Array(4), [1, 1, 2, 2]), tensor(new Float64Array(4), [1, 1, 2, 2])),
    ).rejects.toThrow(UnsupportedError);
    await expect(
      one.convTranspose(tensor(new Float64Array(4), [1, 1, 2, 2]), tensor(new Float64Array(4), [1, 1, 2, 2])),
    ).rejects.toThrow(/supports float32, but the input is float64/);
  });
  it('rejects an unknown kernel or worker host, naming the option', async () => {
    await expect(createWasmBackend({ kernel: 'fast' as 'gemm' })).rejects.toThrow(
      /kernel must be one of 'gemm', 'phases', 'thin', 'lanes', but got "fast"/,
    );
    await expect(createWasmBackend({ threads: 2, workerHost: 'deno' as 'web' })).rejects.toThrow(
      /workerHost/,
    );
  });
  it('rejects invalid options with the core errors', async () => {
    await expect(one.convTranspose(x, x, { stride: 2, outputPadding: 2 })).rejects.toThrow(
      /smaller than either stride or dilation/,
    );
    await expect(one.convTranspose(x, x, { padding: 'full' as 'same' })).rejects.toThrow(
      /not a padding word/,
    );
    await expect(two.conv(x, tensor(new Float32Array(8), [2, 2, 2, 1]))).rejects.toThrow(/weight/);
  });
  it('refuses problems over the size limits before allocating', async () => {
    const big = { shape: [1, 4096, 128, 128], data: new Float32Array(0) };
    // data length is checked first: a real tensor is needed, so exercise the limit through the geometry
    await expect(one.convTranspose(big, x)).rejects.toThrow(/needs/);
    const w = tensor(new Float32Array(64 * 64 * 16), [64, 64, 4, 4]);
    const xs = tensor(new Float32Array(64 * 128 * 128), [1, 64, 128, 128]);
    await expect(one.convTranspose(xs, w, { stride: 16 })).rejects.toThrow(
      new RegExp(`more than the limit of (${MAX_WASM_BYTES}|134217728)`),
    );
  });
});
