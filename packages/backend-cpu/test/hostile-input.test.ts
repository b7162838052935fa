import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveConvTranspose, tensor } from '@tconv/core';
import { cpuBackend, referenceConvTranspose, releaseScratch, scratchBytes } from '@tconv/backend-cpu';
import { chooseConvTransposeKernel, convTransposeImpl, SCRATCH_ELEMENTS } from '@tconv/backend-cpu/internal';
import { expectWithinRounding, problemArb, randomData } from '@tconv/testing';

// Issue #16: the CPU backend under hostile geometries. Each test names the finding it pins.

describe('#16 item 10: the GEMM column buffer is bounded', () => {
  it('the tiled GEMM + col2im matches the definition for any scratch bound (tiles split rows and kernels)', () => {
    fc.assert(
      fc.property(problemArb, fc.constantFrom(1, 3, 7, 16, 50, 1000), (p, limit) => {
        let g: ReturnType<typeof resolveConvTranspose>;
        try {
          g = resolveConvTranspose(p.inputShape, p.weightShape, p.options);
        } catch {
          return; // invalid on purpose (see problemArb)
        }
        const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
        const x = tensor(randomData(size(p.inputShape), p.seed), p.inputShape);
        const w = tensor(randomData(size(p.weightShape), p.seed + 1), p.weightShape);
        const out = new Float32Array(size(g.outputShape));
        convTransposeImpl(g, x.data, w.data, null, out, 'gemm', limit);
        const { bias: _bias, ...rest } = p.options;
        const terms = g.inChannelsPerGroup * size(g.kernelSize);
        expectWithinRounding(out, x, w, rest, referenceConvTranspose, terms);
      }),
      { seed: 16_10, numRuns: 300 },
    );
  });

  it('a 1D kernel of 2^20 taps keeps the column buffer within SCRATCH_ELEMENTS and RSS bounded', () => {
    releaseScratch();
    const taps = 2 ** 20;
    const x = tensor(randomData(3 * 40, 1), [1, 3, 40]);
    const w = tensor(randomData(3 * taps, 2), [3, 1, taps]);
    const g = resolveConvTranspose(x.shape, w.shape);
    expect(chooseConvTransposeKernel(g)).toBe('gemm');
    const rss = process.memoryUsage().rss;
    const y = cpuBackend.convTranspose(x, w);
    const grown = process.memoryUsage().rss - rss;
    // untiled, the columns alone were 2^20·40 floats (160 MiB; RSS grew by ~200 MiB and stayed)
    expect(grown).toBeLessThan(100 * 2 ** 20);
    expect(scratchBytes()).toBeLessThanOrEqual(8 * SCRATCH_ELEMENTS + 8 * (taps + 1));
    // sampled outputs against the definition, summed in float64
    for (let j = 0; j < y.data.length; j += 9973) {
      let exact = 0;
      let magnitude = 0;
      for (let ci = 0; ci < 3; ci++) {
        for (let i = 0; i < 40; i++) {
          const k = j - i;
          if (k < 0 || k >= taps) continue;
          const v = x.data[ci * 40 + i]! * w.data[ci * taps + k]!;
          exact += v;
          magnitude += Math.abs(v);
        }
      }
      expect(Math.abs(y.data[j]! - exact)).toBeLessThanOrEqual((3 * taps + 2) * 2 ** -24 * magnitude + 1e-30);
    }
  });

  it('a huge kernel with many positions takes the bounded GEMM, not a stride-phase weight panel of ~100 MiB', () => {
    // [1, 3, 128] ⊛ [3, 1, 2^18]: the phases would pack 17 · 2^18 doubles (35 MiB) of weights in one tile
    const taps = 2 ** 18;
    const x = tensor(randomData(3 * 128, 5), [1, 3, 128]);
    const w = tensor(randomData(3 * taps, 6), [3, 1, taps]);
    expect(chooseConvTransposeKernel(resolveConvTranspose(x.shape, w.shape))).toBe('gemm');
    releaseScratch();
    const rss = process.memoryUsage().rss;
    const y = cpuBackend.convTranspose(x, w);
    expect(process.memoryUsage().rss - rss).toBeLessThan(24 * 2 ** 20);
    let exact = 0;
    for (let ci = 0; ci < 3; ci++)
      for (let i = 0; i < 128; i++) exact += x.data[ci * 128 + i]! * w.data[ci * taps + 1000 - i]!;
    expect(Math.abs(y.data[1000]! - exact)).toBeLessThan(1e-4);
  });

  it('releaseScratch() gives the buffers back; the next call works', () => {
    cpuBackend.convTranspose(
      tensor(randomData(3 * 64, 3), [1, 3, 8, 8]),
      tensor(randomData(27, 4), [3, 1, 3, 3]),
    );
    expect(scratchBytes()).toBeGreaterThan(0);
    releaseScratch();
    expect(scratchBytes()).toBe(0);
    const y = cpuBackend.convTranspose(tensor([2], [1, 1, 1]), tensor([1, 2, 3], [1, 1, 3]), { stride: 2 });
    expect(Array.from(y.data)).toEqual([2, 4, 6]);
  });
});
