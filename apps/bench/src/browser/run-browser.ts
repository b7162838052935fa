// `npm run bench -- --browser`: bundles page.ts with esbuild, serves it (with onnxruntime-web's
// wasm files) from 127.0.0.1 with COOP/COEP, runs it in headless Chromium with WebGPU (SwiftShader
// where there is no GPU), and writes browser.json and browser.md.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { launchChromium, serveStatic } from '@tconv/browser-testing';
import { build } from 'esbuild';
import type { FirstCallRow } from '../first-call-row';
import { machineInfo } from '../machine';
import { browserMarkdown } from './report-browser';
import type { BrowserBenchResult, BrowserRow, PageRequest, PageResult } from './types';

/** Where page.ts is: next to this file in the sources, or ../src/browser from the built dist. */
function pageEntry(): string {
  const here = import.meta.dirname;
  for (const candidate of [join(here, 'page.ts'), join(here, '..', 'src', 'browser', 'page.ts')]) {
    try {
      readFileSync(candidate);
      return candidate;
    } catch {}
  }
  throw new Error(`bench: page.ts not found next to ${here}`);
}

/** Runs the browser benchmark and writes `browser.json` / `browser.md` into `out`. */
export async function runBrowserBench(request: PageRequest, out: string): Promise<BrowserBenchResult> {
  const entry = pageEntry();
  const dir = mkdtempSync(join(os.tmpdir(), 'tconv-bench-browser-'));
  await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outfile: join(dir, 'bundle.js'),
    logLevel: 'error',
    // onnxruntime-web loads its wasm glue at run time from env.wasm.wasmPaths (served below)
    external: ['*.wasm'],
  });
  writeFileSync(
    join(dir, 'index.html'),
    '<!doctype html><meta charset="utf-8"><title>tconv browser bench</title><script type="module" src="bundle.js"></script>',
  );
  const ortDist = dirname(createRequire(entry).resolve('onnxruntime-web/webgpu'));
  const routes: Record<string, { body: Uint8Array; type: string }> = {};
  // every build of the glue (jsep, asyncify, jspi…): which one loads depends on the browser
  for (const f of readdirSync(ortDist).filter((n) => /^ort-wasm.*\.(mjs|wasm)$/.test(n))) {
    routes[`/ort/${f}`] = {
      body: readFileSync(join(ortDist, f)),
      type: f.endsWith('.wasm') ? 'application/wasm' : 'text/javascript',
    };
  }
  const server = await serveStatic(dir, { routes });
  const browser = await launchChromium({ webgpu: true });
  try {
    const page = await browser.newPage();
    page.on('console', (m) => {
      const t = m.text();
      if (t.startsWith('tconv-bench-first-call ')) {
        const r = JSON.parse(t.slice(23)) as FirstCallRow;
        const f = (v: number | null) => (v === null ? '-' : v.toFixed(2));
        process.stdout.write(
          `${r.workload.padEnd(16)} ${'tconv-webgpu first call'.padEnd(30)} ${f(r.firstMs).padStart(10)} / ${f(r.steadyMs)} ms (${f(r.firstRatio)}×)  ${r.note ?? ''}\n`,
        );
      }
      if (t.startsWith('tconv-bench-row ')) {
        const r = JSON.parse(t.slice(16)) as BrowserRow;
        const ms = r.medianMs === null ? '-' : r.medianMs.toFixed(2);
        const g = r.gflops === null ? '-' : r.gflops.toFixed(2);
        process.stdout.write(
          `${r.workload.padEnd(16)} ${r.engine.padEnd(30)} ${ms.padStart(10)} ${g.padStart(8)}  ${r.ok ? '' : r.note}\n`,
        );
      }
    });
    page.setDefaultTimeout(0);
    await page.goto(server.url);
    await page.waitForFunction(() => (globalThis as { tconvBench?: unknown }).tconvBench !== undefined);
    const result = await page.evaluate(
      (req) =>
        (
          globalThis as unknown as { tconvBench: { bench(r: PageRequest): Promise<PageResult> } }
        ).tconvBench.bench(req),
      request,
    );
    const full: BrowserBenchResult = {
      date: new Date().toISOString(),
      machine: machineInfo(),
      quick: request.quick,
      ...result,
    };
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'browser.json'), `${JSON.stringify(full, null, 2)}\n`);
    const md = browserMarkdown(full);
    writeFileSync(join(out, 'browser.md'), md);
    process.stdout.write(`\n${md}\nwrote ${join(out, 'browser.json')}, browser.md\n`);
    return full;
  } finally {
    await browser.close();
    await server.close();
  }
}
