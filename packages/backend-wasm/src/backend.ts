import type {
  Backend,
  ConvGeometry,
  ConvOptions,
  ConvTransposeGeometry,
  ConvTransposeOptions,
  Tensor,
} from '@tconv/core';
import {
  checkCapabilities,
  describeValue,
  geometryFlops,
  LimitError,
  OptionError,
  prepareConv,
  prepareConvTranspose,
} from '@tconv/core';
import type { KernelEntry, KernelExports, KernelPlan, PartLayout } from './kernel-runner';
import { copyOperands, operandLayout, partLayout, writePart } from './kernel-runner';
import { phasePlan } from './phase-plan';
import { MAX_WASM_BYTES } from './limits';
import type { WasmSource } from './module';
import { compileWasm } from './module';
import type { WorkerHost, WorkerPool } from './threads';
import { createWorkerPool, workerHost } from './threads';

const CAPABILITIES = { dtypes: ['float32'] } as const;

/**
 * Below this many FLOPs a call stays on the calling thread even when workers are available: a
 * round trip to a worker costs tens of microseconds, and each part pads its own input copy.
 */
export const MIN_THREADED_FLOPS = 20_000_000;

/**
 * The WebAssembly transposed-convolution kernels: `'gemm'` is `cols = Wᵀ·X` and col2im, `'phases'`
 * the stride-phase implicit GEMM, `'thin'` the stride phases for groups of few input channels
 * (depthwise): row sums with outputs interleaved into whole vectors (assembly/phases.ts). All
 * compute every geometry; they differ in speed.
 */
export type WasmConvTransposeKernel = 'gemm' | 'phases' | 'thin';

/**
 * Below this many input positions per weight (batch × input plane) the phases' weight packing
 * costs more than the GEMM, which reads the weights in place (measured: DCGAN's 4×4 → 8×8 with 512
 * channels, 16 positions, 24 against 12.6 GFLOP/s; 8×8 → 16×16, 64 positions, 23 against 27).
 */
export const PHASES_MIN_POSITIONS = 64;

/**
 * The kernel a call takes by default, by shape: groups with ≤ 2 input channels take the thin
 * kernel (depthwise k4 s2: 4.1 against 3.0 GFLOP/s for the scatter it replaced); few input
 * positions per weight go through the GEMM; the rest through the phases.
 */
export function convTransposeKernel(g: ConvTransposeGeometry): WasmConvTransposeKernel {
  if (g.inChannelsPerGroup <= 2) return 'thin';
  const positions = g.batch * g.inputSize.reduce((a, b) => a * b, 1);
  return positions < PHASES_MIN_POSITIONS ? 'gemm' : 'phases';
}

/** Options of {@link createWasmBackend}. */
export interface WasmBackendOptions {
  /**
   * Threads to split output channels over: the calling thread and `threads − 1` workers (Node's
   * worker_threads, or Web Workers) on one shared memory. Needs `SharedArrayBuffer` (in browsers,
   * a cross-origin isolated page); without it the backend computes on one thread (see `threads`
   * on the result). Default 1.
   */
  threads?: number;
  /**
   * Which worker API the threads use: Node's worker_threads or the web's `Worker` (default: what
   * the runtime offers, see {@link workerHost}).
   */
  workerHost?: WorkerHost;
  /** Where the one-thread kernels come from (`build/tconv.wasm`); default the embedded bytes. */
  module?: WasmSource;
  /** Where the threads' kernels come from (`build/tconv-shared.wasm`); default the embedded bytes. */
  sharedModule?: WasmSource;
  /**
   * Calls below this many FLOPs (or with fewer than 8 output channels per group) stay on the
   * calling thread; default {@link MIN_THREADED_FLOPS}. 0 splits every call (tests use it).
   */
  threadThreshold?: number;
  /**
   * The transposed-convolution kernel for every call instead of the one {@link convTransposeKernel}
   * picks by shape (all compute the same; tests use it to check each).
   */
  kernel?: WasmConvTransposeKernel;
}

