/**
 * The explorer in a real browser (headless Debian Chromium through playwright-core): builds the
 * page with Vite, serves it from 127.0.0.1 with COOP/COEP, loads presets and URLs, changes
 * controls, and checks the numbers shown against core and the backends computed here in Node
 * (the CPU backend's definition-level reference, `convolutionMatrix`); no console error anywhere;
 * no horizontal scroll at 375 px; screenshots of each view into `screenshots/`. Without a
 * Chromium (and none installable) the suite fails with `ensureChromium`'s message. One file on
 * purpose: every test shares one build, one server and one browser (building and launching once
 * keeps the suite near a minute).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { referenceConvTranspose } from '@tconv/backend-cpu';
import { convolutionMatrix } from '@tconv/backend-sparse';
import { launchChromium, type StaticServer, serveStatic } from '@tconv/browser-testing';
import type { Tensor } from '@tconv/core';
import { resolveConvTranspose, TconvError, tensor } from '@tconv/core';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, describe, expect, it } from 'vitest';
import { inputShapeOf, layerOptions, weightShapeOf } from '../src/layer';
import { findPreset, PRESETS } from '../src/presets';
import type { ExplorerState } from '../src/state';
import { parseState, stateToQuery } from '../src/state';
import { applyFixed, bundledImage, fixedUpsamplings, maxPool, maxUnpool } from '../src/upsampling';

const here = fileURLToPath(new URL('..', import.meta.url));
const shots = join(here, 'screenshots');
let out: string;
let server: StaticServer;
let browser: Browser;
const consoleErrors: string[] = [];

/**
 * Builds, serves and launches once, on first use (not in a beforeAll hook: a failing hook makes
 * vitest report the tests as skipped; this way each test fails with the reason, e.g. no Chromium).
 */
let started: Promise<void> | null = null;
function setup(): Promise<void> {
  started ??= (async () => {
    out = mkdtempSync(join(tmpdir(), 'tconv-explorer-'));
    await build({ root: here, logLevel: 'error', build: { outDir: out, emptyOutDir: true } });
    server = await serveStatic(out);
    browser = await launchChromium();
    mkdirSync(shots, { recursive: true });
  })();
  return started;
}

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (out) rmSync(out, { recursive: true, force: true });
});

/** One page per viewport size, reused (navigating is much cheaper than a new page). */
const pages = new Map<string, Page>();
let currentQuery = '';

/** The page at the URL, with every console error and page error recorded. */
async function open(query: string, width = 1280, height = 800): Promise<Page> {
  await setup();
  const key = `${width}x${height}`;
  let page = pages.get(key);
  if (!page) {
    page = await browser.newPage({ viewport: { width, height } });
    page.on('console', (m) => {
      // Chromium itself warns "No available adapters." when the page asks for a WebGPU adapter and
      // this (GPU-less) browser has none: the page asks on purpose, to say WebGPU is unavailable.
      if (m.type() === 'warning' && m.text() === 'No available adapters.') return;
      if (m.type() === 'error' || m.type() === 'warning')
        consoleErrors.push(`${currentQuery}: ${m.type()} ${m.text()}`);
    });
    page.on('pageerror', (e) => consoleErrors.push(`${currentQuery}: ${e.message}`));
    pages.set(key, page);
  }
  currentQuery = query;
  await page.goto(`${server.url}?${query}`);
  await page.waitForSelector('[data-testid=output-size]');
  return page;
}

async function cells(page: Page, testId: string): Promise<number[]> {
  const texts = await page.$$eval(`[data-testid="${testId}"] td`, (tds) =>
    tds.map((td) => td.textContent ?? ''),
  );
  return texts.map(Number);
}

/** Core's geometry and the definition-level reference output, computed in Node. */
function expected(s: ExplorerState): { size: string; output: Tensor } {
  const inputShape = inputShapeOf(s);
  const weightShape = weightShapeOf(s);
  const options = layerOptions(s);
  const g = resolveConvTranspose(inputShape, weightShape, options);
  const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
  const x = s.x ?? Array.from({ length: count(inputShape) }, (_, i) => i % 10);
  const w = s.w ?? Array.from({ length: count(weightShape) }, (_, i) => (i % 3) + 1);
  const output = referenceConvTranspose(tensor(x, inputShape), tensor(w, weightShape), options);
  return { size: g.outputSize.join('×'), output };
}

