// The warm-up at createWasmBackend: why a fresh backend's first call is slow, and what is done
// about it. V8 (Node, Chrome) runs a fresh WebAssembly module on its baseline compiler (Liftoff)
// and compiles a function with its optimizing compiler (TurboFan), in the background, only once
// the function has run enough ("dynamic tiering"); a call that is running never switches tier. So
// a kernel whose hot loop is in one long call runs the whole first call on baseline code: 2–5×
// its steady time on the bench's layers (measured per workload in apps/bench's first-call
// section). The warm-up runs every operation with every kernel on small problems until V8 has
// spent their tiering budget, then keeps probing (yielding in between, so the background compiler
// runs) until the probes take at most half their baseline time or a time cap passes. The first
// real call then also finds the JavaScript path (validation, planning, dispatch) compiled.
import type { ConvOptions, ConvTransposeOptions, Tensor } from '@tconv/core';
import { seeded, shapeSize } from '@tconv/core';
import type { WasmConvTransposeKernel } from './kernel-choice';
import { KERNELS } from './kernel-choice';

/** The operations a warm-up runs, on one backend's instance with a forced kernel and split. */
export interface WarmUpTarget {
  convTranspose(input: Tensor, weight: Tensor, options?: ConvTransposeOptions): Promise<unknown>;
  conv(input: Tensor, weight: Tensor, options?: ConvOptions): Promise<unknown>;
  convTransposeBackward(
    gradOutput: Tensor,
    input: Tensor,
    weight: Tensor,
    options?: ConvTransposeOptions,
  ): Promise<unknown>;
}

/**
 * The backend's operations on its own instance with `kernel` forced (undefined: chosen by shape),
 * on the calling thread only, or with `split` over every thread (threshold 0).
 */
export type WarmUpBackend = (kernel: WasmConvTransposeKernel | undefined, split: boolean) => WarmUpTarget;

/**
 * Rounds of every probe before waiting: round 0 pays the lazy baseline compile and spends V8's
 * tiering budget of every kernel it reaches (each probe executes several MB of kernel code);
 * round 1 is the baseline speed the wait compares against.
 */
export const WARM_UP_TRIGGER_ROUNDS = 2;

/**
 * The longest each phase of a warm-up (calling thread, then split over the workers) waits for
 * optimized code, ms; it ends earlier once the probes are fast.
 */
export const WARM_UP_CAP_MS = 200;

/** The probes are optimized once a round takes at most this fraction of the baseline round... */
const OPTIMIZED_FRACTION = 0.5;

/** ...or less than this (ms): ~25 MFLOP, which no kernel runs in that time (kernels that do nothing). */
const ROUND_FLOOR_MS = 0.25;

const t = (shape: number[], seed: number): Tensor => ({ shape, data: seeded(shapeSize(shape), seed) });

/** One warm-up call: what it runs, on which kernel. */
interface Probe {
  readonly kernel: WasmConvTransposeKernel | undefined;
  run(b: WarmUpTarget): Promise<unknown>;
}

/** A forward probe: input, weight and options of a transposed convolution. */
export interface ForwardProbeLayer {
  readonly x: Tensor;
  readonly w: Tensor;
  readonly o: ConvTransposeOptions;
}

/**
 * The forward probes per kernel: the GEMM and the phases on a strided layer (stride 2: the GEMM's
 * interleaving col2im) and a stride-1 layer of 11 output channels (the phases' tiles of 4, 4 and 3
 * channels on one thread, of 4 + 1 and 4 + 2 split over two: each tile height is its own compiled
 * function, and fcn-up8's 21 channels need them all); the GEMM on a depthwise layer (its per-group
 * path) and on one of 3 output channels and a batch of 2 (DCGAN's RGB layer: split by batch
 * items); the thin kernel on depthwise layers of stride 2 (its interleaved rows) and 1; the lanes
 * kernel on a 1D layer with 1 output channel, 64 input channels and a 128-tap kernel, stride 32,
 * like the iSTFT layer, which the split rounds split by stride phases as they split that layer
 * (each part its residues, `fillResidues` included), and on a DCGAN 4×4-like layer (64 → 32
 * channels, 4×4 input), which they split by input channels as that layer is split on two threads
 * (`copyBoundSplit`: the workers' weights copied first, the per-part sums added after the join);
 * the GEMM on the long layer too (its input-channel split, as a GEMM iSTFT layer takes). A kernel
 * without layers of its own takes the strided one. Measured
 * (fresh-process pairs, 2-core AMD EPYC Zen 3), first two-thread call ÷ steady before → after:
 * fcn-up8 2.67× → 1.88× (median of eight; a 16-channel stride-1 probe), the iSTFT layer 2.10–2.71×
 * → 1.34–2.74× and its second call 1.39–2.37× → 0.93–1.43× (four; a 2-channel lanes probe, split
 * by channels).
 */
