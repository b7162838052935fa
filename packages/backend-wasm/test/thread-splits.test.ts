// Every way a call splits over threads (issue #18), on two threads with threadThreshold 0 (every
// call splits): output channels, groups, batch items, input channels and stride phases, each on
// random geometries against the definition (float64), and the bit-identical ones identical to one
// thread. Also the
// overflow rule on a split call (a worker scans for non-finite values) and the backward.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConvTransposeGeometry, ConvTransposeOptions, Gradients, Tensor } from '@tconv/core';
import { geometryFlops, resolveConv, resolveConvTranspose, tensor } from '@tconv/core';
import { cpuBackend, referenceConvTranspose } from '@tconv/backend-cpu';
import { createWasmBackend } from '@tconv/backend-wasm';
import { backwardTensors, firstDifference, HANDED_OVER_BACKWARD, randomData } from '@tconv/testing';
import type { ThreadSplit } from '../src/internal';
import {
  COPY_BOUND_MAX_FLOPS_PER_WEIGHT,
  copyBoundSplit,
  convTransposeKernel,
  forwardSplit,
  inputChannelRanges,
  lanesSplit,
  planBackward,
  planForward,
  MAX_PHASE_IMBALANCE,
  RESIDUE_BLOCK,
  residueRanges,
  threadSplit,
  WORKER_COPY_MIN_FLOATS,
  wordIndex,
} from '../src/internal';

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const one = await createWasmBackend();
const two = await createWasmBackend({ threads: 2, threadThreshold: 0 });
afterAll(() => Promise.all([one.dispose(), two.dispose()]));

/** The backward job `planBackward` lays out for `g` on `threads` threads (operands zero, heap at 0). */
function backwardJob(g: ConvTransposeGeometry, threads: number, threadThreshold: number) {
  const zeros = (shape: readonly number[]) => new Float32Array(size(shape));
  return planBackward(g, zeros(g.outputShape), zeros(g.inputShape), zeros(g.weightShape), {
    heapBase: 0,
    threads,
    threadThreshold,
    kernel: undefined,
  });
}

/** The split a forward call on these shapes takes on two threads, threshold 0, with its rule's kernel. */
function splitOf(xs: number[], ws: number[], o: ConvTransposeOptions): ThreadSplit {
  const g = resolveConvTranspose(xs, ws, o);
  return forwardSplit(g, 2, 0, convTransposeKernel(g));
}

/** Every element within (terms + 2)·2⁻²⁴·Σ|x·w| of the float64 definition. */
function expectDefinition(
  y: Tensor,
  x: Float32Array,
  w: Float32Array,
  xs: number[],
  ws: number[],
  o: ConvTransposeOptions,
) {
  const exact = referenceConvTranspose(tensor(Float64Array.from(x), xs), tensor(Float64Array.from(w), ws), o);
  // the magnitudes' sum takes |bias| too: a bias-only output (no tap reaches it) has bound 2·2⁻²⁴·|bias|
  const bias = o.bias === undefined ? {} : { bias: Array.from(o.bias as ArrayLike<number>, Math.abs) };
  const mag = referenceConvTranspose(
    tensor(Float64Array.from(x, Math.abs), xs),
    tensor(Float64Array.from(w, Math.abs), ws),
    { ...o, ...bias },
  );
  expect(y.shape).toEqual(exact.shape);
  const terms = (ws[0]! / (o.groups ?? 1)) * size(ws.slice(2)) + 1;
  for (let i = 0; i < exact.data.length; i++) {
    const bound = (terms + 2) * 2 ** -24 * mag.data[i]!;
    if (!(Math.abs(y.data[i]! - exact.data[i]!) <= bound + 1e-30))
      throw new Error(`element ${i}: ${y.data[i]} vs ${exact.data[i]} (bound ${bound})`);
  }
}

/**
 * Both gradients within float32 rounding of the float64 definition: |got − exact| ≤ (terms + 2)·2⁻²⁴
 * times the same gradient of the absolute values, `terms` the products per element (batch × input
 * positions for ∂w, output channels × taps for ∂x).
 */
function expectGradientsDefinition(
  got: Gradients,
  gy: Tensor,
  x: Tensor,
  w: Tensor,
  o: ConvTransposeOptions,
) {
  const f64 = (t: Tensor, map: (v: number) => number = (v) => v) =>
    tensor(Float64Array.from(t.data, map), t.shape);
  const exact = cpuBackend.convTransposeBackward(f64(gy), f64(x), f64(w), o);
  const mag = cpuBackend.convTransposeBackward(f64(gy, Math.abs), f64(x, Math.abs), f64(w, Math.abs), o);
  for (const key of ['input', 'weight'] as const) {
    const terms = key === 'weight' ? size(x.shape) / x.shape[1]! : size(w.shape.slice(1));
    for (let i = 0; i < exact[key].data.length; i++) {
      const bound = (terms + 2) * 2 ** -24 * mag[key].data[i]! + 1e-30;
      if (!(Math.abs(got[key].data[i]! - exact[key].data[i]!) <= bound))
        throw new Error(`${key}[${i}]: ${got[key].data[i]} vs ${exact[key].data[i]} (bound ${bound})`);
    }
  }
}

