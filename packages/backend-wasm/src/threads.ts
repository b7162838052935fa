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

type Reply =
  | { id: number; error?: string; out?: Float32Array }
  | { ready: true }
  | { ready: false; error: string };

/**
 * The functions `module` exports, in its order: a task names its kernel by the index here (the
 * calling thread and every worker read the same list off the same module).
 */
function entryNames(module: WasmModuleObject): string[] {
  return WebAssembly.Module.exports(module as WebAssembly.Module)
    .filter((e) => e.kind === 'function')
    .map((e) => e.name);
}

// The control words of worker i: CONTROL_WORDS Int32 words from i · CONTROL_WORDS (256 bytes, so
// two workers' words never share a cache line) in a SharedArrayBuffer of their own.
/** 0: the worker is in its event loop; 1: it spins for a task; 2: a task is posted. */
const STATE = 0;
/** The posted task's id, and its parts: COUNT pairs (entry index, parameter block) from PARTS. */
const ID = 1;
const COUNT = 2;
/** The id of the last task the worker finished, and whether it failed (the reply says how). */
const DONE = 3;
const FAILED = 4;
/** A range of floats to scan after the parts (bytes from 0, count), and how many were not finite. */
const SCAN_AT = 5;
const SCAN_LENGTH = 6;
const NON_FINITE = 7;
/** A range of floats the worker copies out after the scan and hands over with its reply (bytes from 0, count). */
const COPY_AT = 8;
const COPY_LENGTH = 9;
const PARTS = 10;
const CONTROL_WORDS = 64;
const MAX_PARTS = (CONTROL_WORDS - PARTS) / 2;

/**
 * How long a worker sleeps on its control words (`Atomics.wait`: no CPU) for its next task before
 * it goes back to its event loop, in ms. A task posted there wakes it with `Atomics.notify`, which
 * is 2–3× quicker than a message (median round trip 0.03–0.09 ms against 0.07–0.23 ms, 2-core KVM
 * EPYC); spinning instead would be quicker still on an idle machine, but measured 2–3× slower calls
 * on a loaded one, where the spinning thread takes the core the working one needs.
 */
export const WORKER_IDLE_MS = 100;

/**
 * After a task whose parts took at least {@link SPIN_AFTER_MS}, a worker spins for the next one (no
 * sleep) for this many ms before it sleeps on its words (the default of the backend's
 * `workerSpinMs`); after a shorter one, as long as it took.
 * Why: a thread woken after its vCPU has idled may be run on the waking thread's vCPU instead —
 * on the project's VM (a Firecracker guest whose kernel packs tasks onto few vCPUs:
 * `sched_vcpu_pack` on its command line) a worker woken after ~10 ms of idleness shared the calling
 * thread's vCPU, and the two halves of a split call ran one after the other: a bare two-thread
 * wake-up test with 3 ms of work on each thread took 3.1 ms back to back, 5.0–5.6 ms with gaps of
 * 10–20 ms. Spinning keeps the worker's vCPU busy across the short gaps of a loop or of a network's
 * other layers: dcgan-16to32, pairs of calls 8 ms apart, 2 threads ÷ 1: 1.20× without, 1.65× with
 * 5 ms (2-core AMD EPYC); gaps of 20 ms gain little. The cost: up to 5 ms of a core after each call
 * that splits (20 MFLOP or more by default), none for small ones (onnxruntime's threads spin
 * ~40–50 ms after every call).
 */
export const WORKER_SPIN_MS = 5;

/** A task's parts taking at least this many ms are followed by the full {@link WORKER_SPIN_MS}. */
export const SPIN_AFTER_MS = 0.25;