export function forwardProbeLayers(): Partial<Record<WasmConvTransposeKernel, ForwardProbeLayer[]>> {
  const strided = { x: t([1, 32, 12, 12], 1), w: t([32, 32, 4, 4], 2), o: { stride: 2, padding: 1 } };
  const unit = { x: t([1, 32, 12, 12], 3), w: t([32, 11, 3, 3], 4), o: { stride: 1, padding: 1 } };
  const x = t([1, 32, 24, 24], 5);
  const depthwise2 = { x, w: t([32, 1, 4, 4], 6), o: { stride: 2, padding: 1, groups: 32 } };
  const depthwise1 = { x, w: t([32, 1, 3, 3], 7), o: { stride: 1, padding: 1, groups: 32 } };
  const long = { x: t([1, 64, 64], 8), w: t([64, 1, 128], 9), o: { stride: 32 } };
  // few positions, many channels, 32 FLOPs per weight: the lanes kernel, copy-bound on two threads
  const small = { x: t([1, 64, 4, 4], 13), w: t([64, 32, 4, 4], 14), o: { stride: 2, padding: 1 } };
  // 3 output channels and a batch, as DCGAN's RGB layer: the GEMM by rule, split by batch items
  const rgb = { x: t([2, 16, 12, 12], 10), w: t([16, 3, 4, 4], 12), o: { stride: 2, padding: 1 } };
  return {
    // the long layer on the GEMM too: its input-channel split
    gemm: [strided, unit, depthwise2, rgb, long],
    phases: [strided, unit],
    thin: [depthwise2, depthwise1],
    lanes: [long, small],
  };
}

/**
 * The probes: {@link forwardProbeLayers} with their kernels forced, a convolution, and the backward
 * calls of {@link backwardProbeLayers} (the input gradient's convolution and the weight gradient).
 * 1–5 MFLOP each, so the kernels, not the JavaScript around them, set a probe's time (optimized code
 * runs them 3–5× faster than baseline code). Every kernel in {@link KERNELS} runs at least once.
 */
function probes(): Probe[] {
  const layers = forwardProbeLayers();
  const strided = layers.gemm![0]!;
  const unit = layers.gemm![1]!;
  const list: Probe[] = [];
  for (const kernel of KERNELS) {
    for (const p of layers[kernel] ?? [strided]) {
      list.push({ kernel, run: (b) => b.convTranspose(p.x, p.w, p.o) });
    }
  }
  list.push({ kernel: undefined, run: (b) => b.conv(unit.x, t([32, 32, 3, 3], 11), { padding: 1 }) });
  for (const p of backwardProbeLayers()) {
    list.push({ kernel: undefined, run: (b) => b.convTransposeBackward(p.gy, p.x, p.w, p.o) });
  }
  return list;
}

/** A backward probe: gradOutput, input, weight and options of a transposed convolution. */
export interface BackwardProbeLayer {
  readonly gy: Tensor;
  readonly x: Tensor;
  readonly w: Tensor;
  readonly o: ConvTransposeOptions;
}

/**
 * The backward's probes, between them reaching each of its kernels on a layer it is chosen for
 * (test/warm-up.test.ts checks that against the choice rules): a 2D layer with rows of 12 (the
 * stride-phase input gradient), few input positions (the dot-product input gradient and the GEMM
 * weight gradient, as DCGAN's 4×4 layer), a 1D one (the stride-phase weight gradient, as WaveGAN's).
 */