/** Random 1D/2D problems of one split mode: `shape` maps drawn sizes to input, weight and options. */
const axis = fc.record({
  n: fc.integer({ min: 1, max: 9 }),
  k: fc.integer({ min: 1, max: 5 }),
  s: fc.integer({ min: 1, max: 3 }),
});
/** What the input-channel and stride-phase modes draw alike: a 1D input, its channels, a bias or none. */
const longKernelLayer = {
  n: fc.integer({ min: 3, max: 12 }),
  cin: fc.integer({ min: 16, max: 130 }),
  bias: fc.boolean(),
  seed: fc.nat(),
};
const modes: {
  by: ThreadSplit['by'];
  identical: boolean;
  arb: fc.Arbitrary<{ xs: number[]; ws: number[]; o: ConvTransposeOptions; seed: number }>;
}[] = [
  {
    by: 'channels',
    identical: true,
    arb: fc
      .record({
        axes: fc.array(axis, { minLength: 1, maxLength: 2 }),
        cin: fc.integer({ min: 1, max: 12 }),
        cout: fc.integer({ min: 8, max: 21 }),
        batch: fc.integer({ min: 1, max: 2 }),
        seed: fc.nat(),
      })
      .map(({ axes, cin, cout, batch, seed }) => ({
        xs: [batch, cin, ...axes.map((a) => a.n)],
        ws: [cin, cout, ...axes.map((a) => a.k)],
        o: { stride: axes.map((a) => a.s) },
        seed,
      })),
  },
  {
    by: 'groups',
    identical: true,
    arb: fc
      .record({
        axes: fc.array(axis, { minLength: 1, maxLength: 2 }),
        groups: fc.integer({ min: 2, max: 7 }),
        cinG: fc.integer({ min: 1, max: 3 }),
        coutG: fc.integer({ min: 1, max: 7 }),
        seed: fc.nat(),
      })
      .map(({ axes, groups, cinG, coutG, seed }) => ({
        xs: [1, groups * cinG, ...axes.map((a) => a.n)],
        ws: [groups * cinG, coutG, ...axes.map((a) => a.k)],
        o: { stride: axes.map((a) => a.s), groups },
        seed,
      })),
  },
  {
    by: 'batch',
    identical: true,
    arb: fc
      .record({
        axes: fc.array(axis, { minLength: 1, maxLength: 2 }),
        cin: fc.integer({ min: 1, max: 12 }),
        cout: fc.integer({ min: 1, max: 7 }),
        batch: fc.integer({ min: 2, max: 5 }),
        seed: fc.nat(),
      })
      .map(({ axes, cin, cout, batch, seed }) => ({
        xs: [batch, cin, ...axes.map((a) => a.n)],
        ws: [cin, cout, ...axes.map((a) => a.k)],
        o: { stride: axes.map((a) => a.s), padding: axes.map((a) => Math.floor((a.k - 1) / 2)) },
        seed,
      })),
  },
  {
    // few output channels, one item, one group, and long kernels (≥ 256 FLOPs per output)
    by: 'inputChannels',
    identical: false,
    arb: fc
      .record({
        ...longKernelLayer,
        k: fc.integer({ min: 4, max: 24 }),
        cout: fc.integer({ min: 1, max: 7 }),
        s: fc.integer({ min: 1, max: 2 }),
      })
      // 2·Cin·n·4k FLOPs per output channel over (n − 1)·s·k + 4k outputs: at least 256 each
      .filter(({ n, k, cin, s }) => 8 * cin * n * k >= 256 * ((n - 1) * s * k + 4 * k))
      .map(({ n, k, cin, cout, s, bias, seed }) => ({
        xs: [1, cin, n],
        ws: [cin, cout, 4 * k],
        o: { stride: s * k, ...(bias ? { bias: Array.from({ length: cout }, (_, i) => i / 3 - 1) } : {}) },
        seed,
      }))
      // where the lanes kernel takes a stride-phase split instead (the next mode)
      .filter(({ xs, ws, o }) => splitOf(xs, ws, o).by === 'inputChannels'),
  },
  {
    // the input-channel split's shapes with a last stride and kernel of whole blocks of 8 residues:
    // the lanes kernel splits the stride phases, any padding, a leading axis or none
    by: 'stridePhases',
    identical: true,
    arb: fc
      .record({
        ...longKernelLayer,
        k8: fc.integer({ min: 1, max: 6 }),
        s8: fc.integer({ min: 2, max: 5 }),
        pad: fc.nat({ max: 47 }),
        lead: fc.option(fc.record({ n: fc.integer({ min: 1, max: 3 }), k: fc.integer({ min: 1, max: 3 }) }), {
          nil: undefined,
        }),
        cout: fc.integer({ min: 1, max: 3 }),
      })
      .map(({ n, k8, s8, pad, lead, cin, cout, bias, seed }) => {
        const k = 8 * k8;
        const o: ConvTransposeOptions = {
          stride: lead ? [1, 8 * s8] : 8 * s8,
          padding: lead ? [0, pad % k] : pad % k,
          ...(bias ? { bias: Array.from({ length: cout }, (_, i) => i / 3 - 1) } : {}),
        };
        return {
          xs: lead ? [1, cin, lead.n, n] : [1, cin, n],
          ws: lead ? [cin, cout, lead.k, k] : [cin, cout, k],
          o,
          seed,
        };
      })
      .filter(({ xs, ws, o }) => splitOf(xs, ws, o).by === 'stridePhases'),
  },
];

