// The worker pool: threads that share one WebAssembly memory, each with its own instance of the
// kernels. Every worker answers a readiness message before the pool exists, and any failure of a
// worker (an error, an exit, a message that cannot be read) fails the whole pool: the calls in
// flight reject with the reason, and so does every later call.
import type { KernelEntry } from './layout';
import type { WasmMemoryObject, WasmModuleObject } from './module';

/** What the pool needs of a worker: Node's worker_threads and the web's Worker both fit. */
interface PoolWorker {
  postMessage(message: unknown): void;
  terminate(): unknown;
}

type Reply = { id: number; error?: string } | { ready: true } | { ready: false; error: string };

// The workers' whole program: instantiate the kernels on the shared memory and say so (or say why
// not), then run the kernel a message names on the parameter block it points at. The calling
// thread has already written the operands and every part's parameters into the shared memory, so
// messages carry two numbers.
const PROGRAM = `
let kernels;
const describe = (e) => String((e && e.message) || e);
function handle(m) {
  if (m.module) {
    try {
      kernels = new WebAssembly.Instance(m.module, { env: { memory: m.memory } }).exports;
      reply({ ready: true });
    } catch (e) {
      reply({ ready: false, error: describe(e) });
    }
    return;
  }
  try {
    kernels[m.entry](m.params);
    reply({ id: m.id });
  } catch (e) {
    reply({ id: m.id, error: describe(e) });
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
  /** Runs `entry(params)` on worker `i`; resolves when it is done, rejects when the pool fails. */
  run(i: number, entry: KernelEntry, params: number): Promise<void>;
  /** Fails the pool with `reason` (pending runs reject with it) and stops every worker. */
  terminate(reason: Error): Promise<void>;
}

/** A worker with the events the pool listens to, in either host. */
interface Events {
  onReply(reply: Reply): void;
  onFailure(reason: string): void;
}

type NodeWorker = PoolWorker & {
  on(event: 'message', f: (m: Reply) => void): void;
  on(event: 'error', f: (e: unknown) => void): void;
  on(event: 'exit', f: (code: number) => void): void;
  on(event: 'messageerror', f: (e: unknown) => void): void;
  ref(): void;
  unref(): void;
};

const describe = (e: unknown): string =>
  e && typeof e === 'object' && 'message' in e ? String((e as { message: unknown }).message) : String(e);

async function startNodeWorkers(size: number, events: Events[]): Promise<NodeWorker[]> {
  // a specifier in a variable, so browser bundles do not try to resolve a Node built-in
  const nodeWorkers = 'node:worker_threads';
  const { Worker } = (await import(/* webpackIgnore: true */ /* @vite-ignore */ nodeWorkers)) as unknown as {
    Worker: new (code: string, options: { eval: true }) => NodeWorker;
  };
  const workers: NodeWorker[] = [];
  for (let i = 0; i < size; i++) {
    const worker = new Worker(NODE_WORKER, { eval: true });
    const on = events[i]!;
    worker.on('message', (m) => on.onReply(m));
    worker.on('error', (e) => on.onFailure(`worker ${i + 1} failed: ${describe(e)}`));
    worker.on('messageerror', (e) =>
      on.onFailure(`worker ${i + 1} got an unreadable message: ${describe(e)}`),
    );
    worker.on('exit', (code) => on.onFailure(`worker ${i + 1} exited (code ${code})`));
    worker.unref(); // idle workers do not keep the process alive
    workers.push(worker);
  }
  return workers;
}

function startWebWorkers(size: number, events: Events[]): PoolWorker[] {
  type WebWorker = PoolWorker & {
    onmessage: ((e: { data: Reply }) => void) | null;
    onerror: ((e: { message?: string; preventDefault?(): void }) => void) | null;
    onmessageerror: ((e: unknown) => void) | null;
  };
  const url = URL.createObjectURL(new Blob([WEB_WORKER], { type: 'text/javascript' }));
  const WebWorker = (globalThis as unknown as { Worker: new (url: string) => WebWorker }).Worker;
  const workers: PoolWorker[] = [];
  try {
    for (let i = 0; i < size; i++) {
      const worker = new WebWorker(url);
      const on = events[i]!;
      worker.onmessage = (e) => on.onReply(e.data);
      worker.onerror = (e) => {
        e.preventDefault?.(); // handled here: not an uncaught error of the page
        on.onFailure(`worker ${i + 1} failed: ${e.message ?? 'error event'}`);
      };
      worker.onmessageerror = () => on.onFailure(`worker ${i + 1} got an unreadable message`);
      workers.push(worker);
    }
  } finally {
    // the workers have the script by now (or fail through onerror)
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
  return workers;
}

/**
 * Starts `size` workers that instantiate `module` (compiled for an imported shared memory) on
 * `memory`, and resolves once every one has instantiated it. Rejects (after stopping them all) if
 * any cannot: an instantiation that traps, a worker that errors or exits. A failure after that
 * rejects the runs in flight, stops every worker and is reported to `onFailure` (not for
 * {@link WorkerPool.terminate}).
 */
export async function createWorkerPool(
  module: WasmModuleObject,
  memory: WasmMemoryObject,
  size: number,
  host: WorkerHost,
  onFailure: (reason: Error) => void = () => {},
): Promise<WorkerPool> {
  const pending = new Map<number, { worker: number; resolve: () => void; reject: (e: Error) => void }>();
  let failure: Error | null = null;
  let ready = 0;
  let started: { resolve: () => void; reject: (e: Error) => void } | null = null;
  const whenReady = new Promise<void>((resolve, reject) => {
    started = { resolve, reject };
  });
  let workers: PoolWorker[] = [];
  const busy = new Array<number>(size).fill(0);
  let setRef: (i: number, on: boolean) => void = () => {};

  let terminating = false;
  const fail = (reason: Error): void => {
    if (failure) return;
    failure = reason;
    if (!terminating && !started) onFailure(reason);
    for (const job of pending.values()) job.reject(reason);
    pending.clear();
    started?.reject(reason);
    for (const w of workers) void w.terminate();
  };
  const events: Events[] = Array.from({ length: size }, () => ({
    onReply(m: Reply) {
      if ('ready' in m) {
        if (!m.ready) fail(new Error(`wasm worker could not instantiate the kernels: ${m.error}`));
        else if (++ready === size) started?.resolve();
        return;
      }
      const job = pending.get(m.id);
      if (!job) return;
      pending.delete(m.id);
      if (--busy[job.worker]! === 0) setRef(job.worker, false);
      if (m.error !== undefined) job.reject(new Error(`wasm worker: ${m.error}`));
      else job.resolve();
    },
    onFailure(reason: string) {
      fail(new Error(`wasm backend failed: ${reason}`));
    },
  }));

  if (host === 'node') {
    const nodeWorkers = await startNodeWorkers(size, events);
    workers = nodeWorkers;
    setRef = (i, on) => (on ? nodeWorkers[i]!.ref() : nodeWorkers[i]!.unref());
  } else {
    workers = startWebWorkers(size, events);
  }
  for (const worker of workers) worker.postMessage({ module, memory });
  if (size === 0) started!.resolve();
  // the workers are referenced while they instantiate, so a pending readiness keeps Node alive
  for (let i = 0; i < size; i++) setRef(i, true);
  try {
    await whenReady;
  } finally {
    for (let i = 0; i < size; i++) setRef(i, false);
  }
  started = null;

  let nextId = 0;
  return {
    size,
    run(i, entry, params) {
      if (failure) return Promise.reject(failure);
      const worker = workers[i]!;
      return new Promise<void>((resolve, reject) => {
        const id = nextId++;
        if (busy[i]!++ === 0) setRef(i, true);
        pending.set(id, { worker: i, resolve, reject });
        worker.postMessage({ id, entry, params });
      });
    },
    async terminate(reason) {
      terminating = true;
      fail(reason);
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
