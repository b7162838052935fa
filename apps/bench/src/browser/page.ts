// The browser benchmark's page (bundled by run-browser.ts, run in headless Chromium): tconv's
// WebGPU backend against onnxruntime-web's WebGPU provider and tfjs-webgpu, tconv's WebAssembly
// backend against onnxruntime-web's wasm, on the bench workloads. Every engine's result is checked
// against the definition before it is timed; a disagreeing engine is flagged, not timed.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgpu';
import { referenceConvTranspose } from '@tconv/backend-cpu';
import { createWasmBackend, relaxedSimdSupported } from '@tconv/backend-wasm';
import { createWebGpuBackend } from '@tconv/backend-webgpu';
import type { Tensor } from '@tconv/core';
import { geometryFlops, resolveConvTranspose } from '@tconv/core';
import type { Peer } from '@tconv/peers/browser';
import { createOnnxRuntimePeer, onnxruntimeWebGpuPeer, tfjsWebGpuPeer } from '@tconv/peers/browser';
import type { Workload } from '@tconv/testing';
import { WORKLOADS, workloadTensors } from '@tconv/testing';
import * as ort from 'onnxruntime-web/webgpu';
import type { FirstCallRow } from '../first-call-row';
import { firstCallRow, STEADY_CALLS } from '../first-call-row';
import { guarded, measureInterleaved } from '../measure';
import type { Features } from '../row';
import {
  disagreement,
  failureNote,
  maxAbsError,
  NOT_TIMED,
  outputScale,
  timedFields,
  wasmSimdSupported,
} from '../row';
import type { BrowserRow, PageRequest, PageResult } from './types';

/** A prepared timed call and its (untimed) output. */
interface Call {
  run(): Promise<void>;
  output(): Promise<Float32Array>;
  dispose(): Promise<void> | void;
}

/** An engine of the page: a name, what it cannot run, and how it sets a workload up. */
interface PageEngine {
  readonly name: string;
  readonly runtime: 'WebGPU' | 'WebAssembly';
  cannot(w: Workload): string | undefined;
  prepare(w: Workload, x: Tensor, weight: Tensor): Promise<Call>;
}

function peerEngine(peer: Peer, name: string, runtime: PageEngine['runtime']): PageEngine {
  return {
    name,
    runtime,
    cannot: (w) => peer.cannotExpress('convTranspose', w.input, w.weight, w.options),
    async prepare(w, x, weight) {
      const call = await peer.prepareConvTranspose(x, weight, w.options);
      return {
        run: () => call.run(),
        output: async () => (await call.output()).data as Float32Array,
        dispose: () => call.dispose(),
      };
    },
  };
}

