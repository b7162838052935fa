import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeBrowserConformance } from './browser-conformance';
import type { TestPage } from './harness';
import { bundlePage, openPage } from './harness';

describeBrowserConformance('conformance-wasm', 'wasm', { dtypes: ['float32'] }, (info) => {
  // the threads really ran on Web Workers of a cross-origin isolated page
  expect(info).toBe('threads 2, crossOriginIsolated true');
});

describe('the WebAssembly backend on Web Workers in Chromium: a weight gradient copied out by its worker', () => {
  let page: TestPage | undefined;
  beforeAll(async () => {
    page = await openPage(await bundlePage('conformance-wasm'));
  }, 120_000);
  afterAll(async () => page?.close());

  it('a 2^18-float weight gradient computed beside the input gradient, its buffer transferred: what one thread gives', async () => {
    if (!page) throw new Error('the page did not open');
    expect(await page.call('largeBackward')).toEqual({
      threads: 2,
      length: 1 << 18,
      input: -1,
      weight: -1,
      shared: false,
    });
  }, 120_000);
});
