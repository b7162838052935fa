// The WebAssembly backend object: instantiation (kernels, shared memory, workers), and the four
// operations as validate (core) → plan (plan.ts) → dispatch (dispatch.ts).
import type {
  Backend,
  ConvGeometry,
  ConvOptions,
  ConvTransposeGeometry,
  ConvTransposeOptions,
  Gradients,
  KernelCalibrator,
  KernelTrial,
  Tensor,
} from '@tconv/core';
import {
  createCalibrator,
  isFloatArray,
  prepareConv,
  prepareConvBackward,
  prepareConvTranspose,
  prepareConvTransposeBackward,
  shapeClassKey,
} from '@tconv/core';
import type { Dispatcher } from './dispatch';
import { createDispatcher } from './dispatch';
import type { WasmConvTransposeKernel } from './kernel-choice';
import { convTransposeCandidates, splitThresholds } from './kernel-choice';
import type { Job, KernelExports } from './layout';
import { MAX_WASM_BYTES } from './limits';
import type { WasmModuleObject } from './module';
import { compileWasm, instantiateKernels, isWarm, markWarm, relaxedSimdSupported } from './module';
import type { ParsedOptions, WasmBackendOptions } from './options';
import { parseOptions } from './options';
import { layoutChecksum } from './param-layout';
import type { PlanContext } from './plan';
import { planBackward, planForward } from './plan';
import type { WorkerPool } from './threads';
import { createWorkerPool, workerHost } from './threads';
import { warmUp, warmUpThreads } from './warm-up';

const CAPABILITIES = { dtypes: ['float32'] } as const;
/** What core's prepare* check calls against: float64 is rejected there, naming this backend. */
const DECLARED = { name: 'wasm', capabilities: CAPABILITIES };

/** The WebAssembly backend: asynchronous, float32, any spatial rank, both gradients. */
export interface WasmBackend extends Backend {
  convTranspose(input: Tensor, weight: Tensor, options?: ConvTransposeOptions): Promise<Tensor>;
  conv(input: Tensor, weight: Tensor, options?: ConvOptions): Promise<Tensor>;
  convTransposeBackward(
    gradOutput: Tensor,
    input: Tensor,
    weight: Tensor,
    options?: ConvTransposeOptions,
  ): Promise<Gradients>;
  convBackward(gradOutput: Tensor, input: Tensor, weight: Tensor, options?: ConvOptions): Promise<Gradients>;
  /** Threads a large call is split over (1 when `SharedArrayBuffer` or workers are unavailable). */
  readonly threads: number;
  /** Whether the embedded relaxed-SIMD kernels (fused multiply-add) run this backend's calls. */
  readonly relaxedSimd: boolean;
  /**
   * Stops the worker threads and releases the memory. Calls still pending reject with "backend
   * disposed", and so does every later call.
   */
  dispose(): Promise<void>;
}

/** Whether this runtime can share a WebAssembly memory between threads. */
function canShareMemory(): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  return isolated !== false;
}

/** A running instance: the kernels on their memory, and the workers when there are threads. */
interface Instance {
  readonly exports: KernelExports;
  readonly memory: WebAssembly.Memory;
  readonly pool: WorkerPool | null;
  readonly threads: number;
  readonly relaxedSimd: boolean;
  /** The compiled kernels (whether a warm-up ran on them is recorded per module). */
  readonly module: WasmModuleObject;
}

/**
 * Compiles and instantiates the kernels (and with threads the workers, each answering that it is
 * ready); a worker failure later calls `onFailure`.
 */
