import type { KernelGeometry, KernelPlan } from './kernel-runner';
import { COLS_ELEMENTS, kernelLayout, runKernel } from './kernel-runner';
import { PANEL_ELEMENTS } from './phase-plan';

/** One piece of a call: output channels [c0, c1) of every group. */
export interface Job {
  kind: 'convTranspose' | 'conv';
  g: KernelGeometry;
  x: Float32Array;
  w: Float32Array;
  bias: Float32Array | null;
  /** The stride-phase plan when the call goes through the phase kernel. */
  plan: KernelPlan | null;
  c0: number;
  c1: number;
}

interface PoolWorker {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (m: { id: number; out?: Float32Array; error?: string }) => void): void;
  ref(): void;
  unref(): void;
  terminate(): Promise<number>;
}

// The worker's whole program: the two self-contained kernel functions, as source text, plus a
// message loop. Evaluated (no file to locate), so it runs the same from src, dist or a bundle.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const kernelLayout = ${kernelLayout.toString()};
const runKernel = ${runKernel.toString()};
let exports;
parentPort.on('message', (m) => {
  try {
    if (m.module) { exports = new WebAssembly.Instance(m.module, {}).exports; return; }
    const layout = kernelLayout(m.kind, m.g, !!m.bias, m.c0, m.c1, exports.heapBase(), m.colsLimit, m.plan, m.panelLimit);
    const out = runKernel(exports, m.kind, m.g, m.x, m.w, m.bias, m.c0, m.c1, layout, m.plan);
    parentPort.postMessage({ id: m.id, out }, [out.buffer]);
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: String((e && e.message) || e) });
  }
});
`;

/** A fixed pool of worker threads, each with its own instance of the kernels. */
export interface WorkerPool {
  readonly size: number;
  run(jobs: readonly Job[]): Promise<Float32Array[]>;
  terminate(): Promise<void>;
}

/** Starts `size` worker threads (Node's worker_threads) sharing one compiled module. */
export async function createWorkerPool(module: WebAssembly.Module, size: number): Promise<WorkerPool> {
  const { Worker } = (await import('node:worker_threads')) as unknown as {
    Worker: new (code: string, options: { eval: true }) => PoolWorker;
  };
  const workers: PoolWorker[] = [];
  const pending = new Map<
    number,
    { resolve: (out: Float32Array) => void; reject: (e: Error) => void; worker: PoolWorker }
  >();
  let nextId = 0;
  for (let i = 0; i < size; i++) {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.on('message', (m) => {
      const job = pending.get(m.id);
      if (!job) return;
      pending.delete(m.id);
      if (![...pending.values()].some((p) => p.worker === worker)) worker.unref();
      if (m.error !== undefined || !m.out) job.reject(new Error(`wasm worker: ${m.error}`));
      else job.resolve(m.out);
    });
    worker.postMessage({ module });
    worker.unref();
    workers.push(worker);
  }
  return {
    size,
    run(jobs) {
      return Promise.all(
        jobs.map(
          (job, i) =>
            new Promise<Float32Array>((resolve, reject) => {
              const worker = workers[i % workers.length]!;
              const id = nextId++;
              pending.set(id, { resolve, reject, worker });
              worker.ref();
              worker.postMessage({ id, colsLimit: COLS_ELEMENTS, panelLimit: PANEL_ELEMENTS, ...job });
            }),
        ),
      );
    },
    async terminate() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