async function engines(): Promise<{
  list: PageEngine[];
  adapter: string;
  features: Features;
  close(): Promise<void>;
}> {
  const gpu = await createWebGpuBackend();
  const wasm1 = await createWasmBackend();
  const wasm2 = await createWasmBackend({ threads: 2 });
  ort.env.wasm.wasmPaths = new URL('/ort/', location.href).href;
  ort.env.wasm.numThreads = 1;
  await tf.setBackend('webgpu');
  await tf.ready();
  const tconvEngine = (
    name: string,
    b: typeof wasm1 | typeof gpu,
    runtime: PageEngine['runtime'],
  ): PageEngine => ({
    name,
    runtime,
    cannot: () => undefined,
    async prepare(w, x, weight) {
      return {
        run: async () => {
          await b.convTranspose(x, weight, w.options);
        },
        output: async () => (await b.convTranspose(x, weight, w.options)).data as Float32Array,
        dispose: () => {},
      };
    },
  });
  /** Operands uploaded once (as tfjs keeps its tensors on the GPU); `read` says whether each call reads its result back. */
  const resident = (read: boolean): PageEngine => ({
    name: read ? 'tconv-webgpu (resident, read back)' : 'tconv-webgpu (resident, chained)',
    runtime: 'WebGPU',
    cannot: () => undefined,
    async prepare(w, x, weight) {
      const gx = gpu.upload(x);
      const gw = gpu.upload(weight);
      return {
        // read back: what a caller waits for per layer; chained: the dispatch until the GPU is done
        run: async () => {
          const y = await gpu.convTransposeGpu(gx, gw, w.options);
          if (read) await gpu.read(y);
          else await gpu.device.queue.onSubmittedWorkDone();
          gpu.release(y);
        },
        output: async () => {
          const y = await gpu.convTransposeGpu(gx, gw, w.options);
          const t = await gpu.read(y);
          gpu.release(y);
          return t.data as Float32Array;
        },
        dispose: () => {
          gpu.release(gx);
          gpu.release(gw);
        },
      };
    },
  });
  const ortWebGpu = onnxruntimeWebGpuPeer(ort, ort.env.versions.web ?? '1.30.0');
  const ortWasm = createOnnxRuntimePeer(ort, {
    info: {
      name: 'onnxruntime-web-wasm',
      version: ort.env.versions.web ?? '1.30.0',
      runtime: 'WebAssembly (browser), 1 thread',
    },
    sessionOptions: { executionProviders: ['wasm'] },
  });
  const tfWebGpu = tfjsWebGpuPeer(tf);
  const wasmOf = (b: typeof wasm1) => ({ threads: b.threads, simd: true, relaxedSimd: b.relaxedSimd });
  return {
    adapter: gpu.adapter,
    features: {
      wasmSimd: wasmSimdSupported(),
      wasmRelaxedSimd: relaxedSimdSupported(),
      engines: {
        'tconv-wasm 1t': wasmOf(wasm1),
        [`tconv-wasm ${wasm2.threads}t`]: wasmOf(wasm2),
        'onnxruntime-web-wasm 1t': { threads: 1 },
      },
    },
    list: [
      tconvEngine('tconv-webgpu', gpu, 'WebGPU'),
      resident(true),
      resident(false),
      peerEngine(ortWebGpu, 'onnxruntime-web-webgpu', 'WebGPU'),
      peerEngine(tfWebGpu, 'tfjs-webgpu', 'WebGPU'),
      tconvEngine('tconv-wasm 1t', wasm1, 'WebAssembly'),
      tconvEngine(`tconv-wasm ${wasm2.threads}t`, wasm2, 'WebAssembly'),
      peerEngine(ortWasm, 'onnxruntime-web-wasm 1t', 'WebAssembly'),
    ],
    async close() {
      await Promise.all([
        ortWebGpu.dispose(),
        ortWasm.dispose(),
        tfWebGpu.dispose(),
        wasm1.dispose(),
        wasm2.dispose(),
      ]);
      await gpu.dispose();
    },
  };
}

/** An engine's call on a workload, checked against the definition: its row, and the call to time. */
interface Gated {
  row: BrowserRow;
  call?: Call;
  flops: number;
}

/** Prepares `e`'s call on `w` and checks its output against `expected` (the row says why not). */
async function gate(
  e: PageEngine,
  w: Workload,
  x: Tensor,
  weight: Tensor,
  expected: Float32Array | Float64Array,
): Promise<Gated> {
  const g = resolveConvTranspose(w.input, w.weight, w.options);
  const flops = geometryFlops(g);
  const base = { workload: w.name, engine: e.name, runtime: e.runtime, mflop: flops / 1e6 };
  const cannot = e.cannot(w);
  if (cannot) return { row: { ...base, ...NOT_TIMED, ok: false, note: `n/a: ${cannot}` }, flops };
  const scale = outputScale(expected);
  let call: Call | undefined;
  try {
    call = await e.prepare(w, x, weight);
    const out = await call.output();
    const maxError = maxAbsError(out, expected);
    const note = disagreement(maxError, scale);
    if (note !== undefined) {
      await call.dispose();
      return { row: { ...base, ...NOT_TIMED, ok: false, maxError, note }, flops };
    }
    return { row: { ...base, ...NOT_TIMED, ok: true, maxError }, call, flops };
  } catch (err) {
    await call?.dispose();
    return { row: { ...base, ...NOT_TIMED, ok: false, note: failureNote(err) }, flops };
  }
}