/** The WebAssembly backend: asynchronous, float32, any spatial rank. */
export interface WasmBackend extends Backend {
  convTranspose(input: Tensor, weight: Tensor, options?: ConvTransposeOptions): Promise<Tensor>;
  conv(input: Tensor, weight: Tensor, options?: ConvOptions): Promise<Tensor>;
  /** Threads a large call is split over (1 when `SharedArrayBuffer` or workers are unavailable). */
  readonly threads: number;
  /** Stops the worker threads (if any); the backend must not be used afterwards. */
  dispose(): Promise<void>;
}

function checkLimit(end: number): void {
  if (end > MAX_WASM_BYTES) {
    throw new LimitError(
      'LIMIT_EXCEEDED',
      'input',
      `the problem needs ${end} bytes of WebAssembly memory, more than the limit of ${MAX_WASM_BYTES}`,
    );
  }
}

/** Whether this runtime can share a WebAssembly memory between threads. */
function canShareMemory(): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  return isolated !== false;
}

/**
 * Compiles and instantiates the kernels once and returns a backend. With `threads > 1` (and
 * `SharedArrayBuffer`), large calls split the output channels of each group between the calling
 * thread and `threads − 1` workers that share one memory: the operands are copied in once, each
 * thread writes its own channels, nothing is copied between threads. Results are identical to one
 * thread.
 * @example
 * ```ts
 * const wasm = await createWasmBackend({ threads: 2 });
 * const y = await wasm.convTranspose(x, w, { stride: 2, padding: 1 });
 * await wasm.dispose();
 * ```
 */