// The workers' whole program: instantiate the kernels on the shared memory and say so (or say why
// not); then, woken by a message, wait on its control words for tasks (the parameter blocks the
// calling thread has written into the shared memory) — spinning first, after a task, for up to
// WORKER_SPIN_MS — run each, and go back to the event loop after WORKER_IDLE_MS without one. Every
// task is also answered by a message (with the error if it failed), which is how the calling thread
// learns of it when it does not wait on the words itself; a task with a range to copy out carries
// the copy in that message, its buffer transferred (moved, not copied again).
const PROGRAM = `
let kernels, memory, ctrl, base, entries, spinMs;
const describe = (e) => String((e && e.message) || e);
function handle(m) {
  if (m.module) {
    try {
      kernels = new WebAssembly.Instance(m.module, { env: { memory: m.memory } }).exports;
      memory = m.memory;
      ctrl = new Int32Array(m.control);
      base = m.index * ${CONTROL_WORDS};
      entries = m.entries;
      spinMs = m.spinMs;
      reply({ ready: true });
    } catch (e) {
      reply({ ready: false, error: describe(e) });
    }
    return;
  }
  if (m.listen) listen();
}
function listen() {
  Atomics.compareExchange(ctrl, base + ${STATE}, 0, 1);
  let spin = 0;
  for (;;) {
    const until = performance.now() + spin;
    while (Atomics.load(ctrl, base + ${STATE}) !== 2 && performance.now() < until);
    while (Atomics.load(ctrl, base + ${STATE}) !== 2) {
      if (
        Atomics.wait(ctrl, base + ${STATE}, 1, ${WORKER_IDLE_MS}) === 'timed-out' &&
        Atomics.compareExchange(ctrl, base + ${STATE}, 1, 0) === 1
      )
        return;
    }
    const id = ctrl[base + ${ID}];
    const count = ctrl[base + ${COUNT}];
    let error;
    let out;
    try {
      const started = performance.now();
      for (let k = 0; k < count; k++) {
        kernels[entries[ctrl[base + ${PARTS} + 2 * k]]](ctrl[base + ${PARTS} + 2 * k + 1]);
      }
      // a scan alone (no parts) follows a call's parts: it keeps the spin of those
      if (count > 0) {
        const took = performance.now() - started;
        spin = took >= ${SPIN_AFTER_MS} ? spinMs : Math.min(took, spinMs);
      }
      const length = ctrl[base + ${SCAN_LENGTH}];
      if (length > 0) Atomics.store(ctrl, base + ${NON_FINITE}, kernels.nonFinite(ctrl[base + ${SCAN_AT}], length));
      const copy = ctrl[base + ${COPY_LENGTH}];
      // the constructor's copy: slice() would zero-fill the new buffer first
      if (copy > 0) out = new Float32Array(new Float32Array(memory.buffer, ctrl[base + ${COPY_AT}], copy));
    } catch (e) {
      out = undefined;
      error = describe(e);
    }
    Atomics.store(ctrl, base + ${STATE}, 1);
    Atomics.store(ctrl, base + ${FAILED}, error === undefined ? 0 : 1);
    Atomics.store(ctrl, base + ${DONE}, id);
    Atomics.notify(ctrl, base + ${DONE});
    if (error !== undefined) reply({ id, error });
    else if (out) reply({ id, out }, [out.buffer]);
    else reply({ id });
  }
}
`;
const NODE_WORKER = `const { parentPort } = require('node:worker_threads');
const reply = (m, transfer) => parentPort.postMessage(m, transfer);
${PROGRAM}
parentPort.on('message', handle);`;
const WEB_WORKER = `const reply = (m, transfer) => self.postMessage(m, transfer);
${PROGRAM}
self.onmessage = (e) => handle(e.data);`;

/**
 * How long the calling thread waits on a worker's control words for its result, at most, in ms,
 * where it may block (Node): parts are balanced, so the workers finish about when it does.
 */
export const CALLER_WAIT_MS = 20;

/** How long a thread that may not block (a browser's main thread) spins for a worker's result. */
export const CALLER_SPIN_MS = 2;

/** Whether this thread may block in `Atomics.wait` (a browser's main thread may not). */
function mayBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/** Where workers come from: Node's worker_threads, or the web's `Worker` (browsers, Deno). */
export type WorkerHost = 'node' | 'web';

/** The host this runtime offers: Node's worker_threads under Node, else a global `Worker`. */
export function workerHost(): WorkerHost | null {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  if (proc?.versions?.node) return 'node';
  return typeof (globalThis as { Worker?: unknown }).Worker === 'function' ? 'web' : null;
}

/** One part of a task for a worker: the kernel and the address of its parameter block. */
export interface WorkerPart {
  readonly entry: KernelEntry;
  readonly at: number;
}

/** Floats in the shared memory: the byte offset of the first, and how many. */
export interface ScanRange {
  readonly at: number;
  readonly length: number;
}

/** A task handed to a worker: its id, and a promise settled by the worker's reply. */
export interface WorkerTicket {
  readonly id: number;
  /**
   * Resolves when the worker answers that it is done — with the floats it copied out, for a task
   * given a range to copy, else null; rejects with its error or the pool's failure.
   */
  readonly done: Promise<Float32Array | null>;
}

