import type { KernelEntry } from './kernel-runner';

/** What the pool needs of a worker: Node's worker_threads and the web's Worker both fit. */
interface PoolWorker {
  postMessage(message: unknown): void;
  terminate(): unknown;
}

type Reply = { id: number; error?: string };

// The workers' whole program: instantiate the kernels on the shared memory, then run the kernel a
// message names on the parameter block it points at. The calling thread has already written the
// operands and every part's parameters into the shared memory, so messages carry two numbers.
const PROGRAM = `
let kernels;
function handle(m) {
  if (m.module) {
    kernels = new WebAssembly.Instance(m.module, { env: { memory: m.memory } }).exports;
    return;
  }
  try {
    kernels[m.entry](m.params);
    reply({ id: m.id });
  } catch (e) {
    reply({ id: m.id, error: String((e && e.message) || e) });
  }
}
`;
const NODE_WORKER = `const { parentPort } = require('node:worker_threads');
const reply = (m) => parentPort.postMessage(m);
${PROGRAM}
parentPort.on('message', handle);`;
const WEB_WORKER = `const reply = (m) => self.postMessage(m);
${PROGRAM}
self.onmessage = (e) => handle(e.data);`;

/** Where workers come from: Node's worker_threads, or the web's `Worker` (browsers, Deno). */
export type WorkerHost = 'node' | 'web';

/** The host this runtime offers: Node's worker_threads under Node, else a global `Worker`. */
export function workerHost(): WorkerHost | null {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  if (proc?.versions?.node) return 'node';
  return typeof (globalThis as { Worker?: unknown }).Worker === 'function' ? 'web' : null;
}

/** Worker threads sharing one WebAssembly memory, each with its own instance of the kernels. */
export interface WorkerPool {
  readonly size: number;
  /** Runs `entry(params)` on worker `i`; resolves when it is done. */
  run(i: number, entry: KernelEntry, params: number): Promise<void>;
  terminate(): Promise<void>;
}

/**
 * Starts `size` workers that instantiate `module` (compiled for an imported shared memory) on
 * `memory`. The workers never copy anything: operands, parameters and results live in the memory.
 */
export async function createWorkerPool(
  module: WebAssembly.Module,
  memory: WebAssembly.Memory,
  size: number,
  host: WorkerHost,
): Promise<WorkerPool> {
  const pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  const onReply = (m: Reply) => {
    const job = pending.get(m.id);
    if (!job) return;
    pending.delete(m.id);
    if (m.error !== undefined) job.reject(new Error(`wasm worker: ${m.error}`));
    else job.resolve();
  };
  const workers: PoolWorker[] = [];
  let setRef: (worker: PoolWorker, busy: boolean) => void = () => {};
  if (host === 'node') {
    // a specifier in a variable, so browser bundles do not try to resolve a Node built-in
    const nodeWorkers = 'node:worker_threads';
    const { Worker } = (await import(
      /* webpackIgnore: true */ /* @vite-ignore */ nodeWorkers
    )) as unknown as {
      Worker: new (
        code: string,
        options: { eval: true },
      ) => PoolWorker & {
        on(event: 'message', f: (m: Reply) => void): void;
        ref(): void;
        unref(): void;
      };
    };
    for (let i = 0; i < size; i++) {
      const worker = new Worker(NODE_WORKER, { eval: true });
      worker.on('message', onReply);
      worker.unref(); // idle workers do not keep the process alive
      workers.push(worker);
    }
    setRef = (worker, busy) => {
      const w = worker as unknown as { ref(): void; unref(): void };
      if (busy) w.ref();
      else w.unref();
    };
  } else {
    const url = URL.createObjectURL(new Blob([WEB_WORKER], { type: 'text/javascript' }));
    const WebWorker = (
      globalThis as unknown as { Worker: new (url: string) => PoolWorker & { onmessage: unknown } }
    ).Worker;
    for (let i = 0; i < size; i++) {
      const worker = new WebWorker(url);
      worker.onmessage = (e: { data: Reply }) => onReply(e.data);
      workers.push(worker);
    }
    URL.revokeObjectURL(url);
  }
  for (const worker of workers) worker.postMessage({ module, memory });
  let nextId = 0;
  return {
    size,
    run(i, entry, params) {
      const worker = workers[i]!;
      return new Promise<void>((resolve, reject) => {
        const id = nextId++;
        setRef(worker, true);
        pending.set(id, {
          resolve: () => {
            setRef(worker, false);
            resolve();
          },
          reject: (e) => {
            setRef(worker, false);
            reject(e);
          },
        });
        worker.postMessage({ id, entry, params });
      });
    },
    async terminate() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
