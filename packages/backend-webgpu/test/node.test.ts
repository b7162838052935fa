// What runs without a browser: the rejection where WebGPU is absent, and the pure planning code.
import { UnsupportedError } from '@tconv/core';
import { describe, expect, it } from 'vitest';
import { createWebGpuBackend } from '../src';
import { firstTaps } from '../src/kernels/direct';
import { dispatchPlan } from '../src/params';
import { sizeClass as sizeClassForTest } from '../src/pool';
import { resolveConvTranspose } from '@tconv/core';

describe('createWebGpuBackend without WebGPU (Node)', () => {
  it('rejects with an UnsupportedError naming navigator.gpu', async () => {
    const p = createWebGpuBackend();
    await expect(p).rejects.toBeInstanceOf(UnsupportedError);
    await expect(p).rejects.toThrow(/navigator\.gpu/);
  });
  it('rejects invalid options before looking for a device', async () => {
    await expect(createWebGpuBackend({ kernel: 'fast' as never })).rejects.toThrow(
      /kernel must be 'direct', 'tiled' or 'long1d', but got "fast"/,
    );
    await expect(createWebGpuBackend({ maxWorkgroupsPerDimension: 0 })).rejects.toThrow(
      /maxWorkgroupsPerDimension must be a positive integer, but got 0/,
    );
  });
  it('rejects something that is not a GPUDevice', async () => {
    await expect(createWebGpuBackend({ device: {} as GPUDevice })).rejects.toThrow(
      /options\.device must be a GPUDevice/,
    );
  });
});

describe('dispatchPlan', () => {
  it('covers every element exactly once within the per-axis limit', () => {
    for (const [total, wg, max] of [
      [1, 64, 65535],
      [64, 64, 65535],
      [65, 64, 65535],
      [10_000, 64, 3],
      [4_194_241, 64, 65535],
      [1000, 8, 5],
    ] as const) {
      const parts = dispatchPlan(total, wg, max);
      let next = 0;
      for (const p of parts) {
        expect(p.base).toBe(next);
        expect(p.x).toBeLessThanOrEqual(max);
        expect(p.y).toBeLessThanOrEqual(max);
        next = Math.min(total, p.base + p.x * p.y * wg);
      }
      expect(next).toBe(total);
      // the last invocation of each part stays within the part (base + x·y·wg covers, no more than a row over)
      const last = parts.at(-1)!;
      expect(last.base + last.x * last.y * wg - total).toBeLessThan(last.x * wg);
    }
  });
});

describe('stride-phase first taps', () => {
  it('gives each residue its first tap, every tap belonging to exactly one residue', () => {
    for (const [k, s, d] of [
      [4, 2, 1],
      [3, 2, 2],
      [5, 3, 2],
      [1, 4, 1],
      [2048, 512, 1],
      [6, 4, 2],
    ] as const) {
      const g = resolveConvTranspose([1, 1, 5], [1, 1, k], { stride: s, dilation: d });
      const { table, steps } = firstTaps(g);
      const seen = new Set<number>();
      for (let r = 0; r < s; r++) {
        for (let t = table[r]!; t < k; t += steps[0]!) {
          expect((t * d) % s).toBe(r);
          expect(seen.has(t)).toBe(false);
          seen.add(t);
        }
      }
      expect(seen.size).toBe(k);
    }
  });
});

describe('buffer size classes', () => {
  it('round up to at least 256 bytes, wasting less than max(1/8, 256 bytes)', () => {
    for (const b of [1, 255, 256, 257, 1000, 4096, 4097, 1_000_000, 123_456_789]) {
      const c = sizeClassForTest(b);
      expect(c).toBeGreaterThanOrEqual(b);
      expect(c).toBeGreaterThanOrEqual(256);
      expect(c - b).toBeLessThan(Math.max(b / 8, 256));
    }
  });
});