export function backwardProbeLayers(): BackwardProbeLayer[] {
  const s2 = { stride: 2, padding: 1 };
  return [
    { gy: t([1, 32, 24, 24], 10), x: t([1, 32, 12, 12], 1), w: t([32, 32, 4, 4], 2), o: s2 },
    { gy: t([1, 32, 8, 8], 14), x: t([1, 64, 4, 4], 12), w: t([64, 32, 4, 4], 13), o: s2 },
    {
      gy: t([1, 8, 1024], 17),
      x: t([1, 16, 256], 15),
      w: t([16, 8, 25], 16),
      o: { stride: 4, padding: 11, outputPadding: 1 },
    },
  ];
}

const now = (): number => performance.now();
/** A pause between rounds, so V8's background compiler gets the cores. */
const pause = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 4));

/**
 * Runs `round` (one pass over the probes) {@link WARM_UP_TRIGGER_ROUNDS} times, then until a round
 * takes at most {@link OPTIMIZED_FRACTION} of the second (baseline) one, or under
 * {@link ROUND_FLOOR_MS}, or {@link WARM_UP_CAP_MS} has passed, pausing between rounds. Returns the
 * rounds run.
 */
async function untilOptimized(round: () => Promise<void>, clock: () => number): Promise<number> {
  const start = clock();
  const rounds: number[] = [];
  for (;;) {
    const t0 = clock();
    await round();
    rounds.push(clock() - t0);
    if (rounds.length >= WARM_UP_TRIGGER_ROUNDS) {
      const last = rounds[rounds.length - 1]!;
      const done = last <= OPTIMIZED_FRACTION * rounds[1]! || last < ROUND_FLOOR_MS;
      if (done || clock() - start > WARM_UP_CAP_MS) return rounds.length;
    }
    await pause();
  }
}

/** Which threads a warm-up runs its probes on. */
export interface WarmUpThreads {
  /** The calling thread (once per compiled module and realm: its optimized code stays). */
  readonly callingThread: boolean;
  /**
   * Every thread, the probes split by the same rule: each new worker pool (workers start cold
   * even on a module the calling thread has warmed).
   */
  readonly workers: boolean;
}

/**
 * Which threads a new backend warms: its calling thread unless the module is already warm in this
 * realm (its optimized code stays with the module), its workers whenever it has any (a new pool
 * starts cold), nothing with `warmUp: false`.
 */
export function warmUpThreads(warmUp: boolean, moduleWarm: boolean, threads: number): WarmUpThreads {
  return { callingThread: warmUp && !moduleWarm, workers: warmUp && threads > 1 };
}

/**
 * Runs the warm-up on `backend` (see the file comment): the probes on the calling thread, then
 * split over every thread, each until optimized. One split round used to be all; the workers'
 * first calls on a layer then ran 2–5× their steady time for two to four calls (dcgan-4to8 on 2
 * threads, fresh processes, 2-core AMD EPYC Zen 3: calls 2–3 at 17–35 ms against 4–5 steady; a
 * second backend's fresh workers the same), which V8's eager tier-up
 * (`--no-wasm-dynamic-tiering`) did not show. Returns the rounds run on the calling thread. A
 * failure (a worker that dies) ends the warm-up: the backend's calls then reject with the reason.
 * @param clock - milliseconds (default `performance.now`; tests inject one)
 */
export async function warmUp(
  backend: WarmUpBackend,
  threads: WarmUpThreads,
  clock: () => number = now,
): Promise<number> {
  const list = probes();
  const on = (split: boolean) => {
    const targets = new Map<WasmConvTransposeKernel | undefined, WarmUpTarget>();
    for (const p of list) if (!targets.has(p.kernel)) targets.set(p.kernel, backend(p.kernel, split));
    return async () => {
      for (const p of list) await p.run(targets.get(p.kernel)!);
    };
  };
  const rounds = threads.callingThread ? await untilOptimized(on(false), clock) : 0;
  if (threads.workers) {
    await untilOptimized(on(true), clock);
    // the calls after it find the event loop's pending tasks run (without this turn, a threaded
    // backend's next calls ran at about twice their steady time until one happened)
    await pause();
  }
  return rounds;
}
