import type {
  Backend,
  ConvGeometry,
  ConvOptions,
  ConvTransposeGeometry,
  ConvTransposeOptions,
  Tensor,
} from '@tconv/core';
import { checkCapabilities, geometryFlops, LimitError, prepareConv, prepareConvTranspose } from '@tconv/core';
import type { KernelExports, KernelPlan } from './kernel-runner';
import { COLS_ELEMENTS, kernelLayout, runKernel } from './kernel-runner';
import { PANEL_ELEMENTS, phasePlan } from './phase-plan';
import { MAX_WASM_BYTES } from './limits';
import type { WasmSource } from './module';
import { compileWasm } from './module';
import type { Job, WorkerPool } from './threads';
import { createWorkerPool } from './threads';

const CAPABILITIES = { dtypes: ['float32'] } as const;

/** Below this many FLOPs a call stays on the calling thread even when workers are available. */
export const MIN_THREADED_FLOPS = 50_000_000;

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
  /** Worker threads to split output channels over; 1 (default) computes on the calling thread. */
  threads?: number;
  /** Where the kernels come from; default the bytes embedded in the package. */
  module?: WasmSource;
  /**
   * Calls below this many FLOPs (or with fewer than 8 output channels per group, or little work per
   * copied element) stay on the calling thread; default {@link MIN_THREADED_FLOPS}. 0 splits every
   * call across the workers (tests use it to compare threads on small problems).
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

/**
 * Compiles and instantiates the kernels once and returns a backend. With `threads > 1` the output
 * channels of each group are split across that many worker threads (Node's worker_threads), each
 * with its own instance; results are identical to one thread.
 * @example
 * ```ts
 * const wasm = await createWasmBackend({ threads: 2 });
 * const y = await wasm.convTranspose(x, w, { stride: 2, padding: 1 });
 * await wasm.dispose();
 * ```
 */
export async function createWasmBackend(options: WasmBackendOptions = {}): Promise<WasmBackend> {
  const threads = options.threads ?? 1;
  if (!Number.isSafeInteger(threads) || threads < 1) {
    throw new RangeError(`threads must be a positive integer, but got ${threads}`);
  }
  const module = await compileWasm(options.module);
  const exports = (await WebAssembly.instantiate(module, {})).exports as unknown as KernelExports;
  const pool: WorkerPool | null = threads > 1 ? await createWorkerPool(module, threads) : null;
  const threshold = options.threadThreshold ?? MIN_THREADED_FLOPS;
  const chooseKernel = (g: ConvTransposeGeometry): WasmConvTransposeKernel =>
    options.kernel ?? convTransposeKernel(g);

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
    const layoutOf = (c0: number, c1: number) =>
      kernelLayout(kind, g, !!bias, c0, c1, exports.heapBase(), COLS_ELEMENTS, plan, PANEL_ELEMENTS);
    // the phases keep every batch item's margined input; past the memory limit the GEMM's bounded
    // column buffer may still fit
    if (plan && !options.kernel && layoutOf(0, coutG).end > MAX_WASM_BYTES) plan = null;
    checkLimit(layoutOf(0, coutG).end);
    // a worker round trip copies the operands (tens of µs per MB) and costs ~1 ms: split only work
    // that takes several milliseconds on one thread and does enough arithmetic per copied element
    const flops = geometryFlops(g);
    const moved = x.length + w.length + g.outputShape.reduce((a, b) => a * b, 1);
    const worthIt = threshold === 0 || (flops >= threshold && flops >= 64 * moved && coutG >= 8);
    const parts = pool && worthIt ? Math.min(pool.size, coutG) : 1;
    if (parts === 1) {
      return {
        shape: g.outputShape,
        data: runKernel(exports, kind, g, x, w, bias, 0, coutG, layoutOf(0, coutG), plan),
      };
    }
    const jobs: Job[] = [];
    for (let i = 0; i < parts; i++) {
      jobs.push({
        kind,
        g: plain(g),
        x,
        w,
        bias,
        plan,
        c0: Math.floor((i * coutG) / parts),
        c1: Math.floor(((i + 1) * coutG) / parts),
      });
    }
    const pieces = await pool!.run(jobs);
    const plane = g.outputSize.reduce((a, b) => a * b, 1);
    const out = new Float32Array(g.batch * g.outChannels * plane);
    jobs.forEach((job, i) => {
      const piece = pieces[i]!;
      const owned = (job.c1 - job.c0) * plane;
      let at = 0;
      for (let n = 0; n < g.batch; n++) {
        for (let group = 0; group < g.groups; group++) {
          out.set(piece.subarray(at, at + owned), (n * g.outChannels + group * coutG + job.c0) * plane);
          at += owned;
        }
      }
    });
    return { shape: g.outputShape, data: out };
  }

  return {
    name: threads > 1 ? `wasm-${threads}t` : 'wasm',
    capabilities: CAPABILITIES,
    threads,
    async convTranspose(input, weight, opts) {
      const { geometry, dtype, bias } = prepareConvTranspose(input, weight, opts);
      checkCapabilities('wasm', CAPABILITIES, geometry.rank, dtype);
      return compute(
        'convTranspose',
        geometry,
        input.data as Float32Array,
        weight.data as Float32Array,
        bias as Float32Array | null,
      );
    },
    async conv(input, weight, opts) {
      const { geometry, dtype, bias } = prepareConv(input, weight, opts);
      checkCapabilities('wasm', CAPABILITIES, geometry.rank, dtype);
      return compute(
        'conv',
        geometry,
        input.data as Float32Array,
        weight.data as Float32Array,
        bias as Float32Array | null,
      );
    },
    async dispose() {
      await pool?.terminate();
    },
  };
}

/** A geometry without anything a structured clone would refuse (it holds only numbers and arrays). */
function plain(g: ConvTransposeGeometry | ConvGeometry): ConvTransposeGeometry | ConvGeometry {
  return g;
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
