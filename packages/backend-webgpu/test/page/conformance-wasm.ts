// Page entry: runs the whole conformance kit inside the browser against the WebAssembly backend
// with two threads on Web Workers (the page is cross-origin isolated, so SharedArrayBuffer exists).
import { createWasmBackend } from '@tconv/backend-wasm';
import { runConformance } from '@tconv/conformance';
import { backwardTensors, firstDifference, HANDED_OVER_BACKWARD } from '@tconv/testing';
import type { BrowserReport } from '../harness';

async function conformance(): Promise<BrowserReport> {
  const wasm = await createWasmBackend({ threads: 2, threadThreshold: 0 });
  try {
    const report = await runConformance(wasm);
    return {
      info: `threads ${wasm.threads}, crossOriginIsolated ${globalThis.crossOriginIsolated}`,
      results: report.results.map((r) => ({ id: r.id, ok: r.ok, skipped: r.skipped, message: r.message })),
    };
  } finally {
    await wasm.dispose();
  }
}

/**
 * A backward whose 2^18-float weight gradient a Web Worker computes beside the page's input
 * gradient and copies out itself, its buffer transferred with the reply: against one thread.
 */
async function largeBackward() {
  const one = await createWasmBackend();
  const two = await createWasmBackend({ threads: 2, threadThreshold: 0 });
  try {
    const o = HANDED_OVER_BACKWARD.options;
    const { input: x, weight: w, gradOutput: gy } = backwardTensors(HANDED_OVER_BACKWARD, 1);
    const a = await one.convTransposeBackward(gy, x, w, o);
    const b = await two.convTransposeBackward(gy, x, w, o);
    return {
      threads: two.threads,
      length: b.weight.data.length,
      input: firstDifference(b.input.data, a.input.data),
      weight: firstDifference(b.weight.data, a.weight.data),
      shared: b.weight.data.buffer instanceof SharedArrayBuffer,
    };
  } finally {
    await Promise.all([one.dispose(), two.dispose()]);
  }
}

(globalThis as { tconvPage?: unknown }).tconvPage = { conformance, largeBackward };