describe('thread splits on random geometries (2 threads, threshold 0)', () => {
  for (const { by, identical, arb } of modes) {
    it(`by ${by}: the definition${identical ? ', bit-identical to one thread' : ''}`, () =>
      fc.assert(
        fc.asyncProperty(arb, async ({ xs, ws, o, seed }) => {
          expect(splitOf(xs, ws, o)).toEqual({ by, parts: 2 });
          if (by === 'stridePhases') {
            // what the planner lays out, not only what splitOf says: each part its residues
            const g = resolveConvTranspose(xs, ws, o);
            const job = planForward(g, new Float32Array(size(xs)), new Float32Array(size(ws)), null, {
              heapBase: 0,
              threads: 2,
              threadThreshold: 0,
              kernel: undefined,
            });
            const L = wordIndex('lanes');
            expect(job.tasks[0]!.map((p) => p.words[L.residueHi]! > 0 && p.sum === undefined)).toEqual([
              true,
              true,
            ]);
          }
          const x = randomData(size(xs), seed) as Float32Array;
          const w = randomData(size(ws), seed + 1) as Float32Array;
          const y2 = await two.convTranspose(tensor(x, xs), tensor(w, ws), o);
          expectDefinition(y2, x, w, xs, ws, o);
          if (identical) {
            const y1 = await one.convTranspose(tensor(x, xs), tensor(w, ws), o);
            expect(Array.from(y2.data)).toEqual(Array.from(y1.data));
          }
        }),
        { numRuns: 40, seed: 18 },
      ));
  }

  it('the iSTFT shape (1 output channel, 512 input channels, stride 512, 2048 taps) splits its stride phases', () => {
    const istft = resolveConvTranspose([1, 512, 128], [512, 1, 2048], { stride: 512 });
    // the rule splits its input channels; the lanes kernel splits residues [0, 256) and [256, 512)
    expect(threadSplit(istft, 2, 0, 1)).toEqual({ by: 'inputChannels', parts: 2 });
    expect(splitOf([1, 512, 128], [512, 1, 2048], { stride: 512 })).toEqual({ by: 'stridePhases', parts: 2 });
    expect(residueRanges(istft, 2)).toEqual([
      [0, 256],
      [256, 512],
    ]);
    // another kernel keeps the rule's split
    expect(lanesSplit(istft, threadSplit(istft, 2, 0, 1), 'gemm').by).toBe('inputChannels');
    // too little work per output to add a second output (2·Cin·K/stride = 64): the channels there are
    expect(splitOf([1, 16, 50], [16, 1, 8], { stride: 4 }).by).toBe('channels');
  });

  it('a planned stride-phase split: each part its residues, no second output, no sums', () => {
    const istft = resolveConvTranspose([1, 512, 128], [512, 1, 2048], { stride: 512 });
    const zeros = (shape: readonly number[]) => new Float32Array(size(shape));
    const job = planForward(istft, zeros(istft.inputShape), zeros(istft.weightShape), null, {
      heapBase: 0,
      threads: 2,
      threadThreshold: 0,
      kernel: undefined,
    });
    const L = wordIndex('lanes');
    expect(job.tasks).toHaveLength(1);
    expect(job.tasks[0]!.map((p) => [p.entry, p.words[L.residueLo], p.words[L.residueHi]])).toEqual([
      ['convTransposeLanes', 0, 256],
      ['convTransposeLanes', 256, 512],
    ]);
    expect(job.tasks[0]!.every((p) => p.sum === undefined)).toBe(true);
    // a forced GEMM splits input channels, its second part summing an output of its own
    const gemm = planForward(istft, zeros(istft.inputShape), zeros(istft.weightShape), null, {
      heapBase: 0,
      threads: 2,
      threadThreshold: 0,
      kernel: 'gemm',
    });
    expect(gemm.tasks[0]![1]!.sum).toBeDefined();
  });

  it("a forward bound by its weight copy (DCGAN 4×4-like: 32 FLOPs per weight) splits its input channels on two threads, the workers' weights copied first", async () => {
    const xs = [1, 64, 4, 4];
    const ws = [64, 32, 4, 4];
    const o = { stride: 2, padding: 1 };
    const g = resolveConvTranspose(xs, ws, o);
    expect(geometryFlops(g) / size(ws)).toBeLessThanOrEqual(COPY_BOUND_MAX_FLOPS_PER_WEIGHT);
    const rule = threadSplit(g, 2, 0, g.outChannelsPerGroup);
    expect(rule.by).toBe('channels');
    expect(copyBoundSplit(g, rule, 2)).toEqual({ by: 'inputChannels', parts: 2 });
    // three threads, two items, or more FLOPs per weight: the rule's split
    expect(copyBoundSplit(g, threadSplit(g, 3, 0, 32), 3).by).toBe('channels');
    const two2 = resolveConvTranspose([2, 64, 4, 4], ws, o);
    expect(copyBoundSplit(two2, threadSplit(two2, 2, 0, 32), 2).by).toBe('channels');
    const wide = resolveConvTranspose([1, 64, 8, 8], ws, o);
    expect(copyBoundSplit(wide, threadSplit(wide, 2, 0, 32), 2).by).toBe('channels');
    // the plan: the calling thread's part takes the last channels; the weights before them (the
    // worker's rows) are copied before the worker starts, the rest after
    const zeros = (shape: readonly number[]) => new Float32Array(size(shape));
    const job = planForward(g, zeros(xs), zeros(ws), null, {
      heapBase: 0,
      threads: 2,
      threadThreshold: 0,
      kernel: undefined,
    });
    const [main, worker] = inputChannelRanges(g, 2) as [[number, number], [number, number]];
    const c0 = main[0];
    expect([main[1], worker[0], worker[1]]).toEqual([64, 0, c0]);
    expect(job.tasks[0]!.map((p) => p.sum !== undefined)).toEqual([false, true]);
    expect(job.inputs.map((i) => i.early)).toEqual([undefined, c0 * 32 * 16]);
    // the result: the definition, on two threads as on one
    const x = randomData(size(xs), 41) as Float32Array;
    const w = randomData(size(ws), 42) as Float32Array;
    expectDefinition(await two.convTranspose(tensor(x, xs), tensor(w, ws), o), x, w, xs, ws, o);
  });

  it("input-channel ranges: the workers' first, the calling thread's last and smaller by its copy, covering the channels once", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 16, max: 600 }),
        fc.integer({ min: 1, max: 16 }),
        fc.integer({ min: 2, max: 4 }),
        (cin, n, parts) => {
          const g = resolveConvTranspose([1, cin, n, n], [cin, 8, 4, 4], { stride: 2, padding: 1 });
          const ranges = inputChannelRanges(g, parts);
          expect(ranges).toHaveLength(parts);
          // part 0 (the calling thread) ends at the last channel; parts 1… run from 0 in order
          expect(ranges[0]![1]).toBe(cin);
          expect(ranges[1]![0]).toBe(0);
          for (let i = 2; i < parts; i++) expect(ranges[i]![0]).toBe(ranges[i - 1]![1]);
          expect(ranges[parts - 1]![1]).toBe(ranges[0]![0]);
          for (const [a, b] of ranges) expect(b).toBeGreaterThan(a);
          if (parts === 2) {
            // smaller than half when copying is a noticeable share: 32·n² FLOPs per weight
            const main = ranges[0]![1] - ranges[0]![0];
            expect(main).toBeLessThanOrEqual(Math.ceil(cin / 2));
            expect(main).toBeGreaterThanOrEqual(Math.min(8, cin - 8));
            if (n <= 2 && cin >= 64) expect(main).toBeLessThan(cin / 2 - 2);
          }
        },
      ),
      { numRuns: 200, seed: 18 },
    );
  });

  it('residue ranges: blocks of 8 covering the stride once, balanced by taps, or none', () => {
    const geometry = (k: number, s: number, o: ConvTransposeOptions = {}) =>
      resolveConvTranspose([1, 16, 5], [16, 1, k], { stride: s, ...o });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 2, max: 4 }),
        (k8, s8, parts) => {
          const k = 8 * k8;
          const s = 8 * s8;
          const ranges = residueRanges(geometry(k, s), parts);
          if (s8 < parts) {
            expect(ranges).toBeNull();
            return;
          }
          // a kernel of whole strides over a whole number of blocks per part splits evenly
          if (k % s === 0 && s8 % parts === 0) expect(ranges).not.toBeNull();
          if (ranges === null) return;
          expect(ranges).toHaveLength(parts);
          // [0, s) once, in order, each range a non-empty run of whole blocks
          expect(ranges![0]![0]).toBe(0);
          expect(ranges![parts - 1]![1]).toBe(s);
          for (let i = 0; i < parts; i++) {
            const [r0, r1] = ranges![i]!;
            expect(r0 % RESIDUE_BLOCK).toBe(0);
            expect(r1).toBeGreaterThan(r0);
            if (i > 0) expect(r0).toBe(ranges![i - 1]![1]);
          }
          // taps per part (kernel indices t with t mod s in the range): every part some, none over
          // MAX_PHASE_IMBALANCE times an even share
          const taps = ranges!.map(
            ([r0, r1]) => Array.from({ length: k }, (_, t) => t % s).filter((r) => r >= r0 && r < r1).length,
          );
          expect(Math.min(...taps)).toBeGreaterThan(0);
          expect(Math.max(...taps)).toBeLessThanOrEqual((MAX_PHASE_IMBALANCE * k) / parts);
        },
      ),
      { numRuns: 300, seed: 18 },
    );
    expect(residueRanges(geometry(16, 16, { dilation: 2 }), 2)).toBeNull();
    expect(residueRanges(geometry(12, 16), 2)).toBeNull();
    expect(residueRanges(geometry(16, 12), 2)).toBeNull();
    expect(residueRanges(geometry(16, 8), 2)).toBeNull();
    expect(residueRanges(geometry(16, 16), 1)).toBeNull();
    // uneven: a kernel shorter than the stride leaves the second part no taps; k 24, stride 16 splits 16 : 8
    expect(residueRanges(geometry(8, 16), 2)).toBeNull();
    expect(residueRanges(geometry(24, 16), 2)).toBeNull();
    expect(residueRanges(geometry(64, 16), 2)).toEqual([
      [0, 8],
      [8, 16],
    ]);
    // such a layer keeps the input-channel split
    expect(splitOf([1, 1024, 16], [1024, 1, 8], { stride: 16 })).toEqual({ by: 'inputChannels', parts: 2 });
  });
});

