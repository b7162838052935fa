import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ConvTransposeOptions, Tensor } from '@tconv/core';
import {
  createCalibrator,
  geometryFlops,
  MIN_CALIBRATED_FLOPS,
  OptionError,
  resolveConvTranspose,
  tensor,
} from '@tconv/core';
import { createCpuBackend, referenceConvTranspose } from '@tconv/backend-cpu';
import type { ConvTransposeKernel } from '@tconv/backend-cpu/internal';
import {
  chooseConvTransposeKernel,
  convTransposeCandidates,
  convTransposeImpl,
  cpuBackendWith,
} from '@tconv/backend-cpu/internal';
import { expectWithinRounding, randomData } from '@tconv/testing';

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * A clock for one calibrator: reads alternate between a trial's start and its finish, and each
 * finish is later than its start by the next of `durations` (ms). Counts its reads.
 */
function scriptedClock(durations: number[]) {
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

/** A forced kernel's result, as the backend computes it. */
function forced(x: Tensor, w: Tensor, o: ConvTransposeOptions, kernel: ConvTransposeKernel) {
  const g = resolveConvTranspose(x.shape, w.shape, o);
  const out = new Float32Array(size(g.outputShape));
  convTransposeImpl(g, x.data, w.data, null, out, kernel);
  return out;
}

// 64 input positions per weight: a close call between the GEMM (the rule, < 128) and the phases
const xs = [1, 64, 8, 8];
const ws = [64, 32, 4, 4];
const o = { stride: 2, padding: 1 };
const x = tensor(randomData(size(xs), 3), xs);
const w = tensor(randomData(size(ws), 4), ws);

describe('kernel candidates', () => {
  it('close calls add the runner-up; far shapes and tiny calls have the rule only', () => {
    const g = resolveConvTranspose(xs, ws, o);
    expect(convTransposeCandidates(g)).toEqual(['gemm', 'phases']);
    // 16 positions (DCGAN 4×4): far below the break-even of 128
    expect(convTransposeCandidates(resolveConvTranspose([1, 512, 4, 4], [512, 256, 4, 4], o))).toEqual([
      'gemm',
    ]);
    // 3 input channels per group, against direct's ≤ 2; 1024 positions: far above
    expect(
      convTransposeCandidates(resolveConvTranspose([1, 96, 32, 32], [96, 16, 4, 4], { ...o, groups: 32 })),
    ).toEqual(['phases', 'direct']);
    const tiny = resolveConvTranspose([1, 8, 8, 8], [8, 4, 3, 3], o);
    expect(geometryFlops(tiny)).toBeLessThan(MIN_CALIBRATED_FLOPS);
    expect(convTransposeCandidates(tiny)).toEqual([chooseConvTransposeKernel(tiny)]);
  });
});

describe('the CPU backend calibrates close calls on its own calls', () => {
  for (const [durations, winner] of [
    [[10, 5, 10, 5], 'phases'],
    [[5, 10, 5, 10], 'gemm'],
  ] as const) {
    it(`explores gemm, phases, gemm, phases, then commits to the faster (${winner})`, () => {
      const clock = scriptedClock([...durations]);
      const cal = createCalibrator<ConvTransposeKernel>({ now: clock.now });
      const backend = cpuBackendWith(cal);
      const results = Array.from({ length: 6 }, () => backend.convTranspose(x, w, o).data);
      const [key] = cal.keys();
      expect(cal.state(key!)).toMatchObject({
        candidates: ['gemm', 'phases'],
        samples: [2, 2],
        committed: winner,
      });
      expect(clock.reads).toBe(8);
      const order: ConvTransposeKernel[] = ['gemm', 'phases', 'gemm', 'phases', winner, winner];
      order.forEach((kernel, i) =>
        expect(results[i], `call ${i}: ${kernel}`).toEqual(forced(x, w, o, kernel)),
      );
      expectWithinRounding(results[5]!, x, w, o, referenceConvTranspose, 64 * 16 + 1);
    });
  }

  it('a forced kernel and calibrate: false never read the clock; calibrate: false is the rule, bit for bit', () => {
    const clock = scriptedClock([]);
    const cal = createCalibrator<ConvTransposeKernel>({ now: clock.now });
    const direct = cpuBackendWith(cal, 'direct');
    expect(direct.convTranspose(x, w, o).data).toEqual(forced(x, w, o, 'direct'));
    const off = createCalibrator<ConvTransposeKernel>({ enabled: false, now: clock.now });
    const reproducible = cpuBackendWith(off);
    for (let i = 0; i < 4; i++)
      expect(reproducible.convTranspose(x, w, o).data).toEqual(forced(x, w, o, 'gemm'));
    expect(createCpuBackend({ calibrate: false }).convTranspose(x, w, o).data).toEqual(
      forced(x, w, o, 'gemm'),
    );
    expect(clock.reads).toBe(0);
    expect([...cal.keys(), ...off.keys()]).toEqual([]);
  });

  it('float64 calls are their own shape class', () => {
    const cal = createCalibrator<ConvTransposeKernel>({ now: scriptedClock([]).now });
    const backend = cpuBackendWith(cal);
    backend.convTranspose(x, w, o);
    backend.convTranspose(tensor(Float64Array.from(x.data), xs), tensor(Float64Array.from(w.data), ws), o);
    expect(cal.keys().map((k) => k.split('|').at(-1))).toEqual(['float32', 'float64']);
  });

  it('random close calls: every call (exploring or committed) is one candidate kernel bit for bit, each within float32 rounding of the definition', () => {
    const backend = cpuBackendWith(createCalibrator({ now: scriptedClock([]).now }));
    let calibrated = 0;
    fc.assert(
      fc.property(
        fc.record({
          positions: fc.constantFrom([8, 8], [6, 12], [1, 100], [10, 10], [2, 4, 8], [80]),
          cin: fc.integer({ min: 24, max: 48 }),
          cout: fc.integer({ min: 8, max: 16 }),
          k: fc.integer({ min: 3, max: 4 }),
          stride: fc.integer({ min: 1, max: 3 }),
          groups: fc.constantFrom(1, 4),
          seed: fc.nat(),
        }),
        ({ positions, cin, cout, k, stride, groups, seed }) => {
          const inShape = [1, cin * groups, ...positions];
          const wShape = [
            cin * groups,
            cout,
            ...positions.map(() => (positions.length === 1 ? 8 * k : positions.length === 3 ? 3 : k)),
          ];
          const opts = { stride, padding: 1, groups };
          const g = resolveConvTranspose(inShape, wShape, opts);
          const candidates = convTransposeCandidates(g);
          fc.pre(candidates.length > 1);
          calibrated++;
          const xt = tensor(randomData(size(inShape), seed), inShape);
          const wt = tensor(randomData(size(wShape), seed + 1), wShape);
          const outputs = candidates.map((kernel) => forced(xt, wt, opts, kernel));
          for (const out of outputs)
            expectWithinRounding(out, xt, wt, opts, referenceConvTranspose, cin * size(wShape.slice(2)) + 1);
          for (let call = 0; call < 2 * candidates.length + 1; call++) {
            const y = backend.convTranspose(xt, wt, opts).data;
            expect(outputs.some((out) => out.every((v, i) => Object.is(v, y[i])))).toBe(true);
          }
        },
      ),
      { numRuns: 8 },
    );
    expect(calibrated).toBe(8);
  });

  it('rejects invalid options, naming them', () => {
    expect(() => createCpuBackend({ calibrate: 'yes' as unknown as boolean })).toThrow(OptionError);
    expect(() => createCpuBackend({ kernel: 'fast' as 'gemm' })).toThrow(
      /kernel must be one of 'direct', 'gemm', 'phases', but got "fast"/,
    );
    expect(() => createCpuBackend({ threads: 2 } as never)).toThrow(/has no option "threads"/);
  });
});
