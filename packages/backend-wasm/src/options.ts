// The options of createWasmBackend: their types, and the one strict parse of them (unknown keys,
// out-of-range threads and thresholds are errors naming the option, before anything starts).
import { describeValue, OptionError } from '@tconv/core';
import type { WasmConvTransposeKernel } from './kernel-choice';
import { KERNELS, MIN_THREADED_FLOPS } from './kernel-choice';
import type { WasmSource } from './module';
import { relaxedSimdSupported } from './module';
import type { WorkerHost } from './threads';
import { WORKER_IDLE_MS, WORKER_SPIN_MS } from './threads';

/** Options of `createWasmBackend`. */
export interface WasmBackendOptions {
  /**
   * Threads to split a call over: the calling thread and `threads − 1` workers (Node's
   * worker_threads, or Web Workers) on one shared memory. An integer from 1 to {@link MAX_THREADS}.
   * Needs `SharedArrayBuffer` (in browsers, a cross-origin isolated page); without it the backend
   * computes on one thread (see `threads` on the result). Default 1.
   */
  threads?: number;
  /**
   * Which worker API the threads use: Node's worker_threads or the web's `Worker` (default: what
   * the runtime offers).
   */
  workerHost?: WorkerHost;
  /** Where the one-thread kernels come from (`build/tconv.wasm`); default the embedded bytes. */
  module?: WasmSource;
  /** Where the threads' kernels come from (`build/tconv-shared.wasm`); default the embedded bytes. */
  sharedModule?: WasmSource;
  /**
   * Calls below this many FLOPs (or with fewer than 8 output channels per group) stay on the
   * calling thread; a finite number ≥ 0, default {@link MIN_THREADED_FLOPS}. 0 splits every call.
   */
  threadThreshold?: number;
  /**
   * The transposed-convolution kernel for every call instead of the one chosen by shape (all
   * compute the same; tests use it to check each).
   */
  kernel?: WasmConvTransposeKernel;
  /**
   * Use the relaxed-SIMD build of the embedded kernels (fused multiply-add): default where the
   * runtime validates it (`relaxedSimdSupported()`); `false` forces the exact build; `true` where
   * it is not supported is an `OptionError`. Ignored for an explicit `module`/`sharedModule`.
   */
  relaxedSimd?: boolean;
  /**
   * Time the candidate kernels on the first calls of a shape that is a close call for the kernel
   * rule, then keep the faster for the backend's life (see the README, "Kernel choice"). Default
   * `true`; `false` makes every call take the rule's kernel, so results are bit-reproducible from
   * the first call on. A `kernel` option skips calibration either way.
   */
  calibrate?: boolean;
  /**
   * Run every operation and kernel on small problems before `createWasmBackend` resolves, until V8
   * has compiled them with its optimizing compiler (see the README's first-call notes), so the
   * first call on a layer runs at its steady speed. Default `true`; it costs tens of ms of creation
   * on the first backend of a realm (the calling thread's probes: at most ~250 ms of waiting, later
   * backends share the compiled kernels), and with threads the probes split over every thread on
   * each backend's own workers, which start cold (another ~250 ms at most). `false` starts at
   * once, the first calls on baseline code.
   */
  warmUp?: boolean;
  /**
   * How long a worker spins (busy, no sleep) for its next task after one that took 0.25 ms or more,
   * in ms, before it sleeps: a finite number from 0 to 100, default {@link WORKER_SPIN_MS} (5).
   * Calls that follow each other within it find their workers awake on their own cores; the cost is
   * up to that much of a core after each split call. 0 never spins (a machine shared with other
   * work); see the README, "Threads".
   */
  workerSpinMs?: number;
}

/**
 * The most threads a backend may have: 64. Each is a worker with its own instance and scratch,
 * and threads split output channels, so more than a few times the cores gains nothing.
 */
export const MAX_THREADS = 64;