/**
 * Operands whose float32 intermediates overflow in one region of the output: products of ±6e38
 * (x = 3e38 against w = ±2) from the first and the last input channel of `group`, in batch item
 * `item`, for output channels [c0, c1) of the group. Where the two cancel the definition is finite
 * (the other channels' sum); where only the last one's reach, −6e38: −Infinity in float32.
 */
function overflowing(
  xs: number[],
  ws: number[],
  o: ConvTransposeOptions,
  item: number,
  group: number,
  [c0, c1]: readonly [number, number],
): { x: Float32Array; w: Float32Array } {
  const g = resolveConvTranspose(xs, ws, o);
  const [cin, cinG, coutG, k, L] = [
    g.inChannels,
    g.inChannelsPerGroup,
    g.outChannelsPerGroup,
    ws[2]!,
    xs[2]!,
  ];
  const x = new Float32Array(size(xs)).fill(0.5);
  const first = group * cinG;
  const last = first + cinG - 1;
  x[(item * cin + first) * L] = 3e38; // the first channel at position 0
  x[(item * cin + last) * L] = 3e38; // the last channel at positions 0 and 1
  x[(item * cin + last) * L + 1] = 3e38;
  const w = new Float32Array(size(ws)).fill(0.25);
  for (let co = c0; co < c1; co++) {
    for (let t = 0; t < k; t++) {
      w[(first * coutG + co) * k + t] = 2;
      w[(last * coutG + co) * k + t] = -2;
    }
  }
  return { x, w };
}

