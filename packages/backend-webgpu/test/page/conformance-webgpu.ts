// Page entry: runs the whole conformance kit inside the browser against the WebGPU backend.
import { runConformance } from '@tconv/conformance';
import { createWebGpuBackend } from '../../src';
import type { BrowserReport } from '../harness';

async function conformance(): Promise<BrowserReport> {
  const gpu = await createWebGpuBackend();
  try {
    const report = await runConformance(gpu);
    return {
      info: gpu.adapter,
      results: report.results.map((r) => ({ id: r.id, ok: r.ok, skipped: r.skipped, message: r.message })),
    };
  } finally {
    await gpu.dispose();
  }
}

(globalThis as { tconvPage?: unknown }).tconvPage = { conformance };
