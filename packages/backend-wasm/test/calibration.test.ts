import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConvTransposeOptions, KernelCalibrator, Tensor } from '@tconv/core';
import { createCalibrator, OptionError, resolveConv, resolveConvTranspose, tensor } from '@tconv/core';
import { referenceConvTranspose } from '@tconv/backend-cpu';
import type { WasmBackend, WasmConvTransposeKernel } from '@tconv/backend-wasm';
import { createWasmBackend } from '@tconv/backend-wasm';
import { expectWithinRounding, problemArb, randomData, resolveProblem } from '@tconv/testing';
import { adjointGeometry } from '@tconv/core';
import {
  convTransposeCandidates,
  convTransposeKernel,
  KERNELS,
  MAX_CALIBRATION_CANDIDATES,
  planForward,
  splitThresholds,
  threadSplit,
} from '../src/internal';
// not on the published ./internal: it would carry a second copy of the embedded kernels there
import { createWasmBackendWith } from '../src/backend';

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const created: WasmBackend[] = [];
afterAll(() => Promise.all(created.map((b) => b.dispose())));

/** A backend that is disposed after the file. */
async function backend(p: Promise<WasmBackend>): Promise<WasmBackend> {
  const b = await p;
  created.push(b);
  return b;
}

const forced = new Map<WasmConvTransposeKernel, WasmBackend>();
for (const kernel of KERNELS)
  forced.set(kernel, await backend(createWasmBackend({ kernel, calibrate: false })));

/**
 * A clock for one calibrator: reads alternate between a trial's start and its finish, each finish
 * later than its start by the next of `durations` (ms; then 1). Counts its reads.
 */
function scriptedClock(durations: number[] = []) {
  let t = 0;
  const clock = {
    reads: 0,
    now: () => {
      if (clock.reads++ % 2 === 1) t += durations.shift() ?? 1;
      return t;
    },
  };
  return clock;
}

/** The bits of a result, to compare kernels exactly. */
const bits = (data: ArrayLike<number>) => Array.from(data, (v) => (Object.is(v, -0) ? '-0' : String(v)));

// DCGAN's RGB layer in small: 3 output channels, a close call between the GEMM (the rule, < 4) and
// the phases; 4 × 16 × 16 positions are far from the positions threshold
const xs = [4, 32, 16, 16];
const ws = [32, 3, 4, 4];
const o: ConvTransposeOptions = { stride: 2, padding: 1 };
const x = tensor(randomData(size(xs), 5), xs);
const w = tensor(randomData(size(ws), 6), ws);

async function forcedResult(
  kernel: WasmConvTransposeKernel,
  xt: Tensor,
  wt: Tensor,
  opts: ConvTransposeOptions,
) {
  return bits((await forced.get(kernel)!.convTranspose(xt, wt, opts)).data);
}

describe('candidates of the wasm kernel rule', () => {
  it('close calls add the runner-up (the rule with the feature just across its threshold)', () => {
    expect(convTransposeCandidates(resolveConvTranspose(xs, ws, o))).toEqual(['gemm', 'phases']);
    // the iSTFT layer: 1 output channel, far below 4 (the rule's kernel on any machine)
    const istft = resolveConvTranspose([1, 512, 128], [512, 1, 2048], { stride: 512 });
    expect(convTransposeCandidates(istft)).toEqual([convTransposeKernel(istft)]);
    // 3 input channels per group against thin's ≤ 2, 64 positions against the phases' 64
    const g = resolveConvTranspose([1, 48, 8, 8], [48, 16, 5, 5], { stride: 2, groups: 16 });
    expect(convTransposeCandidates(g)).toEqual([convTransposeKernel(g), 'thin', 'gemm']);
    // below MIN_CALIBRATED_FLOPS: the rule alone
    expect(convTransposeCandidates(resolveConvTranspose([1, 32, 4, 4], [32, 3, 4, 4], o))).toEqual(['gemm']);
  });
});