/**
 * The rows of one workload: every engine gated, then the ones that agree timed side by side,
 * interleaved (`measureInterleaved`: turns of two calls, the second timed), so the page's load
 * and the machine's drift hit every engine alike. An engine whose call fails while timed gets
 * the failure; the others go on.
 */
async function workloadRows(
  engines: readonly PageEngine[],
  w: Workload,
  quick: boolean,
): Promise<BrowserRow[]> {
  const { input, weight } = workloadTensors(w);
  const expected = referenceConvTranspose(input, weight, w.options).data;
  const gated: Gated[] = [];
  for (const e of engines) gated.push(await gate(e, w, input, weight, expected));
  const timed = gated.filter((g) => g.call !== undefined);
  const { runs, failures } = guarded(timed.map((t) => () => t.call!.run()));
  try {
    // slow engines (onnxruntime's WebGPU on SwiftShader: seconds a call) keep the rounds few
    const timings = await measureInterleaved(runs, quick ? 100 : 600, quick ? 2 : 5, quick ? 3 : 15);
    timed.forEach((t, i) => {
      t.row =
        failures[i] === undefined
          ? { ...t.row, ...timedFields(timings[i]!, t.flops), ok: true }
          : { ...t.row, ...NOT_TIMED, ok: false, note: failureNote(failures[i]) };
    });
  } finally {
    for (const t of timed) await t.call!.dispose();
  }
  return gated.map((g) => g.row);
}

/**
 * A fresh `tconv-webgpu` backend per workload (a new device: its pipelines compiled again), called
 * 2 + {@link STEADY_CALLS} times: what a page's first call on a layer costs against its steady
 * state. In the page's own realm (the browser may keep its shader cache across devices).
 */
async function webGpuFirstCalls(workloads: readonly Workload[]): Promise<FirstCallRow[]> {
  const rows: FirstCallRow[] = [];
  for (const w of workloads) {
    const { input, weight } = workloadTensors(w);
    const base = { workload: w.name, engine: 'tconv-webgpu', threads: 1 };
    try {
      const t0 = performance.now();
      const gpu = await createWebGpuBackend();
      const createMs = performance.now() - t0;
      const callMs: number[] = [];
      try {
        for (let i = 0; i < 2 + STEADY_CALLS; i++) {
          const s = performance.now();
          await gpu.convTranspose(input, weight, w.options);
          callMs.push(performance.now() - s);
        }
      } finally {
        await gpu.dispose();
      }
      rows.push(firstCallRow(base, { createMs, callMs, threads: 1 }, STEADY_CALLS));
    } catch (err) {
      rows.push(firstCallRow(base, null, STEADY_CALLS, err));
    }
    console.log(`tconv-bench-first-call ${JSON.stringify(rows[rows.length - 1])}`);
  }
  return rows;
}

async function bench(request: PageRequest): Promise<PageResult> {
  const { list, adapter, features, close } = await engines();
  const rows: BrowserRow[] = [];
  try {
    const workloads = WORKLOADS.filter(
      (w) => !request.workloads || request.workloads.some((f) => w.name.includes(f)),
    );
    const chosen = list.filter((e) => !request.engines || request.engines.some((f) => e.name.includes(f)));
    for (const w of workloads) {
      for (const row of await workloadRows(chosen, w, request.quick)) {
        rows.push(row);
        console.log(`tconv-bench-row ${JSON.stringify(row)}`);
      }
    }
  } finally {
    await close();
  }
  const workloads = WORKLOADS.filter(
    (w) => !request.workloads || request.workloads.some((f) => w.name.includes(f)),
  );
  const wantGpu = !request.engines || request.engines.some((f) => 'tconv-webgpu'.includes(f));
  const firstCall = wantGpu ? await webGpuFirstCalls(workloads) : [];
  return { adapter, userAgent: navigator.userAgent, features, rows, firstCall };
}

(globalThis as { tconvBench?: unknown }).tconvBench = { bench };