/**
 * `y` is the float64 definition rounded where that is not finite, and within 1e-5 relative (plus
 * 1e-4) elsewhere; returns the indices of the non-finite elements.
 */
function expectOverflowRule(
  y: Tensor,
  x: Float32Array,
  w: Float32Array,
  xs: number[],
  ws: number[],
  o: ConvTransposeOptions,
): number[] {
  const exact = referenceConvTranspose(tensor(Float64Array.from(x), xs), tensor(Float64Array.from(w), ws), o);
  const overflowed: number[] = [];
  for (let i = 0; i < exact.data.length; i++) {
    const f = Math.fround(exact.data[i]!);
    if (!Number.isFinite(f)) {
      expect(y.data[i]).toBe(f);
      overflowed.push(i);
    } else {
      expect(Math.abs(y.data[i]! - f)).toBeLessThanOrEqual(1e-5 * Math.abs(f) + 1e-4);
    }
  }
  return overflowed;
}

describe('the overflow rule on a split call', () => {
  // every output channel overflows somewhere: a worker scans the output for the non-finite values
  // and core recomputes them
  for (const [name, cin, cout, k, stride] of [
    ['by channels', 2, 8, 3, 2],
    ['by input channels', 64, 1, 64, 8],
  ] as const) {
    it(`${name}: the definition where float32 intermediates overflow`, async () => {
      const xs = [1, cin, 3];
      const ws = [cin, cout, k];
      const o = { stride };
      const g = resolveConvTranspose(xs, ws, o);
      expect(threadSplit(g, 2, 0, g.outChannelsPerGroup).by).toBe(
        name.slice(3) === 'channels' ? 'channels' : 'inputChannels',
      );
      const { x, w } = overflowing(xs, ws, o, 0, 0, [0, cout]);
      const y = await two.convTranspose(tensor(x, xs), tensor(w, ws), o);
      const overflowed = expectOverflowRule(y, x, w, xs, ws, o);
      expect(overflowed.some((i) => y.data[i] === Number.NEGATIVE_INFINITY)).toBe(true);
    });
  }
});

