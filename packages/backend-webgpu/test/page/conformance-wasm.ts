// Page entry: runs the whole conformance kit inside the browser against the WebAssembly backend
// with two threads on Web Workers (the page is cross-origin isolated, so SharedArrayBuffer exists).
import { createWasmBackend } from '@tconv/backend-wasm';
import { runConformance } from '@tconv/conformance';
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

(globalThis as { tconvPage?: unknown }).tconvPage = { conformance };
