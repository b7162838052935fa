// Property tests in headless Chromium (WebGPU on SwiftShader) against the CPU definition.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseResult, TestPage } from './harness';
import { bundlePage, openPage } from './harness';

let page: TestPage;
beforeAll(async () => {
  page = await openPage(await bundlePage('properties'));
}, 120_000);
afterAll(async () => page?.close());

function expectAllOk(results: readonly CaseResult[], atLeast: number): void {
  const failed = results.filter((r) => !r.ok).map((r) => `${r.id}: ${r.message}`);
  expect(failed).toEqual([]);
  expect(results.length).toBeGreaterThanOrEqual(atLeast);
}

for (const kernel of ['direct', 'tiled', 'long1d'] as const) {
  describe(`WebGPU properties in Chromium, kernel '${kernel}'`, () => {
    it('random geometries of ranks 1–3, every option: convTranspose, conv and both gradients within float32 rounding of the definition', async () => {
      expectAllOk(await page.call<CaseResult[]>('randomProblems', { seed: 20261201, runs: 60, kernel }), 60);
    });
    it('sizes at workgroup-tile edges (1, 3, 7, 15, 17, 33, 65) in channels, lengths and groups', async () => {
      expectAllOk(await page.call<CaseResult[]>('tileEdges', kernel), 7 * 7 * 2);
    });
    it('an output of more than 65535 workgroups, and dispatches split into parts', async () => {
      expectAllOk(await page.call<CaseResult[]>('largeDispatch', kernel), 4);
    });
    it('long 1D kernels with one or two output channels per group (iSTFT-like), every padding kind', async () => {
      expectAllOk(await page.call<CaseResult[]>('longKernels', { kernel, runs: 40 }), 30);
    });
  });
}