describe("the overflow rule where one thread's part alone overflows", () => {
  // the construction above confined to one batch item, group and set of output channels, which
  // one thread computes (the calling thread's part or the worker's): the scan still finds them
  type Case = [
    name: string,
    xs: number[],
    ws: number[],
    o: ConvTransposeOptions,
    by: ThreadSplit['by'],
    item: number,
    group: number,
    channels: [number, number],
  ];
  const cases: Case[] = [
    ["channels, the calling thread's", [1, 2, 3], [2, 16, 3], { stride: 2 }, 'channels', 0, 0, [0, 4]],
    ["channels, the worker's", [1, 2, 3], [2, 16, 3], { stride: 2 }, 'channels', 0, 0, [12, 16]],
    ["batch items, the worker's", [2, 2, 3], [2, 3, 3], { stride: 2 }, 'batch', 1, 0, [0, 3]],
    ["batch items, the calling thread's", [2, 2, 3], [2, 3, 3], { stride: 2 }, 'batch', 0, 0, [1, 2]],
    ["groups, the worker's", [1, 4, 3], [4, 3, 3], { stride: 2, groups: 2 }, 'groups', 0, 1, [0, 3]],
  ];
  for (const [name, xs, ws, o, by, item, group, channels] of cases) {
    it(`${name}: the definition there, finite elsewhere`, async () => {
      const g = resolveConvTranspose(xs, ws, o);
      expect(threadSplit(g, 2, 0, g.outChannelsPerGroup).by).toBe(by);
      const { x, w } = overflowing(xs, ws, o, item, group, channels);
      const y = await two.convTranspose(tensor(x, xs), tensor(w, ws), o);
      const overflowed = expectOverflowRule(y, x, w, xs, ws, o);
      expect(overflowed.length).toBeGreaterThan(0);
      // every non-finite element is in the region one thread computed
      const [outL, coutG] = [g.outputSize[0]!, g.outChannelsPerGroup];
      for (const i of overflowed) {
        const n = Math.floor(i / (g.outChannels * outL));
        const oc = Math.floor(i / outL) % g.outChannels;
        expect([n, Math.floor(oc / coutG), oc % coutG >= channels[0] && oc % coutG < channels[1]]).toEqual([
          item,
          group,
          true,
        ]);
      }
    });
  }
});