export async function createWasmBackend(options: WasmBackendOptions = {}): Promise<WasmBackend> {
  const requested = options.threads ?? 1;
  if (!Number.isSafeInteger(requested) || requested < 1) {
    throw new RangeError(`threads must be a positive integer, but got ${requested}`);
  }
  const KERNELS: readonly WasmConvTransposeKernel[] = ['gemm', 'phases', 'thin'];
  if (options.kernel !== undefined && !KERNELS.includes(options.kernel)) {
    throw new OptionError(
      'INVALID_OPTION',
      'kernel',
      `kernel must be one of ${KERNELS.map((k) => `'${k}'`).join(', ')}, but got ${describeValue(options.kernel)}`,
    );
  }
  if (options.workerHost !== undefined && options.workerHost !== 'node' && options.workerHost !== 'web') {
    throw new OptionError(
      'INVALID_OPTION',
      'workerHost',
      `workerHost must be 'node' or 'web', but got ${describeValue(options.workerHost)}`,
    );
  }
  const host = requested > 1 && canShareMemory() ? (options.workerHost ?? workerHost()) : null;
  const threads = host ? requested : 1;
  let exports: KernelExports;
  let pool: WorkerPool | null = null;
  if (host) {
    const module = await compileWasm(options.sharedModule, true);
    const memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_WASM_BYTES / 65536, shared: true });
    exports = (await WebAssembly.instantiate(module, { env: { memory } }))
      .exports as unknown as KernelExports;
    pool = await createWorkerPool(module, memory, threads - 1, host);
  } else {
    const module = await compileWasm(options.module);
    exports = (await WebAssembly.instantiate(module, {})).exports as unknown as KernelExports;
  }
  const memory = exports.memory;
  const threshold = options.threadThreshold ?? MIN_THREADED_FLOPS;
  const chooseKernel = (g: ConvTransposeGeometry): WasmConvTransposeKernel =>
    options.kernel ?? convTransposeKernel(g);

  // a split call awaits its workers with its operands in the shared memory: calls run one at a time
  let queue: Promise<unknown> = Promise.resolve();
  function serialized<T>(run: () => Promise<T>): Promise<T> {
    const result = queue.then(run, run);
    queue = result.catch(() => {});
    return result;
  }

  async function compute(
    kind: 'convTranspose' | 'conv',
    g: ConvTransposeGeometry | ConvGeometry,
    x: Float32Array,
    w: Float32Array,
    bias: Float32Array | null,
  ): Promise<Tensor> {
    const coutG = g.outChannelsPerGroup;
    const kernel = kind === 'convTranspose' ? chooseKernel(g as ConvTransposeGeometry) : null;
    let plan: KernelPlan | null =
      kernel === 'phases' || kernel === 'thin' ? phasePlan(g as ConvTransposeGeometry, kernel) : null;
    const worthIt = threshold === 0 || (geometryFlops(g) >= threshold && coutG >= 8);
    const parts = pool && worthIt ? Math.min(threads, coutG) : 1;
    const operands = operandLayout(kind, g, !!bias, exports.heapBase());
    const layout = () => {
      const ranges: [number, number][] = [];
      const layouts: PartLayout[] = [];
      let at = operands.end;
      for (let i = 0; i < parts; i++) {
        const range: [number, number] = [
          Math.floor((i * coutG) / parts),
          Math.floor(((i + 1) * coutG) / parts),
        ];
        const part = partLayout(kind, g, range[0], range[1], at, plan);
        ranges.push(range);
        layouts.push(part);
        at = part.end;
      }
      return { ranges, layouts, end: at };
    };
    let split = layout();
    // the phases keep every batch item's margined input; past the memory limit the GEMM's bounded
    // column buffer may still fit
    if (plan && !options.kernel && split.end > MAX_WASM_BYTES) {
      plan = null;
      split = layout();
    }
    checkLimit(split.end);
    const missing = split.end - memory.buffer.byteLength;
    if (missing > 0) memory.grow(Math.ceil(missing / 65536));
    const heap = memory.buffer;
    copyOperands(heap, operands, x, w, bias);
    const entries: KernelEntry[] = split.layouts.map((part, i) =>
      writePart(heap, kind, g, operands, part, split.ranges[i]![0], split.ranges[i]![1], plan, !!bias),
    );
    // the workers take parts 1…, the calling thread part 0 meanwhile
    const others = entries.slice(1).map((entry, i) => pool!.run(i, entry, split.layouts[i + 1]!.params));
    let failure: unknown = null;
    try {
      exports[entries[0]!](split.layouts[0]!.params);
    } catch (e) {
      failure = e;
    }
    for (const result of await Promise.allSettled(others)) {
      if (result.status === 'rejected') failure ??= result.reason;
    }
    if (failure) throw failure;
    const length = g.batch * g.outChannels * g.outputSize.reduce((a, b) => a * b, 1);
    return { shape: g.outputShape, data: new Float32Array(memory.buffer, operands.out, length).slice() };
  }

  return {
    name: threads > 1 ? `wasm-${threads}t` : 'wasm',
    capabilities: CAPABILITIES,
    threads,
    async convTranspose(input, weight, opts) {
      const { geometry, dtype, bias } = prepareConvTranspose(input, weight, opts);
      checkCapabilities('wasm', CAPABILITIES, geometry.rank, dtype);
      return serialized(() =>
        compute(
          'convTranspose',
          geometry,
          input.data as Float32Array,
          weight.data as Float32Array,
          bias as Float32Array | null,
        ),
      );
    },
    async conv(input, weight, opts) {
      const { geometry, dtype, bias } = prepareConv(input, weight, opts);
      checkCapabilities('wasm', CAPABILITIES, geometry.rank, dtype);
      return serialized(() =>
        compute(
          'conv',
          geometry,
          input.data as Float32Array,
          weight.data as Float32Array,
          bias as Float32Array | null,
        ),
      );
    },
    async dispose() {
      await pool?.terminate();
    },
  };
}

let shared: Promise<WasmBackend> | null = null;

/**
 * The WebAssembly backend on the calling thread, instantiated on its first call. Asynchronous:
 * its methods return promises.
 */
export const wasmBackend: WasmBackend = {
  name: 'wasm',
  capabilities: CAPABILITIES,
  threads: 1,
  async convTranspose(input, weight, options) {
    shared ??= createWasmBackend();
    return (await shared).convTranspose(input, weight, options);
  },
  async conv(input, weight, options) {
    shared ??= createWasmBackend();
    return (await shared).conv(input, weight, options);
  },
  async dispose() {},
};