async function instantiate(opts: ParsedOptions, onFailure: (reason: Error) => void): Promise<Instance> {
  const host = opts.threads > 1 && canShareMemory() ? (opts.workerHost ?? workerHost()) : null;
  if (!host) {
    const relaxedSimd = opts.relaxedSimd && opts.module === undefined;
    const module = await compileWasm(opts.module, false, 'module', relaxedSimd);
    const { exports, memory } = await instantiateKernels(module, 'module', null, layoutChecksum());
    return { exports, memory, pool: null, threads: 1, relaxedSimd, module };
  }
  const relaxedSimd = opts.relaxedSimd && opts.sharedModule === undefined;
  const module = await compileWasm(opts.sharedModule, true, 'sharedModule', relaxedSimd);
  const shared = new WebAssembly.Memory({ initial: 1, maximum: MAX_WASM_BYTES / 65536, shared: true });
  const { exports, memory } = await instantiateKernels(module, 'sharedModule', shared, layoutChecksum());
  const pool = await createWorkerPool(
    module as WebAssembly.Module,
    memory,
    opts.threads - 1,
    host,
    onFailure,
    opts.workerSpinMs,
  );
  return { exports, memory, pool, threads: opts.threads, relaxedSimd, module };
}

/** A backend's calibrators: of the kernel, and of a forward call's thread split. */
export interface Calibrators {
  readonly kernels?: KernelCalibrator<WasmConvTransposeKernel>;
  readonly splits?: KernelCalibrator<'rule' | 'flipped'>;
}

/**
 * The four operations on one instance, through one dispatcher, with the kernel and split choices
 * of `calibrators` (the instance's own; created from the options when not given).
 */
function backendOn(
  instance: Instance,
  dispatcher: Dispatcher,
  opts: ParsedOptions,
  calibrators: Calibrators = {},
): WasmBackend {
  const calibrator =
    calibrators.kernels ?? createCalibrator<WasmConvTransposeKernel>({ enabled: opts.calibrate });
  const splits = calibrators.splits ?? createCalibrator<'rule' | 'flipped'>({ enabled: calibrator.enabled });
  // the calibration trial of the job being planned, if it is to be timed; and this backend's jobs
  // in flight: a job planned while another runs waits for it, so its time would not be its own
  const planning: { trial: KernelTrial<string> | null } = { trial: null };
  let inFlight = 0;
  function chooseKernel(g: ConvTransposeGeometry, call: 'forward' | 'backward'): WasmConvTransposeKernel {
    const candidates = convTransposeCandidates(g);
    if (!calibrator.enabled || candidates.length === 1) return candidates[0]!;
    const trial = calibrator.choose(shapeClassKey(g, call), candidates);
    if (trial.measuring && inFlight === 0) planning.trial = trial;
    return trial.kernel;
  }
  // the thread split of a forward call, calibrated once its kernel is settled (one dimension at a
  // time, so each job times one choice): the rule's threshold or the one that flips it
  function chooseThreshold(g: ConvTransposeGeometry | ConvGeometry): number {
    const thresholds = splitThresholds(g, instance.threads, opts.threadThreshold);
    if (!splits.enabled || opts.kernel !== undefined || thresholds.length === 1) return opts.threadThreshold;
    if (g.kind === 'convTranspose' && convTransposeCandidates(g).length > 1) {
      if (calibrator.state(shapeClassKey(g, 'forward'))?.committed === undefined) return opts.threadThreshold;
    }
    const trial = splits.choose(shapeClassKey(g, 'forward', 'split'), ['rule', 'flipped']);
    if (trial.measuring && inFlight === 0) planning.trial = trial;
    return trial.kernel === 'rule' ? thresholds[0]! : thresholds[1]!;
  }
  /** The trial `chooseKernel` left for the job just planned (and none for the next). */
  function takeTrial(): KernelTrial<string> | null {
    const trial = planning.trial;
    planning.trial = null;
    return trial;
  }
  /**
   * Plans and runs a job; a timed trial ends with the job's outputs (the job ran at once: nothing
   * of this backend was in flight, so the time is the job's, give or take a few microtasks).
   */
  async function submit(plan: () => Job): Promise<Float32Array[]> {
    planning.trial = null;
    const job = plan();
    const trial = takeTrial();
    inFlight++;
    try {
      const outputs = await dispatcher.submit(job);
      trial?.finish();
      return outputs;
    } finally {
      inFlight--;
    }
  }
  const ctx: PlanContext = {
    chooseKernel,
    chooseThreshold,
    heapBase: instance.exports.heapBase(),
    threads: instance.threads,
    threadThreshold: opts.threadThreshold,
    kernel: opts.kernel,
    plans: new Map(),
    layouts: new Map(),
  };
  const f32 = (a: unknown) => a as Float32Array;
  async function forward(g: ConvTransposeGeometry | ConvGeometry, x: Tensor, w: Tensor, bias: unknown) {
    const [out] = await submit(() => planForward(g, f32(x.data), f32(w.data), f32(bias), ctx));
    return { shape: g.outputShape, data: out! };
  }
  async function backward(g: ConvTransposeGeometry | ConvGeometry, gy: Tensor, x: Tensor, w: Tensor) {
    // the bias gradient is the job's third output, summed from gradOutput as copied at the call
    const [dx, dw, db] = await submit(() => planBackward(g, f32(gy.data), f32(x.data), f32(w.data), ctx));
    return {
      input: { shape: g.inputShape, data: dx! },
      weight: { shape: g.weightShape, data: dw! },
      bias: { shape: [g.outChannels], data: db! },
    };
  }
  return {
    name: instance.threads > 1 ? `wasm-${instance.threads}t` : 'wasm',
    capabilities: CAPABILITIES,
    threads: instance.threads,
    relaxedSimd: instance.relaxedSimd,
    async convTranspose(input, weight, options) {
      const { geometry, bias } = prepareConvTranspose(input, weight, options, DECLARED);
      return forward(geometry, input, weight, bias);
    },
    async conv(input, weight, options) {
      const { geometry, bias } = prepareConv(input, weight, options, DECLARED);
      return forward(geometry, input, weight, bias);
    },
    async convTransposeBackward(gradOutput, input, weight, options) {
      const { geometry } = prepareConvTransposeBackward(gradOutput, input, weight, options, DECLARED);
      return backward(geometry, gradOutput, input, weight);
    },
    async convBackward(gradOutput, input, weight, options) {
      const { geometry } = prepareConvBackward(gradOutput, input, weight, options, DECLARED);
      return backward(geometry, gradOutput, input, weight);
    },
    async dispose() {
      const reason = new Error('backend disposed');
      dispatcher.close(reason);
      await instance.pool?.terminate(reason);
    },
  };
}