describe('backward calls split the same way', () => {
  it('a weight gradient that cannot split (3 output channels, one item) runs beside the input gradient: both identical to one thread', async () => {
    const xs = [1, 16, 9, 9];
    const ws = [16, 3, 4, 4];
    const o = { stride: 2, padding: 1 };
    const g = resolveConvTranspose(xs, ws, o);
    const job = backwardJob(g, 2, 0);
    expect(job.tasks.map((t) => t.length)).toEqual([2]);
    const x = tensor(randomData(size(xs), 8) as Float32Array, xs);
    const w = tensor(randomData(size(ws), 9) as Float32Array, ws);
    const gy = tensor(randomData(size(g.outputShape), 10) as Float32Array, g.outputShape);
    const a = await one.convTransposeBackward(gy, x, w, o);
    const b = await two.convTransposeBackward(gy, x, w, o);
    expect(Array.from(b.input.data)).toEqual(Array.from(a.input.data));
    expect(Array.from(b.weight.data)).toEqual(Array.from(a.weight.data));
  });

  it('random geometries whose weight gradient splits by batch items (even batches of 2–8, few channels): both gradients the definition', () =>
    fc.assert(
      fc.asyncProperty(
        fc.record({
          axes: fc.array(axis, { minLength: 1, maxLength: 2 }),
          cin: fc.integer({ min: 1, max: 12 }),
          cout: fc.integer({ min: 1, max: 7 }),
          half: fc.integer({ min: 1, max: 4 }),
          seed: fc.nat(),
        }),
        async ({ axes, cin, cout, half, seed }) => {
          const xs = [2 * half, cin, ...axes.map((a) => a.n + 4)];
          const ws = [cin, cout, ...axes.map((a) => a.k)];
          const o = { stride: axes.map((a) => a.s), padding: axes.map((a) => Math.floor((a.k - 1) / 2)) };
          const g = resolveConvTranspose(xs, ws, o);
          fc.pre(threadSplit(g, 2, 0, cout, 'weightGradient').by === 'batch');
          const job = backwardJob(g, 2, 0);
          expect(job.tasks.at(-1)!.map((p) => p.sum?.length ?? 0)).toEqual([0, size(ws)]);
          const x = tensor(randomData(size(xs), seed) as Float32Array, xs);
          const w = tensor(randomData(size(ws), seed + 1) as Float32Array, ws);
          const gy = tensor(randomData(size(g.outputShape), seed + 2) as Float32Array, g.outputShape);
          expectGradientsDefinition(await two.convTransposeBackward(gy, x, w, o), gy, x, w, o);
        },
      ),
      { numRuns: 40, seed: 18 },
    ));

  it("a weight gradient over 3 output channels and a batch of 6 sums each part's items on its own: the definition", async () => {
    // DCGAN's RGB layer, smaller: too few channels to split, so batch items, each part into a
    // gradient of its own, added after the join (sums in another order than one thread's)
    const xs = [6, 12, 10, 10];
    const ws = [12, 3, 4, 4];
    const o = { stride: 2, padding: 1 };
    const g = resolveConvTranspose(xs, ws, o);
    expect(threadSplit(g, 2, 0, g.outChannelsPerGroup, 'weightGradient')).toEqual({ by: 'batch', parts: 2 });
    // an odd batch is not split by items (1 item against 2 would leave one thread more than
    // either whole task): whole over a threshold, its few channels at threshold 0 (which splits
    // everything), and either way the two tasks run side by side
    const odd = resolveConvTranspose([3, 12, 10, 10], ws, o);
    expect(threadSplit(odd, 2, 1, odd.outChannelsPerGroup, 'weightGradient').parts).toBe(1);
    expect(threadSplit(odd, 2, 0, odd.outChannelsPerGroup, 'weightGradient').by).toBe('channels');
    const oddJob = backwardJob(odd, 2, 0);
    expect(oddJob.tasks.map((t) => t.length)).toEqual([2]);
    // one group only (a grouped gradient splits by groups), and never by input channels
    const grouped = resolveConvTranspose([6, 12, 10, 10], [12, 1, 4, 4], { ...o, groups: 3 });
    expect(threadSplit(grouped, 2, 0, grouped.outChannelsPerGroup, 'weightGradient').by).toBe('groups');
    const item = resolveConvTranspose([1, 512, 128], [512, 1, 2048], { stride: 512 });
    expect(threadSplit(item, 2, 0, 1, 'weightGradient').by).not.toBe('inputChannels');
    const job = backwardJob(g, 2, 0);
    const [dxTask, dwTask] = job.tasks;
    expect(dxTask).toHaveLength(2);
    expect(dwTask!.map((p) => p.sum?.length ?? 0)).toEqual([0, size(ws)]);
    const x = tensor(randomData(size(xs), 21) as Float32Array, xs);
    const w = tensor(randomData(size(ws), 22) as Float32Array, ws);
    const gy = tensor(randomData(size(g.outputShape), 23) as Float32Array, g.outputShape);
    const got = await two.convTransposeBackward(gy, x, w, o);
    expectGradientsDefinition(got, gy, x, w, o);
    // the parts' sums added: not one thread's order, the same gradient within float32 rounding
    const single = await one.convTransposeBackward(gy, x, w, o);
    let worst = 0;
    for (let i = 0; i < size(ws); i++)
      worst = Math.max(worst, Math.abs(single.weight.data[i]! - got.weight.data[i]!));
    expect(worst).toBeLessThan(1e-3);
  });

  it('two tasks each under the thread threshold, together over it, take a thread each: identical to one thread', async () => {
    // dilated-k3d2's shape, smaller: each task has the forward's FLOPs
    const xs = [1, 8, 12, 12];
    const ws = [8, 8, 3, 3];
    const o = { stride: 1, padding: 2, dilation: 2 };
    const g = resolveConvTranspose(xs, ws, o);
    const flops = geometryFlops(g);
    const tasksAt = (threadThreshold: number, threads = 2) =>
      backwardJob(g, threads, threadThreshold).tasks.map((t) => t.map((p) => p.entry));
    // over the threshold together: one task of two parts, the input gradient on the calling thread
    const paired = tasksAt(1.5 * flops);
    expect(paired).toHaveLength(1);
    expect(paired[0]).toHaveLength(2);
    expect(paired[0]![1]).toMatch(/^weightGradient/);
    expect(tasksAt(2 * flops)[0]).toHaveLength(2);
    // under it together, or on one thread: both tasks whole, one after the other
    expect(tasksAt(2 * flops + 1).map((t) => t.length)).toEqual([1, 1]);
    expect(tasksAt(1.5 * flops, 1).map((t) => t.length)).toEqual([1, 1]);
    const pairedBackend = await createWasmBackend({ threads: 2, threadThreshold: 1.5 * flops });
    try {
      const x = tensor(randomData(size(xs), 11) as Float32Array, xs);
      const w = tensor(randomData(size(ws), 12) as Float32Array, ws);
      const gy = tensor(randomData(size(g.outputShape), 13) as Float32Array, g.outputShape);
      const a = await one.convTransposeBackward(gy, x, w, o);
      const b = await pairedBackend.convTransposeBackward(gy, x, w, o);
      expect(Array.from(b.input.data)).toEqual(Array.from(a.input.data));
      expect(Array.from(b.weight.data)).toEqual(Array.from(a.weight.data));
    } finally {
      await pairedBackend.dispose();
    }
  });

  it('a backward bound by its weight copy (DCGAN 4×4-like: 32 FLOPs per weight) runs side by side, the weights copied while the worker starts: identical to one thread', async () => {
    const xs = [1, 64, 4, 4];
    const ws = [64, 32, 4, 4];
    const o = { stride: 2, padding: 1 };
    const g = resolveConvTranspose(xs, ws, o);
    expect(geometryFlops(g) / size(ws)).toBe(32);
    const job = backwardJob(g, 2, 0);
    // one task: the input gradient on the calling thread (it alone reads W), the weight gradient
    // on the worker; W (the third input) copied after the worker has its part
    expect(job.tasks.map((t) => t.map((p) => p.entry))).toEqual([['convDot', 'weightGradient']]);
    expect(job.inputs.map((i) => i.early)).toEqual([undefined, undefined, 0]);
    // more threads: both tasks split, everything copied before the workers start
    const three = backwardJob(g, 3, 0);
    expect(three.tasks.map((t) => t.length)).toEqual([3, 3]);
    expect(three.inputs.some((i) => i.early !== undefined)).toBe(false);
    const x = tensor(randomData(size(xs), 31) as Float32Array, xs);
    const w = tensor(randomData(size(ws), 32) as Float32Array, ws);
    const gy = tensor(randomData(size(g.outputShape), 33) as Float32Array, g.outputShape);
    const a = await one.convTransposeBackward(gy, x, w, o);
    const b = await two.convTransposeBackward(gy, x, w, o);
    expect(Array.from(b.input.data)).toEqual(Array.from(a.input.data));
    expect(Array.from(b.weight.data)).toEqual(Array.from(a.weight.data));
    // a second call with other weights: the late copy is of this call's W
    const w2 = tensor(randomData(size(ws), 34) as Float32Array, ws);
    const a2 = await one.convTransposeBackward(gy, x, w2, o);
    const b2 = await two.convTransposeBackward(gy, x, w2, o);
    expect(Array.from(b2.input.data)).toEqual(Array.from(a2.input.data));
    expect(Array.from(b2.input.data)).not.toEqual(Array.from(b.input.data));
  });

  it('a large weight gradient computed beside the input gradient is copied out by its worker (2^18 floats and up): identical to one thread over two calls', async () => {
    // the bench's dcgan-4to8 with half the channels: 2^18 weights, 32 FLOPs per weight
    const { input: xs, weight: ws, options: o } = HANDED_OVER_BACKWARD;
    const g = resolveConvTranspose(xs, ws, o);
    expect(size(ws)).toBe(WORKER_COPY_MIN_FLOATS);
    const job = backwardJob(g, 2, 0);
    expect(job.tasks.map((t) => t.map((p) => p.copiesOut))).toEqual([[undefined, 1]]);
    expect(job.outputs[1]!.length).toBe(size(ws));
    // a smaller weight gradient side by side is copied by the calling thread after the join
    const small = backwardJob(resolveConvTranspose([1, 64, 4, 4], [64, 32, 4, 4], o), 2, 0);
    expect(small.tasks.map((t) => t.length)).toEqual([2]);
    expect(small.tasks.flat().some((p) => p.copiesOut !== undefined)).toBe(false);
    // split over three threads, no part writes a whole output: none is handed over
    const three = backwardJob(g, 3, 0);
    expect(three.tasks.map((t) => t.length)).toEqual([3, 3]);
    expect(three.tasks.flat().some((p) => p.copiesOut !== undefined)).toBe(false);
    const { input: x, weight: w, gradOutput: gy } = backwardTensors(HANDED_OVER_BACKWARD, 41);
    const a = await one.convTransposeBackward(gy, x, w, o);
    const b = await two.convTransposeBackward(gy, x, w, o);
    expect(b.weight.data.length).toBe(size(ws));
    expect(firstDifference(b.input.data, a.input.data)).toBe(-1);
    expect(firstDifference(b.weight.data, a.weight.data)).toBe(-1);
    // a second call with another input: this call's weight gradient, not the last one's
    const x2 = backwardTensors(HANDED_OVER_BACKWARD, 44).input;
    const a2 = await one.convTransposeBackward(gy, x2, w, o);
    const b2 = await two.convTransposeBackward(gy, x2, w, o);
    expect(firstDifference(b2.weight.data, a2.weight.data)).toBe(-1);
    expect(firstDifference(b2.weight.data, b.weight.data)).not.toBe(-1);
    // the first result is the caller's own: the second call did not write into it
    expect(firstDifference(b.weight.data, a.weight.data)).toBe(-1);
  });

  it("a convolution's input gradient beside its weight gradient (its adjoint: 1 output channel, long kernel; a weight gradient over 1 channel does not split)", async () => {
    const xs = [1, 1, 200];
    const ws = [40, 1, 64];
    const o = { stride: 8 };
    const g = resolveConv(xs, ws, o);
    const zeros = (shape: readonly number[]) => new Float32Array(size(shape));
    const job = planBackward(g, zeros(g.outputShape), zeros(g.inputShape), zeros(g.weightShape), {
      heapBase: 0,
      threads: 2,
      threadThreshold: 0,
      kernel: undefined,
    });
    expect(job.tasks.map((t) => t.map((p) => p.entry))).toEqual([['convTransposeLanes', 'weightGradient']]);
    const x = tensor(randomData(size(xs), 5) as Float32Array, xs);
    const w = tensor(randomData(size(ws), 6) as Float32Array, ws);
    const y = cpuBackend.conv(x, w, o);
    const gy = tensor(randomData(size(y.shape as number[]), 7) as Float32Array, y.shape as number[]);
    const want = cpuBackend.convBackward(gy, x, w, o);
    const got = await two.convBackward(gy, x, w, o);
    for (const key of ['input', 'weight'] as const) {
      const a = got[key].data;
      const b = want[key].data;
      let worst = 0;
      let scale = 0;
      for (let i = 0; i < a.length; i++) {
        worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
        scale = Math.max(scale, Math.abs(b[i]!));
      }
      expect(worst).toBeLessThanOrEqual(1e-5 * scale);
    }
  });
});