/** Worker threads sharing one WebAssembly memory, each with its own instance of the kernels. */
export interface WorkerPool {
  readonly size: number;
  /**
   * Wakes the workers that are in their event loop so they spin for a task: called at the start of
   * a job, their wake-up overlaps the copies of its operands.
   */
  wake(): void;
  /**
   * Hands `parts` (run in order) to worker `i`, then a `scan` of floats for non-finite values
   * (see {@link WorkerPool.nonFinite}), then a `copy` of floats out of the shared memory, which the
   * ticket resolves to (the worker copies them while the calling thread works: its reply moves the
   * buffer over); rejects when they fail or the pool fails.
   */
  run(i: number, parts: readonly WorkerPart[], scan?: ScanRange, copy?: ScanRange): WorkerTicket;
  /** How many floats of worker `i`'s last finished scan were not finite. */
  nonFinite(i: number): number;
  /**
   * Whether worker `i` finishes task `id` without an error within `ms` (the caller blocks on the
   * shared control words where it may, as in Node; a browser's main thread, which may not block,
   * spins for at most {@link CALLER_SPIN_MS} of them). False if it fails or takes longer: the
   * caller then waits for the reply (a worker that died cannot answer on the words).
   */
  finishedWithin(i: number, id: number, ms: number): boolean;
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
 * {@link WorkerPool.terminate}). `spinMs`: how long a worker spins for its next task after one
 * ({@link WORKER_SPIN_MS}).
 */
export async function createWorkerPool(
  module: WasmModuleObject,
  memory: WasmMemoryObject,
  size: number,
  host: WorkerHost,
  onFailure: (reason: Error) => void = () => {},
  spinMs: number = WORKER_SPIN_MS,
): Promise<WorkerPool> {
  const pending = new Map<
    number,
    { worker: number; resolve: (out: Float32Array | null) => void; reject: (e: Error) => void }
  >();
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
      else job.resolve(m.out ?? null);
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
  const control = new SharedArrayBuffer(Math.max(1, size) * CONTROL_WORDS * 4);
  const ctrl = new Int32Array(control);
  const entries = entryNames(module);
  workers.forEach((worker, index) => worker.postMessage({ module, memory, control, index, entries, spinMs }));
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
  const canBlock = mayBlock();
  const callerSpinMs = CALLER_SPIN_MS;
  const post = (i: number, message: unknown): void => {
    try {
      workers[i]!.postMessage(message);
    } catch (e) {
      fail(new Error(`wasm backend failed: worker ${i + 1} cannot be reached: ${describe(e)}`));
    }
  };
  return {
    size,
    wake() {
      if (failure) return;
      for (let i = 0; i < size; i++) {
        if (Atomics.load(ctrl, i * CONTROL_WORDS + STATE) === 0) post(i, { listen: true });
      }
    },
    run(i, parts, scan, copy) {
      const id = ++nextId;
      if (failure) return { id, done: Promise.reject(failure) };
      const done = new Promise<Float32Array | null>((resolve, reject) => {
        if (busy[i]!++ === 0) setRef(i, true);
        pending.set(id, { worker: i, resolve, reject });
      });
      if (parts.length > MAX_PARTS) {
        fail(new Error(`wasm backend: ${parts.length} parts for one worker (at most ${MAX_PARTS})`));
        return { id, done };
      }
      const at = i * CONTROL_WORDS;
      ctrl[at + ID] = id;
      ctrl[at + COUNT] = parts.length;
      ctrl[at + SCAN_AT] = scan?.at ?? 0;
      ctrl[at + SCAN_LENGTH] = scan?.length ?? 0;
      ctrl[at + COPY_AT] = copy?.at ?? 0;
      ctrl[at + COPY_LENGTH] = copy?.length ?? 0;
      parts.forEach((part, k) => {
        ctrl[at + PARTS + 2 * k] = entries.indexOf(part.entry);
        ctrl[at + PARTS + 2 * k + 1] = part.at;
      });
      // posted: a waiting worker is notified; one in its event loop is woken by a message
      if (Atomics.exchange(ctrl, at + STATE, 2) === 0) post(i, { listen: true });
      else Atomics.notify(ctrl, at + STATE);
      return { id, done };
    },
    nonFinite(i) {
      return Atomics.load(ctrl, i * CONTROL_WORDS + NON_FINITE);
    },
    finishedWithin(i, id, ms) {
      const at = i * CONTROL_WORDS;
      const deadline = performance.now() + (canBlock ? ms : Math.min(ms, callerSpinMs));
      for (;;) {
        const done = Atomics.load(ctrl, at + DONE);
        if (done === id) return Atomics.load(ctrl, at + FAILED) === 0;
        const left = deadline - performance.now();
        if (left <= 0) return false;
        // a thread that may block sleeps until the worker's notify; a browser's main thread spins
        if (canBlock) Atomics.wait(ctrl, at + DONE, done, left);
      }
    },
    async terminate(reason) {
      terminating = true;
      fail(reason);
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
