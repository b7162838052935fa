import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Tensor } from '@tconv/core';
import { geometryFlops, resolveConvTranspose, seeded, TconvError, tensor } from '@tconv/core';
import {
  expectWithinRounding,
  backwardTensors,
  firstDifference,
  HANDED_OVER_BACKWARD,
  problemArb,
  randomData,
  resolveProblem,
  TINY,
  unitRoundoff,
  WORKLOADS,
  workloadTensors,
} from '@tconv/testing';

/** A plain float64 scatter for rank-1, one-channel problems: enough to test the rounding check. */
function scatter1d(x: Tensor, w: Tensor): Tensor {
  const s = 1;
  const n = x.shape[2]!;
  const k = w.shape[2]!;
  const out = new Float64Array((n - 1) * s + k);
  for (let i = 0; i < n; i++) for (let t = 0; t < k; t++) out[i * s + t]! += x.data[i]! * w.data[t]!;
  return tensor(out, [1, 1, out.length]);
}

describe('randomData', () => {
  it("is core's seeded generator: the same values for the same seed, in [-1, 1)", () => {
    const a = randomData(1000, 7);
    expect(Array.from(a)).toEqual(Array.from(seeded(1000, 7)));
    expect(Array.from(randomData(1000, 7))).toEqual(Array.from(a));
    expect(Array.from(randomData(10, 8))).not.toEqual(Array.from(a.subarray(0, 10)));
    expect(a.every((v) => v >= -1 && v < 1)).toBe(true);
    expect(randomData(4, 1, 'float64')).toBeInstanceOf(Float64Array);
    expect(a).toBeInstanceOf(Float32Array);
  });
});

describe('problemArb', () => {
  it('yields problems of rank 1–3 that core mostly accepts, over every padding kind', () => {
    const kinds = new Set<string>();
    let accepted = 0;
    fc.assert(
      fc.property(problemArb, (p) => {
        expect(p.inputShape.length).toBe(p.weightShape.length);
        expect(p.inputShape.length - 2).toBeGreaterThanOrEqual(1);
        expect(p.inputShape.length - 2).toBeLessThanOrEqual(3);
        const padding = p.options.padding;
        kinds.add(
          typeof padding === 'string' ? padding : p.options.outputSize ? 'size' : JSON.stringify(padding)[0]!,
        );
        try {
          resolveConvTranspose(p.inputShape, p.weightShape, p.options);
          accepted++;
        } catch (e) {
          if (!(e instanceof TconvError)) throw e;
        }
      }),
      { numRuns: 300, seed: 1 },
    );
    expect(accepted).toBeGreaterThan(150);
    expect(kinds.size).toBeGreaterThanOrEqual(6);
  });
});

describe('expectWithinRounding', () => {
  const x = tensor(randomData(50, 1), [1, 1, 50]);
  const w = tensor(randomData(5, 2), [1, 1, 5]);
  it('accepts a float32 result and returns its largest error', () => {
    const exact = scatter1d(
      tensor(Float64Array.from(x.data), x.shape),
      tensor(Float64Array.from(w.data), w.shape),
    );
    const actual = tensor(Float32Array.from(exact.data), exact.shape);
    const maxError = expectWithinRounding(actual, x, w, {}, scatter1d, 5);
    expect(maxError).toBeLessThanOrEqual(unitRoundoff('float32') * 10);
  });
  it('rejects an element off by more than the bound, and a wrong shape', () => {
    const exact = scatter1d(
      tensor(Float64Array.from(x.data), x.shape),
      tensor(Float64Array.from(w.data), w.shape),
    );
    const wrong = Float32Array.from(exact.data);
    wrong[17]! += 1e-4;
    expect(() => expectWithinRounding(wrong, x, w, {}, scatter1d, 5)).toThrow(/element 17/);
    expect(() =>
      expectWithinRounding(tensor(Float32Array.from(exact.data), [1, 54]), x, w, {}, scatter1d, 5),
    ).toThrow(/shape/);
  });
});

describe('firstDifference', () => {
  it('finds the first differing index, a length mismatch, -0 against 0; -1 when identical', () => {
    expect(firstDifference(new Float32Array([1, 2, 3]), [1, 2, 4])).toBe(2);
    expect(firstDifference([1, 2, 3], [1, 2, 3])).toBe(-1);
    expect(firstDifference([1, 2], [1, 2, 3])).toBe(2);
    expect(firstDifference([0], [-0])).toBe(0);
    expect(firstDifference([Number.NaN], [Number.NaN])).toBe(-1);
    const big = randomData(1 << 18, 1);
    const other = Float32Array.from(big);
    other[200_000] = 7;
    expect(firstDifference(big, other)).toBe(200_000);
  });
});

describe('backwardTensors', () => {
  it("gives seeded input, weight and a gradOutput of the forward's output shape", () => {
    const a = backwardTensors(HANDED_OVER_BACKWARD, 4);
    const b = backwardTensors(HANDED_OVER_BACKWARD, 4);
    expect(a.gradOutput.shape).toEqual([1, 64, 8, 8]);
    expect(a.weight.data.length).toBe(1 << 18);
    expect(firstDifference(a.weight.data, b.weight.data)).toBe(-1);
    expect(firstDifference(a.input.data, backwardTensors(HANDED_OVER_BACKWARD, 5).input.data)).not.toBe(-1);
  });
});

describe('the benchmark workloads', () => {
  it('have unique names and resolve, with the FLOPs the issue states for istft-1d', () => {
    const names = WORKLOADS.map((w) => w.name);
    expect(new Set(names).size).toBe(names.length);
    for (const w of [...WORKLOADS, TINY]) {
      expect(() => resolveConvTranspose(w.input, w.weight, w.options), w.name).not.toThrow();
    }
    const istft = WORKLOADS.find((w) => w.name === 'istft-1d')!;
    const g = resolveConvTranspose(istft.input, istft.weight, istft.options);
    // 2·N·Cin·∏input·(Cout/groups)·∏kernel
    expect(geometryFlops(g)).toBe(2 * 1 * 512 * 128 * 1 * 2048);
    expect(g.outputShape).toEqual([1, 1, 127 * 512 + 2048]);
  });
  it('come with the same seeded tensors every time', () => {
    const a = workloadTensors(TINY);
    const b = workloadTensors(TINY);
    expect(a.input.shape).toEqual(TINY.input);
    expect(a.weight.shape).toEqual(TINY.weight);
    expect(Array.from(a.input.data)).toEqual(Array.from(b.input.data));
    expect(Array.from(a.input.data)).not.toEqual(Array.from(a.weight.data.subarray(0, a.input.data.length)));
  });
});

describe('resolveProblem', () => {
  it('gives the geometry, undefined for what core rejects, and rethrows anything else', () => {
    const ok = { inputShape: [1, 1, 3], weightShape: [1, 1, 2], options: { stride: 2 }, seed: 0 };
    expect(resolveProblem(ok)?.outputShape).toEqual([1, 1, 6]);
    expect(resolveProblem({ ...ok, options: { padding: 9 } })).toBeUndefined();
    expect(resolveProblem(ok, {}, [1, 1, 5])?.outputShape).toEqual([1, 1, 6]);
    const hostile = {
      ...ok,
      options: {
        get stride(): number {
          throw new RangeError('boom');
        },
      },
    };
    expect(() => resolveProblem(hostile)).toThrow(RangeError);
  });
});