/**
 * Compiles and instantiates the kernels once and returns a backend. With `threads > 1` (and
 * `SharedArrayBuffer`), large calls split between the calling thread and `threads − 1` workers
 * that share one memory — by output channels of each group, else groups, batch items, input
 * channels or (the lanes kernel, few output channels) stride phases; a forward bound by its weight
 * copy splits its input channels (the README's Threads section): the operands are copied in once,
 * each thread writes its own part, nothing is copied between threads. Results are identical to one
 * thread, except the input-channel split and a backward's batch-split weight gradient (their
 * partial sums are added in another order). Resolves once every worker has instantiated the kernels; a worker that fails (now or
 * later) rejects the calls in flight and every later call with the reason. The first backend of a
 * realm also runs every kernel on small problems before it resolves (`warmUp`, default true), and
 * every threaded backend the same probes split over its own workers, so its first call runs V8's
 * optimized code instead of its baseline code (src/warm-up.ts).
 * @example
 * ```ts
 * import { tensor } from '@tconv/core';
 * import { createWasmBackend } from '@tconv/backend-wasm';
 * const wasm = await createWasmBackend({ threads: 2 });
 * const x = tensor(new Float32Array(1 * 8 * 16 * 16).fill(1), [1, 8, 16, 16]);
 * const w = tensor(new Float32Array(8 * 4 * 4 * 4).fill(0.5), [8, 4, 4, 4]);
 * const y = await wasm.convTranspose(x, w, { stride: 2, padding: 1 }); // [1, 4, 32, 32]
 * await wasm.dispose();
 * ```
 */
export async function createWasmBackend(options?: WasmBackendOptions): Promise<WasmBackend> {
  return createWasmBackendWith(options);
}

/**
 * {@link createWasmBackend} with the kernel and split choices on `calibrators` (for this package's
 * tests, which inject them with a scripted clock and read their state; on neither entry point).
 */
