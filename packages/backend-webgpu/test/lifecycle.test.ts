// The backend's life cycle in headless Chromium (WebGPU on SwiftShader): a lost device rejects
// pending and later calls (never hangs), dispose releases every buffer, the GPU-resident API chains
// layers exactly like the Tensor API, and limits are clear errors before anything is allocated.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestPage } from './harness';
import { bundlePage, openPage } from './harness';

let page: TestPage;
beforeAll(async () => {
  page = await openPage(await bundlePage('lifecycle'));
}, 120_000);
afterAll(async () => page?.close());

describe('WebGPU backend life cycle in Chromium', () => {
  it('a destroyed device rejects the pending call, later calls and reads with DeviceLostError', async () => {
    const r = await page.call<Record<string, string>>('lostDevice');
    for (const [what, result] of Object.entries(r)) {
      expect(result, what).toMatch(/^DeviceLostError: the WebGPU device was lost \(reason: destroyed/);
    }
  });
  it('dispose: no buffer stays lent between calls; afterwards nothing is held and calls reject', async () => {
    const r = await page.call<{
      before: number;
      afterCalls: { liveBytes: number; idleBytes: number };
      afterDispose: { liveBytes: number; idleBytes: number };
      later: string;
    }>('dispose');
    expect(r.before).toBe(0);
    expect(r.afterCalls.liveBytes).toBe(0);
    expect(r.afterCalls.idleBytes).toBeGreaterThan(0); // pooled for the next call
    expect(r.afterDispose).toEqual({ liveBytes: 0, idleBytes: 0 });
    expect(r.later).toMatch(/disposed/);
  });
  it('GPU-resident: two chained layers equal the Tensor API bit for bit and the definition within rounding', async () => {
    const r = await page.call<{
      chainedEqualsTensorApi: boolean;
      maxError: number;
      released: string;
      float64: string;
      liveAfterRelease: number;
    }>('resident');
    expect(r.chainedEqualsTensorApi).toBe(true);
    expect(r.maxError).toBeLessThan(1e-3);
    expect(r.released).toMatch(/ShapeError: tensor is not a live GPU tensor of this backend/);
    expect(r.float64).toMatch(/UnsupportedError: backend webgpu supports float32/);
    expect(r.liveAfterRelease).toBe(0);
  });
  it('limits: an output beyond maxStorageBufferBindingSize is a LimitError before allocation; float64 is rejected', async () => {
    const r = await page.call<{ binding: string; float64: string; liveBytes: number }>('limits');
    expect(r.binding).toMatch(
      /^LimitError: output needs a GPU buffer of \d+ bytes .*maxStorageBufferBindingSize 134217728/,
    );
    expect(r.float64).toMatch(/^UnsupportedError: backend webgpu supports float32, but the input is float64/);
    expect(r.liveBytes).toBe(0);
  });
  it('calls in flight at once (four shapes, twice each, tiled and long-kernel paths) each get their own correct result', async () => {
    const r = await page.call<{ maxErrors: number[]; liveBytes: number }>('concurrent');
    expect(r.maxErrors).toHaveLength(8);
    for (const e of r.maxErrors) expect(e).toBeLessThan(1e-4);
    expect(r.liveBytes).toBe(0);
  });
  it('GPU-resident gradients equal the Tensor API gradients; the bias gradient is within rounding; a wrong gradOutput shape is a ShapeError', async () => {
    const r = await page.call<{
      sameInput: boolean;
      sameWeight: boolean;
      biasWithinBound: boolean;
      badShape: string;
      liveAfter: number;
    }>('residentBackward');
    expect(r.sameInput).toBe(true);
    expect(r.sameWeight).toBe(true);
    expect(r.biasWithinBound).toBe(true);
    expect(r.badShape).toMatch(
      /^ShapeError: gradOutput must have the forward output's shape \[2, 6, 24, 24\]/,
    );
    expect(r.liveAfter).toBe(0);
  });
});