const lookup = (id: string) => findPreset(id)?.state;

describe('explorer in Chromium', () => {
  it('opens every preset: output size from core, output from the reference, every backend agreeing', async () => {
    for (const preset of PRESETS) {
      const page = await open(`preset=${preset.id}&view=scatter`);
      const want = expected(preset.state);
      expect(await page.textContent('[data-testid=output-size]'), preset.id).toBe(want.size);
      const cout = want.output.shape[1]!;
      const plane = want.output.data.length / cout;
      for (let c = 0; c < cout; c++) {
        expect(await cells(page, `output-grid-${c}`), `${preset.id} channel ${c}`).toEqual(
          Array.from(want.output.data.subarray(c * plane, (c + 1) * plane)),
        );
      }
      await page.waitForSelector('[data-testid=backend-check] table');
      const rows = await page.$$eval('[data-testid=backend-check] tr[data-backend]', (trs) =>
        trs.map((tr) => [tr.getAttribute('data-backend'), tr.getAttribute('data-agrees')]),
      );
      // This Chromium runs without WebGPU (--disable-gpu): the WebGPU row says it is not available here.
      expect(rows, preset.id).toEqual([
        ['cpu', 'true'],
        ['sparse', 'true'],
        ['wasm', 'true'],
        ['webgpu', 'unavailable'],
      ]);
      if (preset.documentOutput) {
        expect(await cells(page, 'document-output')).toEqual(preset.documentOutput.flat());
        expect(await page.textContent('[data-testid=document-match]')).toContain('✓');
      }
    }
  });

  it("reads the issue's URL and the Keras and ONNX words; shows core's sizes", async () => {
    const cases: [string, string][] = [
      ['input=4x4&kernel=3x3&stride=2&padding=1&outputPadding=1&dilation=1&groups=1&convention=pytorch', ''],
      ['input=4x4&kernel=3x3&stride=2&convention=keras&padding=same', ''],
      ['input=4x4&kernel=3x3&stride=2&convention=keras&padding=valid', ''],
      ['input=3x3&kernel=1x1&stride=3&convention=onnx&autoPad=SAME_UPPER', ''],
      ['input=3x3&kernel=1x1&stride=3&convention=onnx&autoPad=SAME_LOWER', ''],
      ['input=4x4&kernel=3x3&stride=2&convention=onnx&autoPad=NOTSET&pads=1,0,0,1', ''],
      ['input=4x4&kernel=3x3&stride=2&convention=onnx&outputShape=8x8', ''],
      [
        'input=5x3&kernel=3x2&stride=2x1&dilation=2x1&padding=1x0&convention=pytorch&inChannels=2&outChannels=4&groups=2',
        '',
      ],
    ];
    for (const [query] of cases) {
      const { state, problems } = parseState(query);
      expect(problems).toEqual([]);
      const page = await open(query);
      expect(await page.textContent('[data-testid=output-size]'), query).toBe(expected(state).size);
      expect(await cells(page, 'output-grid-0'), query).toEqual(
        Array.from(expected(state).output.data.subarray(0, (await cells(page, 'output-grid-0')).length)),
      );
    }
    const issue = await open(cases[0]![0]);
    expect(await issue.textContent('[data-testid=output-size]')).toBe('8×8');
  });

  it("shows core's error text for an invalid combination, and the URL's problems", async () => {
    const query = 'input=4x4&kernel=3x3&stride=2&padding=1&outputPadding=2';
    let message = '';
    try {
      resolveConvTranspose([1, 1, 4, 4], [1, 1, 3, 3], {
        stride: [2, 2],
        padding: [1, 1],
        outputPadding: [2, 2],
        dilation: [1, 1],
        groups: 1,
      });
    } catch (e) {
      expect(e).toBeInstanceOf(TconvError);
      message = (e as Error).message;
    }
    expect(message).toContain('outputPadding');
    const page = await open(query);
    expect(await page.textContent('[data-testid=error]')).toContain(message);
    expect(await page.textContent('[data-testid=output-size]')).toBe('—');
    const bad = await open('input=four&stride=2');
    expect(await bad.textContent('[data-testid=url-problems]')).toContain('input "four" ignored');
  });

  it('changes controls: the URL follows, and numbers stay those of core and the reference', async () => {
    const page = await open('preset=d2l-basic');
    await page.fill('#c-stride', '3');
    await page.press('#c-stride', 'Enter');
    await page.waitForFunction(() => window.location.search.includes('stride=3x3'));
    const state = parseState(new URL(page.url()).search).state;
    expect(state.stride).toEqual([3, 3]);
    expect(await page.textContent('[data-testid=output-size]')).toBe(expected(state).size);
    expect(await cells(page, 'output-grid-0')).toEqual(Array.from(expected(state).output.data));
    // edit a kernel value
    await page.fill('#w0-0-3', '7');
    await page.press('#w0-0-3', 'Tab');
    await page.waitForFunction(() => window.location.search.includes('w=0,1,2,7'));
    const edited = parseState(new URL(page.url()).search).state;
    expect(await cells(page, 'output-grid-0')).toEqual(Array.from(expected(edited).output.data));
    // switch to Keras 'same'
    await page.selectOption('#c-convention', 'keras');
    await page.selectOption('#c-padding', 'same');
    await page.waitForFunction(() => window.location.search.includes('padding=same'));
    const keras = parseState(new URL(page.url()).search).state;
    expect(keras.layer).toEqual({ convention: 'keras', padding: 'same', outputPadding: null });
    expect(await page.textContent('[data-testid=output-size]')).toBe(expected(keras).size);
    // keyboard: a focused player button keeps the focus through the re-render, Enter steps
    await page.goto(`${server.url}?preset=d2l-basic&step=0`);
    await page.focus('#p-next');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      () => document.querySelector('[data-testid=step-count]')?.textContent === '2 / 4',
    );
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('p-next');
    // keyboard: the tabs follow the arrow keys
    await page.focus('[data-testid=tab-scatter]');
    await page.keyboard.press('ArrowRight');
    await page.waitForSelector('#conv-title');
    expect(new URL(page.url()).searchParams.get('view')).toBe('conventions');
  });

  it('steps the scatter: each step is the reference scatter of the elements landed so far', async () => {
    const preset = findPreset('d2l-stride')!;
    const page = await open(`preset=${preset.id}&step=0`);
    const s = preset.state;
    const full = { stride: [...s.stride], dilation: [...s.dilation], groups: s.groups, padding: 0 };
    for (let step = 1; step <= 4; step++) {
      await page.click('[data-testid=step-next]');
      await page.waitForFunction(
        (n) => document.querySelector('[data-testid=step-count]')?.textContent?.startsWith(`${n} /`),
        step,
      );
      const x = s.x!.map((v, i) => (i < step ? v : 0));
      const landed = referenceConvTranspose(tensor(x, [1, 1, 2, 2]), tensor(s.w!, [1, 1, 2, 2]), full);
      expect(await cells(page, 'canvas-0'), `step ${step}`).toEqual(Array.from(landed.data));
      const one = s.x!.map((v, i) => (i === step - 1 ? v : 0));
      const alone = referenceConvTranspose(tensor(one, [1, 1, 2, 2]), tensor(s.w!, [1, 1, 2, 2]), full);
      expect(await cells(page, 'step-alone')).toEqual(Array.from(alone.data));
    }
    expect(await page.$eval('[data-testid=step-next]', (b) => (b as HTMLButtonElement).disabled)).toBe(true);
    // padding 1 draws the removed border: 8 of the 9 cells of the 3×3 scatter are cropped (d2l 13.10.2)
    const padded = await open('preset=d2l-padding');
    expect(await padded.$$eval('[data-testid=canvas-0] td.cropped', (tds) => tds.length)).toBe(8);
    const extended = await open('preset=notes-k3s2-op1');
    expect(await extended.$$eval('[data-testid=canvas-0] td.extended', (tds) => tds.length)).toBe(11);
  });

  it("draws W and Wᵀ from convolutionMatrix (d2l's 4×9, TDS's 4×16) and lights what a row connects", async () => {
    for (const [id, rows, cols] of [
      ['d2l-matrix', 4, 9],
      ['tds-2x2-to-4x4', 4, 16],
    ] as const) {
      const s = findPreset(id)!.state;
      const page = await open(`preset=${id}`);
      const w = expected(s);
      const weight = tensor(s.w ?? Array.from({ length: 9 }, (_, i) => (i % 3) + 1), weightShapeOf(s));
      const dense = convolutionMatrix([1, 1, ...w.output.shape.slice(2)], weight).toDense();
      expect(dense.length).toBe(rows);
      expect(dense[0]!.length).toBe(cols);
      const shown = await page.$$eval('[data-testid=heatmap-W] tbody tr', (trs) =>
        trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => Number(td.textContent || 0))),
      );
      expect(shown).toEqual(dense);
      expect(await page.textContent('[data-testid=matrix-match]')).toContain('✓');
      await page.hover('[data-line="W-row-0"]');
      const lit = await page.$$eval('[data-testid=matrix-output-0] td.lit', (tds) => tds.length);
      expect(lit).toBe(dense[0]!.filter((v) => v !== 0).length);
      if (id === 'd2l-matrix') {
        // d2l's printed W, row 0
        expect(dense[0]).toEqual([1, 2, 0, 3, 4, 0, 0, 0, 0]);
        // the backward pass: W·g with g = 0, 1, …, 8 is corr2d(arange(9), K) = [[27, 37], [57, 67]]
        expect(await cells(page, 'grad-w-0')).toEqual([27, 37, 57, 67]);
        expect(await cells(page, 'grad-conv-0')).toEqual([27, 37, 57, 67]);
        expect(await page.textContent('[data-testid=conv-match]')).toContain('✓');
        expect(await page.textContent('[data-testid=backward-match]')).toContain('✓');
      }
    }
  });

  it('upsamples the bundled picture with the fixed kernels and max-unpooling, pixel for pixel', async () => {
    const page = await open('view=upsampling&upFactor=2&upKernel=3');
    const { pooled, offsets } = maxPool(bundledImage(24), 2);
    const wanted: [string, Tensor][] = [
      ...fixedUpsamplings(2).map(
        (u) => [`up-${u.name.replace(/ /g, '-')}`, applyFixed(pooled, u)] as [string, Tensor],
      ),
      ['up-max-unpooling', maxUnpool(pooled, offsets, 2)],
    ];
    for (const [testId, t] of wanted) {
      const rgba = await page.$eval(`[data-testid="${testId}"]`, (c) => {
        const canvas = c as HTMLCanvasElement;
        return Array.from(canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data);
      });
      const plane = t.data.length / 3;
      const red = Array.from({ length: plane }, (_, i) => rgba[4 * i]!);
      expect(red, testId).toEqual(
        Array.from(t.data.subarray(0, plane), (v) => Math.max(0, Math.min(255, Math.round(v)))),
      );
    }
    expect(await page.textContent('[data-testid=checkerboard-text]')).toContain('not a multiple');
    expect(await page.textContent('[data-testid=output-size]')).toBe('24×24');
    await page.fill('#u-kernel', '4');
    await page.press('#u-kernel', 'Enter');
    await page.waitForFunction(() => window.location.search.includes('upKernel=4'));
    expect(await page.textContent('[data-testid=checkerboard-text]')).toContain('is a multiple');
  });

  it('cross-checks the WebGPU backend where the browser has WebGPU (SwiftShader)', async () => {
    await setup();
    const gpuBrowser = await launchChromium({ webgpu: true });
    try {
      for (const id of ['d2l-stride', 'aim-rgb-k3s4']) {
        const page = await gpuBrowser.newPage();
        page.on('pageerror', (e) => consoleErrors.push(`webgpu ${id}: ${e.message}`));
        page.on('console', (m) => {
          if (m.type() === 'error') consoleErrors.push(`webgpu ${id}: ${m.text()}`);
        });
        await page.goto(`${server.url}?preset=${id}&view=scatter`);
        // SwiftShader compiles every shader on the CPU: slow on a loaded machine, so a generous wait,
        // and on a timeout the message says what the table showed.
        await page
          .waitForSelector('[data-testid=backend-check] tr[data-backend=webgpu]', { timeout: 100_000 })
          .catch(async (e: Error) => {
            throw new Error(
              `${id}: ${e.message}; the table: ${await page.textContent('[data-testid=backend-check]')}`,
            );
          });
        const row = await page.$eval('[data-testid=backend-check] tr[data-backend=webgpu]', (tr) => [
          tr.getAttribute('data-agrees'),
          tr.textContent,
        ]);
        expect(row[0], `${id}: ${row[1]}`).toBe('true');
        await page.close();
      }
    } finally {
      await gpuBrowser.close();
    }
  }, 240_000);

  it('plays the scatter to the end, and upsamples a picture the user gives', async () => {
    const page = await open('preset=d2l-stride&step=0');
    await page.click('[data-testid=play]');
    await page.waitForFunction(
      () => document.querySelector('[data-testid=step-count]')?.textContent === '4 / 4',
      null,
      {
        timeout: 20_000,
      },
    );
    expect(await page.textContent('[data-testid=play]')).toContain('play');
    expect(new URL(page.url()).searchParams.get('step')).toBe('all');

    await open('view=upsampling&upFactor=2');
    const dataUrl = await page.evaluate(() => {
      const c = document.createElement('canvas');
      c.width = 24;
      c.height = 24;
      const ctx = c.getContext('2d')!;
      ctx.fillStyle = '#ff0000';
      ctx.fillRect(0, 0, 12, 24);
      ctx.fillStyle = '#0000ff';
      ctx.fillRect(12, 0, 12, 24);
      return c.toDataURL('image/png');
    });
    await page.setInputFiles('#u-file', {
      name: 'halves.png',
      mimeType: 'image/png',
      buffer: Buffer.from(dataUrl.split(',')[1]!, 'base64'),
    });
    await page.waitForFunction(() => document.body.textContent?.includes('your picture'));
    const image = new Float32Array(3 * 24 * 24);
    for (let i = 0; i < 24; i++) {
      for (let j = 0; j < 24; j++) image[(j < 12 ? 0 : 2) * 576 + i * 24 + j] = 255;
    }
    const { pooled } = maxPool(tensor(image, [1, 3, 24, 24]), 2);
    const nearest = applyFixed(pooled, fixedUpsamplings(2)[0]!);
    const rgba = await page.$eval('[data-testid="up-nearest-neighbour"]', (c) => {
      const canvas = c as HTMLCanvasElement;
      return Array.from(canvas.getContext('2d')!.getImageData(0, 0, 24, 24).data);
    });
    const blue = Array.from({ length: 576 }, (_, i) => rgba[4 * i + 2]!);
    expect(blue).toEqual(Array.from(nearest.data.subarray(2 * 576)));
  });

  it('is readable at 375 px: no horizontal scroll in any view', async () => {
    for (const query of [
      'preset=aim-rgb-k3s4&step=20',
      'preset=gfg-same&view=conventions',
      'preset=onnx-same-upper-negative',
      'preset=tds-2x2-to-4x4',
      'view=upsampling',
      'input=4x4&outputPadding=5',
    ]) {
      const page = await open(query, 375, 800);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width, query).toBeLessThanOrEqual(375);
    }
  });

  it('takes the screenshots of the README', async () => {
    const views: [string, string, number, number][] = [
      ['scatter', 'preset=aim-rgb-k3s4&step=22', 1280, 800],
      ['scatter-d2l-stride', 'preset=d2l-stride&step=3', 1280, 800],
      ['conventions', 'preset=onnx-same-upper-negative', 1280, 800],
      ['matrix', 'preset=tds-2x2-to-4x4', 1280, 800],
      ['upsampling', 'view=upsampling&upKernel=3', 1280, 800],
      ['phone', 'preset=gfg-same&step=5', 375, 800],
      ['error', 'input=4x4&kernel=3x3&stride=2&padding=1&outputPadding=2', 1280, 800],
    ];
    for (const [name, query, width, height] of views) {
      const page = await open(query, width, height);
      if (!query.includes('view=upsampling') && !query.includes('outputPadding=2')) {
        await page.waitForSelector(
          query.includes('tds') || query.includes('onnx') ? 'h2' : '[data-testid=backend-check] table',
        );
      }
      await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
    }
  });

  it('wrote no console error or warning on any page', async () => {
    await setup();
    expect(consoleErrors).toEqual([]);
  });

  it('keeps every query it writes readable by the parser', () => {
    for (const p of PRESETS) expect(parseState(stateToQuery(p.state), lookup).state).toEqual(p.state);
  });
});