export async function createWasmBackendWith(
  options: WasmBackendOptions | undefined,
  calibrators?: Calibrators,
): Promise<WasmBackend> {
  const opts = parseOptions(options);
  let dispatcher: Dispatcher | null = null;
  let early: Error | null = null;
  const instance = await instantiate(opts, (reason) => {
    if (dispatcher) dispatcher.close(reason);
    else early = reason;
  });
  dispatcher = createDispatcher(instance.exports, instance.memory, instance.pool);
  if (early) dispatcher.close(early);
  const backend = backendOn(instance, dispatcher, opts, calibrators);
  const threads = warmUpThreads(opts.warmUp, isWarm(instance.module), instance.threads);
  if (threads.callingThread || threads.workers) {
    const on = dispatcher;
    // a failure here (a worker that dies) is the backend's: its calls reject with the reason
    await warmUp(
      (kernel, split) =>
        backendOn(instance, on, {
          ...opts,
          kernel,
          calibrate: false,
          threadThreshold: split ? 0 : Number.POSITIVE_INFINITY,
        }),
      threads,
    ).then(
      () => {
        if (threads.callingThread) markWarm(instance.module);
      },
      () => {},
    );
  }
  return backend;
}

let shared: Promise<WasmBackend> | null = null;
let ready: WasmBackend | null = null;

/** The one-thread backend behind {@link wasmBackend}, created on first use (again after a failure). */
function sharedBackend(): Promise<WasmBackend> {
  if (!shared) {
    // no warm-up: this backend is created by its first call, which a warm-up would only delay
    const created = createWasmBackend({ warmUp: false });
    shared = created;
    created.then(
      (backend) => {
        if (shared === created) ready = backend;
      },
      () => {
        if (shared === created) shared = null;
      },
    );
  }
  return shared;
}

/** A copy of a tensor's data (when it is a float array: otherwise validation rejects it later). */
const pinned = (t: Tensor): Tensor => (isFloatArray(t?.data) ? { shape: t.shape, data: t.data.slice() } : t);

/**
 * Runs `call` on the shared backend: at once when it exists (it copies the operands at the call);
 * before that, on copies of `tensors` and of the bias taken now, so the result is the call's data.
 */
function onShared<T, O extends ConvOptions>(
  tensors: Tensor[],
  options: O | undefined,
  call: (backend: WasmBackend, tensors: Tensor[], options: O | undefined) => Promise<T>,
): Promise<T> {
  if (ready) return call(ready, tensors, options);
  const bias = options?.bias;
  const copied = bias && isFloatArray(bias) ? { ...options, bias: bias.slice() } : options;
  const copies = tensors.map(pinned);
  return sharedBackend().then((backend) => call(backend, copies, copied));
}

/**
 * The WebAssembly backend on the calling thread, instantiated on its first call. Asynchronous:
 * its methods return promises. `dispose()` releases its instance and memory (calls pending on it
 * reject); the next call instantiates a fresh one.
 */
export const wasmBackend: WasmBackend = {
  name: 'wasm',
  capabilities: CAPABILITIES,
  threads: 1,
  get relaxedSimd() {
    return ready?.relaxedSimd ?? relaxedSimdSupported();
  },
  convTranspose(input, weight, options) {
    return onShared([input, weight], options, (b, [x, w], o) => b.convTranspose(x!, w!, o));
  },
  conv(input, weight, options) {
    return onShared([input, weight], options, (b, [x, w], o) => b.conv(x!, w!, o));
  },
  convTransposeBackward(gradOutput, input, weight, options) {
    return onShared([gradOutput, input, weight], options, (b, [gy, x, w], o) =>
      b.convTransposeBackward(gy!, x!, w!, o),
    );
  },
  convBackward(gradOutput, input, weight, options) {
    return onShared([gradOutput, input, weight], options, (b, [gy, x, w], o) =>
      b.convBackward(gy!, x!, w!, o),
    );
  },
  async dispose() {
    const current = shared;
    shared = null;
    ready = null;
    if (current) await (await current.catch(() => null))?.dispose();
  },
};