describe('the wasm backend calibrates close calls on its own calls', () => {
  for (const [threads, durations, winner] of [
    [1, [10, 5, 10, 5], 'phases'],
    [1, [5, 10, 5, 10], 'gemm'],
    [2, [10, 5, 10, 5], 'phases'],
  ] as const) {
    it(`${threads} thread(s): explores gemm, phases, gemm, phases, then commits to the faster (${winner})`, async () => {
      const clock = scriptedClock([...durations]);
      const cal = createCalibrator<WasmConvTransposeKernel>({ now: clock.now });
      const b = await backend(createWasmBackendWith({ threads, threadThreshold: 0 }, { kernels: cal }));
      const results: string[][] = [];
      for (let i = 0; i < 6; i++) results.push(bits((await b.convTranspose(x, w, o)).data));
      const [key] = cal.keys();
      expect(cal.state(key!)).toMatchObject({
        candidates: ['gemm', 'phases'],
        samples: [2, 2],
        committed: winner,
      });
      expect(clock.reads).toBe(8);
      const order = ['gemm', 'phases', 'gemm', 'phases', winner, winner] as const;
      for (let i = 0; i < order.length; i++)
        expect(results[i], `call ${i}`).toEqual(await forcedResult(order[i]!, x, w, o));
    });
  }

  it('a backward call is its own shape class (the input gradient of a convolution is a transposed one)', async () => {
    const cal = createCalibrator<WasmConvTransposeKernel>({ now: scriptedClock().now });
    const b = await backend(createWasmBackendWith({}, { kernels: cal }));
    // the convolution whose adjoint is the layer above
    const cs = [4, 3, 32, 32];
    const conv = resolveConv(cs, ws, { stride: 2, padding: 1 });
    expect(convTransposeCandidates(adjointGeometry(conv))).toEqual(['gemm', 'phases']);
    const gy = tensor(randomData(size(conv.outputShape), 7), conv.outputShape);
    await b.convBackward(gy, tensor(randomData(size(cs), 8), cs), w, { stride: 2, padding: 1 });
    await b.convTranspose(x, w, o);
    expect(cal.keys().map((k) => k.split('|').at(-1))).toEqual(['backward', 'forward']);
  });

  it('a call queued behind another is no sample (its time is not its own)', async () => {
    const cal = createCalibrator<WasmConvTransposeKernel>({ now: scriptedClock().now });
    const b = await backend(createWasmBackendWith({}, { kernels: cal }));
    // both planned before the first's time is in: both explore the rule's kernel, one is timed
    const [first, queued] = await Promise.all([b.convTranspose(x, w, o), b.convTranspose(x, w, o)]);
    const [key] = cal.keys();
    expect(cal.state(key!)!.samples).toEqual([1, 0]);
    const gemm = await forcedResult('gemm', x, w, o);
    expect(bits(first.data)).toEqual(gemm);
    expect(bits(queued.data)).toEqual(gemm);
    const next = await b.convTranspose(x, w, o);
    expect(cal.state(key!)!.samples).toEqual([1, 1]);
    expect(bits(next.data)).toEqual(await forcedResult('phases', x, w, o));
  });

  it('a forced kernel and a disabled calibrator never read the clock; calibrate: false is the rule bit for bit', async () => {
    const clock = scriptedClock();
    const cal = createCalibrator<WasmConvTransposeKernel>({ now: clock.now });
    const phases = await backend(createWasmBackendWith({ kernel: 'phases' }, { kernels: cal }));
    expect(bits((await phases.convTranspose(x, w, o)).data)).toEqual(await forcedResult('phases', x, w, o));
    const off = createCalibrator<WasmConvTransposeKernel>({ enabled: false, now: clock.now });
    const quiet = await backend(createWasmBackendWith({}, { kernels: off }));
    const reproducible = await backend(createWasmBackend({ calibrate: false }));
    const rule = await forcedResult('gemm', x, w, o);
    for (let i = 0; i < 4; i++) {
      expect(bits((await quiet.convTranspose(x, w, o)).data)).toEqual(rule);
      expect(bits((await reproducible.convTranspose(x, w, o)).data)).toEqual(rule);
    }
    expect(clock.reads).toBe(0);
    expect([...cal.keys(), ...off.keys()]).toEqual([]);
  });

  it('random close calls: every call (exploring or committed) is one candidate bit for bit, each within float32 rounding', async () => {
    const cal: KernelCalibrator<WasmConvTransposeKernel> = createCalibrator({ now: scriptedClock().now });
    const b = await backend(createWasmBackendWith({}, { kernels: cal }));
    let calibrated = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          spatial: fc.constantFrom([8, 8], [6, 12], [1, 100], [12, 12], [2, 4, 8], [96]),
          batch: fc.integer({ min: 1, max: 2 }),
          cin: fc.integer({ min: 3, max: 24 }),
          cout: fc.integer({ min: 2, max: 8 }),
          k: fc.integer({ min: 3, max: 4 }),
          stride: fc.integer({ min: 1, max: 3 }),
          groups: fc.constantFrom(1, 4),
          seed: fc.nat(),
        }),
        async ({ spatial, batch, cin, cout, k, stride, groups, seed }) => {
          const inShape = [batch, cin * groups, ...spatial];
          const taps = spatial.map(() => (spatial.length === 1 ? 8 * k : spatial.length === 3 ? 3 : k));
          const wShape = [cin * groups, cout, ...taps];
          const opts = { stride, padding: 1, groups };
          const candidates = convTransposeCandidates(resolveConvTranspose(inShape, wShape, opts));
          fc.pre(candidates.length > 1);
          calibrated++;
          const xt = tensor(randomData(size(inShape), seed), inShape);
          const wt = tensor(randomData(size(wShape), seed + 1), wShape);
          const outputs: string[][] = [];
          for (const kernel of candidates) {
            const y = await forced.get(kernel)!.convTranspose(xt, wt, opts);
            expectWithinRounding(y, xt, wt, opts, referenceConvTranspose, cin * size(taps) + 1);
            outputs.push(bits(y.data));
          }
          for (let call = 0; call < 2 * candidates.length + 1; call++) {
            const y = bits((await b.convTranspose(xt, wt, opts)).data);
            expect(outputs.some((out) => out.every((v, i) => v === y[i]))).toBe(true);
          }
        },
      ),
      { numRuns: 5 },
    );
    expect(calibrated).toBe(5);
    expect(cal.keys().length).toBeGreaterThan(0);
  });

  it('the thread split of a close call (FLOPs within 2× of threadThreshold) flips only where it changes the split', () => {
    // 18.9 MFLOP, under the default 20 MFLOP: one part by the rule, split by channels when flipped
    const g = resolveConvTranspose([1, 32, 32, 32], [32, 32, 3, 3], { padding: 1 });
    expect(splitThresholds(g, 2, 20_000_000)).toEqual([20_000_000, 0]);
    expect(threadSplit(g, 2, 0, g.outChannelsPerGroup)).toEqual({ by: 'channels', parts: 2 });
    const ctx = { heapBase: 0, threads: 2, threadThreshold: 20_000_000, kernel: undefined };
    const parts = (threshold: number) =>
      planForward(g, new Float32Array(0), new Float32Array(0), null, {
        ...ctx,
        chooseThreshold: () => threshold,
      }).tasks[0]!.length;
    expect([parts(20_000_000), parts(0)]).toEqual([1, 2]);
    // 25 MFLOP, over it: split by batch by the rule, one part when flipped
    const rgb = resolveConvTranspose([4, 64, 32, 32], [64, 3, 4, 4], o);
    expect(splitThresholds(rgb, 2, 20_000_000)).toEqual([20_000_000, Number.POSITIVE_INFINITY]);
    // far from the threshold, one thread, or threadThreshold 0: nothing to calibrate
    expect(
      splitThresholds(resolveConvTranspose([8, 64, 32, 32], [64, 3, 4, 4], o), 2, 20_000_000),
    ).toHaveLength(1);
    expect(splitThresholds(g, 1, 20_000_000)).toHaveLength(1);
    expect(splitThresholds(g, 2, 0)).toHaveLength(1);
    // 1 output channel, one item, one group, few FLOPs per output: no split the flip could change
    const one = resolveConvTranspose([1, 4, 4096], [4, 1, 64], { stride: 1 });
    expect(splitThresholds(one, 2, 4_000_000)).toEqual(
      threadSplit(one, 2, 0, 1).parts > 1 ? [4_000_000, 0] : [4_000_000],
    );
  });

  it('2 threads: the kernel is calibrated first (rule split), then the split (committed kernel), one choice per job', async () => {
    const xs2 = [4, 64, 32, 32];
    const x2 = tensor(randomData(size(xs2), 9), xs2);
    const w2 = tensor(randomData(64 * 3 * 16, 10), [64, 3, 4, 4]);
    const g = resolveConvTranspose(xs2, w2.shape, o);
    expect(convTransposeCandidates(g)).toEqual(['gemm', 'phases']);
    // kernel: gemm 10, phases 5, gemm 10, phases 5; split: rule 5, flipped 9, rule 5, flipped 9
    const clock = scriptedClock([10, 5, 10, 5, 5, 9, 5, 9]);
    const kernels = createCalibrator<WasmConvTransposeKernel>({ now: clock.now });
    const splits = createCalibrator<'rule' | 'flipped'>({ now: clock.now });
    const b = await backend(createWasmBackendWith({ threads: 2 }, { kernels, splits }));
    const one = await backend(createWasmBackend({ kernel: 'phases', calibrate: false }));
    const expected = bits((await one.convTranspose(x2, w2, o)).data);
    for (let i = 0; i < 10; i++) {
      const y = bits((await b.convTranspose(x2, w2, o)).data);
      if (i >= 4) expect(y, `call ${i}: phases, whichever split`).toEqual(expected);
      if (i === 3) expect(splits.keys()).toEqual([]);
    }
    expect(kernels.state(kernels.keys()[0]!)).toMatchObject({ samples: [2, 2], committed: 'phases' });
    expect(splits.state(splits.keys()[0]!)).toMatchObject({ samples: [2, 2], committed: 'rule' });
    expect(clock.reads).toBe(16);
  });

  it('no shape explores more than MAX_CALIBRATION_CANDIDATES candidates (what the bench warm-up covers)', () => {
    let closeCalls = 0;
    fc.assert(
      fc.property(problemArb, fc.integer({ min: 1, max: 8 }), (p, scale) => {
        const inputShape = [
          p.inputShape[0]!,
          p.inputShape[1]! * scale,
          ...p.inputShape.slice(2).map((n) => n * scale),
        ];
        const weightShape = [p.weightShape[0]! * scale, p.weightShape[1]! * scale, ...p.weightShape.slice(2)];
        const g = resolveProblem(
          { ...p, inputShape, weightShape },
          { ...p.options, bias: undefined, outputSize: undefined },
        );
        if (!g) return;
        const explored =
          convTransposeCandidates(g).length + (splitThresholds(g, 2, 20_000_000).length > 1 ? 2 : 0);
        expect(explored).toBeLessThanOrEqual(MAX_CALIBRATION_CANDIDATES);
        if (explored > 1) closeCalls++;
      }),
      { numRuns: 300 },
    );
    expect(closeCalls).toBeGreaterThan(10);
  });

  it('rejects a calibrate option that is not a boolean, naming it', async () => {
    await expect(createWasmBackend({ calibrate: 1 as unknown as boolean })).rejects.toThrow(OptionError);
    await expect(createWasmBackend({ calibrate: 1 as unknown as boolean })).rejects.toThrow(
      /calibrate must be true or false, but got 1/,
    );
  });
});