/** Options after parsing: every field explicit. */
export interface ParsedOptions {
  readonly threads: number;
  readonly workerHost: WorkerHost | undefined;
  readonly module: WasmSource | undefined;
  readonly sharedModule: WasmSource | undefined;
  readonly threadThreshold: number;
  readonly kernel: WasmConvTransposeKernel | undefined;
  readonly relaxedSimd: boolean;
  readonly calibrate: boolean;
  readonly warmUp: boolean;
  readonly workerSpinMs: number;
}

const KEYS: readonly (keyof WasmBackendOptions)[] = [
  'threads',
  'workerHost',
  'module',
  'sharedModule',
  'threadThreshold',
  'kernel',
  'relaxedSimd',
  'calibrate',
  'warmUp',
  'workerSpinMs',
];

/** Validates the options of `createWasmBackend`, or throws an `OptionError` naming the option. */
export function parseOptions(options: WasmBackendOptions | undefined): ParsedOptions {
  if (options === undefined) options = {};
  if (options === null || typeof options !== 'object') {
    throw new OptionError(
      'INVALID_OPTION',
      'options',
      `createWasmBackend options must be an object, but got ${describeValue(options)}`,
    );
  }
  for (const key of Object.keys(options)) {
    if (!(KEYS as readonly string[]).includes(key)) {
      throw new OptionError(
        'UNKNOWN_OPTION',
        key,
        `createWasmBackend has no option ${JSON.stringify(key)}; the options are ${KEYS.join(', ')}`,
      );
    }
  }
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw new OptionError(
      'INVALID_OPTION',
      'threads',
      `threads must be an integer from 1 to ${MAX_THREADS}, but got ${describeValue(threads)}`,
    );
  }
  const threadThreshold = options.threadThreshold ?? MIN_THREADED_FLOPS;
  if (typeof threadThreshold !== 'number' || !Number.isFinite(threadThreshold) || threadThreshold < 0) {
    throw new OptionError(
      'INVALID_OPTION',
      'threadThreshold',
      `threadThreshold must be a finite number ≥ 0 (FLOPs), but got ${describeValue(threadThreshold)}`,
    );
  }
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
  const workerSpinMs = options.workerSpinMs === undefined ? WORKER_SPIN_MS : options.workerSpinMs;
  if (typeof workerSpinMs !== 'number' || !(workerSpinMs >= 0 && workerSpinMs <= WORKER_IDLE_MS)) {
    throw new OptionError(
      'INVALID_OPTION',
      'workerSpinMs',
      `workerSpinMs must be a number from 0 to ${WORKER_IDLE_MS} (ms), but got ${describeValue(workerSpinMs)}`,
    );
  }
  const supported = relaxedSimdSupported();
  if (options.relaxedSimd !== undefined && typeof options.relaxedSimd !== 'boolean') {
    throw new OptionError(
      'INVALID_OPTION',
      'relaxedSimd',
      `relaxedSimd must be true or false, but got ${describeValue(options.relaxedSimd)}`,
    );
  }
  if (options.relaxedSimd === true && !supported) {
    throw new OptionError(
      'UNSUPPORTED',
      'relaxedSimd',
      'relaxedSimd: true, but this runtime does not validate relaxed SIMD (Chrome ≥ 114, Node ≥ 22, or Node 20 with --experimental-wasm-relaxed-simd)',
    );
  }
  if (options.warmUp !== undefined && typeof options.warmUp !== 'boolean') {
    throw new OptionError(
      'INVALID_OPTION',
      'warmUp',
      `warmUp must be true or false, but got ${describeValue(options.warmUp)}`,
    );
  }
  if (options.calibrate !== undefined && typeof options.calibrate !== 'boolean') {
    throw new OptionError(
      'INVALID_OPTION',
      'calibrate',
      `calibrate must be true or false, but got ${describeValue(options.calibrate)}`,
    );
  }
  return {
    threads,
    calibrate: options.calibrate ?? true,
    warmUp: options.warmUp ?? true,
    relaxedSimd: options.relaxedSimd ?? supported,
    workerHost: options.workerHost,
    module: options.module,
    sharedModule: options.sharedModule,
    threadThreshold,
    kernel: options.kernel,
    workerSpinMs,
  };
}
