// Planning a call: which kernel, how many parts, and where everything goes, as a Job (layout.ts)
// the dispatcher runs. Forward calls are one task; a backward call is two independent tasks (the
// input gradient by the forward kernels on the adjoint geometry, the weight gradient), over one
// copy of gradOutput, input and weight.
import type { ConvGeometry, ConvTransposeGeometry } from '@tconv/core';
import { adjointGeometry, geometryFlops, recomputeNonFinite, shapeClassKey } from '@tconv/core';
import type { ThreadSplit, WasmConvTransposeKernel } from './kernel-choice';
import {
  COPY_BOUND_MAX_FLOPS_PER_WEIGHT,
  convDotFits,
  convPhasesFits,
  convTransposeKernel,
  MIN_THREADED_CHANNELS,
  forwardSplit,
  threadSplit,
} from './kernel-choice';
import type { Job, Part } from './layout';
import { arena, forwardTask, inputChannelRanges, tensorElements } from './layout';
import { checkMemory, checkWasmGeometry, MAX_WASM_BYTES } from './limits';
import type { PhasePlan } from './phase-plan';
import { phasePlan } from './phase-plan';
import { weightGradientTask } from './weight-gradient-task';
import { convPhasesTask } from './conv-phases-task';

/** What planning needs of the backend: where free memory starts, threads, and the kernel choice. */
export interface PlanContext {
  readonly heapBase: number;
  readonly threads: number;
  readonly threadThreshold: number;
  readonly kernel: WasmConvTransposeKernel | undefined;
  /**
   * The backend's kernel choice for a transposed convolution (a forward call, or a backward call's
   * input gradient) when there is no `kernel`: the calibrated one. Absent: the rule.
   */
  readonly chooseKernel?: (g: ConvTransposeGeometry, call: 'forward' | 'backward') => WasmConvTransposeKernel;
  /** The thread threshold a forward call is split by (the calibrated one). Absent: `threadThreshold`. */
  readonly chooseThreshold?: (g: ConvTransposeGeometry | ConvGeometry) => number;
  /**
   * The backend's stride-phase plans by geometry (see {@link planOf}): a plan depends on the
   * geometry alone, and building one costs up to a few ms of the calling thread per call (fcn-up8:
   * 1.6 ms against 4.8 ms of kernels), time no thread can share.
   */
  readonly plans?: Map<string, PhasePlan>;
  /**
   * The backend's call layouts (a {@link Job} but its operands) by call, geometry, kernel, split
   * and bias: a layer's later calls reuse its parameter blocks (planning one was a tenth of a
   * depthwise call).
   */
  readonly layouts?: Map<string, Layout>;
}

/** A planned call without its operands: where they go (in the job's input order), the tasks, the outputs. */
interface Layout extends Omit<Job, 'inputs'> {
  readonly at: readonly number[];
  /** Per input, the floats copied before the workers start (see {@link Job.inputs}); absent: all. */
  readonly early?: readonly (number | undefined)[];
}

/** `layout` with `operands` (in its input order) as the job's inputs. */
function withOperands(layout: Layout, operands: readonly Float32Array[]): Job {
  const inputs: Job['inputs'] = operands.map((data, i) => {
    const early = layout.early?.[i];
    return early === undefined ? { at: layout.at[i]!, data } : { at: layout.at[i]!, data, early };
  });
  // the job's fields written out: spreading the layout into a new object cost more than the rest of
  // a cached call's planning
  const { tasks, outputs, end, finish, check, biasGradient } = layout;
  return {
    inputs,
    tasks,
    outputs,
    end,
    ...(finish ? { finish } : {}),
    ...(check ? { check } : {}),
    ...(biasGradient ? { biasGradient } : {}),
  };
}

/** `value` under `key` in `cache` (most recently used last; the oldest goes beyond {@link CACHED_PLANS}). */
function cached<T>(cache: Map<string, T> | undefined, key: string, make: () => T): T {
  if (!cache) return make();
  let value = cache.get(key);
  if (value !== undefined) {
    cache.delete(key);
  } else {
    value = make();
    if (cache.size >= CACHED_PLANS) cache.delete(cache.keys().next().value!);
  }
  cache.set(key, value);
  return value;
}

/** Plans a backend keeps: a layer's calls reuse its plan; the oldest goes first beyond this. */
export const CACHED_PLANS = 32;

/** The kernel a transposed convolution takes: forced, calibrated, or the rule's. */
function chooseKernel(
  g: ConvTransposeGeometry,
  ctx: PlanContext,
  call: 'forward' | 'backward',
): WasmConvTransposeKernel {
  return ctx.kernel ?? ctx.chooseKernel?.(g, call) ?? convTransposeKernel(g);
}

/** The stride-phase plan of `kernel` on `g` (null: the GEMM, or not a transposed convolution). */
function planOf(
  g: ConvTransposeGeometry | ConvGeometry,
  kernel: WasmConvTransposeKernel | null,
  ctx: PlanContext,
  key?: string,
): PhasePlan | null {
  return g.kind !== 'convTranspose' || kernel === null || kernel === 'gemm'
    ? null
    : cachedPlan(g, kernel, ctx, key);
}

/**
 * {@link phasePlan}`(g, kernel)`, from the backend's cache when it has one (`key`: `g`'s
 * core's `shapeClassKey`, which names a geometry whole, when the caller has it).
 */
function cachedPlan(
  g: ConvTransposeGeometry,
  kernel: PhasePlan['kernel'],
  ctx: PlanContext,
  key = shapeClassKey(g),
): PhasePlan {
  return cached(ctx.plans, `${kernel} ${key}`, () => phasePlan(g, kernel));
}

/**
 * Lays a job out with `plan`, and without it when the phases' margined copies alone put it over the
 * memory limit (unless the kernel was forced); then checks the limit.
 */
function withinLimit<J extends { readonly end: number }>(
  plan: PhasePlan | null,
  ctx: PlanContext,
  build: (plan: PhasePlan | null) => J,
): J {
  let job = build(plan);
  if (plan && ctx.kernel === undefined && job.end > MAX_WASM_BYTES) job = build(null);
  checkMemory(job.end);
  return job;
}

/** Plans a forward call (`g.kind` says which operator) on float32 operands. */
export function planForward(
  g: ConvTransposeGeometry | ConvGeometry,
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array | null,
  ctx: PlanContext,
): Job {
  checkWasmGeometry(g);
  const threshold = ctx.chooseThreshold?.(g) ?? ctx.threadThreshold;
  const kernel = g.kind === 'convTranspose' ? chooseKernel(g, ctx, 'forward') : null;
  const split = forwardSplit(g, ctx.threads, threshold, kernel);
  const gKey = shapeClassKey(g);
  const key = `${kernel} ${split.by} ${split.parts} ${bias ? 'bias' : ''} ${gKey}`;
  // the plan is needed only to lay the call out: a layer's later calls find the layout
  const layout = cached(ctx.layouts, key, () =>
    forwardLayout(g, planOf(g, kernel, ctx, gKey), split, bias !== null, ctx),
  );
  return withOperands(layout, bias ? [x, w, bias] : [x, w]);
}

/** Lays out a forward call on `g` with `plan` and `split` (see {@link planForward}). */
function forwardLayout(
  g: ConvTransposeGeometry | ConvGeometry,
  plan: PhasePlan | null,
  split: ThreadSplit,
  bias: boolean,
  ctx: PlanContext,
): Layout {
  const el = tensorElements(g);
  return withinLimit(plan, ctx, (p): Layout => {
    const mem = arena(ctx.heapBase);
    const ops = {
      x: mem.take(el.input),
      w: mem.take(el.weight),
      bias: bias ? mem.take(g.outChannels) : 0,
      out: mem.take(el.output),
    };
    // an input-channel split's parts take the same kernel on their share of the channels
    const tasks = [forwardTask(g, ops, p, split, mem, (sub) => p && cachedPlan(sub, p.kernel, ctx))];
    // split by input channels, the workers' weight rows come first (inputChannelRanges): those are
    // copied before the workers start, the calling thread's while they compute
    const byInputs = tasks[0]!.some((part) => part.sum !== undefined) && g.kind === 'convTranspose';
    const workersWeights = byInputs
      ? inputChannelRanges(g, split.parts)[0]![0] * (el.weight / g.inChannels)
      : undefined;
    return {
      early: [undefined, workersWeights],
      tasks,
      outputs: [{ at: ops.out, length: el.output }],
      end: mem.end,
      // an element an intermediate overflowed is the float64 definition, from the call's operands
      finish: ([xm, wm, bm], [out]) => recomputeNonFinite(g, xm!, wm!, bm ?? null, out!),
      check: { at: ops.out, length: el.output },
      at: bias ? [ops.x, ops.w, ops.bias] : [ops.x, ops.w],
    };
  });
}

const UNSPLIT: ThreadSplit = { by: 'channels', parts: 1 };

/**
 * Plans a backward call for the forward geometry `g`: outputs ∂L/∂input (the forward kernels on
 * {@link adjointGeometry}`(g)` applied to gradOutput) and ∂L/∂weight (the weight-gradient GEMM).
 */
export function planBackward(
  g: ConvTransposeGeometry | ConvGeometry,
  gradOutput: Float32Array,
  x: Float32Array,
  w: Float32Array,
  ctx: PlanContext,
): Job {
  checkWasmGeometry(g);
  const adjoint: ConvTransposeGeometry | ConvGeometry =
    g.kind === 'convTranspose' ? adjointGeometry(g) : adjointGeometry(g);
  checkWasmGeometry(adjoint);
  const kernel = adjoint.kind === 'convTranspose' ? chooseKernel(adjoint, ctx, 'backward') : null;
  const key = `backward ${kernel} ${shapeClassKey(g)}`;
  const layout = cached(ctx.layouts, key, () =>
    backwardLayout(g, adjoint, planOf(adjoint, kernel, ctx), ctx),
  );
  return withOperands(layout, [gradOutput, x, w]);
}

/**
 * Whether a backward call whose two tasks each stay whole (each under the thread threshold, or
 * neither splittable: few channels, one item, one group) takes a thread each: when the call's FLOPs
 * together (2 × the forward's) reach the threshold, as one call of that size would split
 * (dilated-k3d2: 18.9 MFLOP per task against 20 — the two ran one after the other on the calling
 * thread, two threads no faster than one).
 */
function pairedBelowThreshold(
  g: ConvTransposeGeometry | ConvGeometry,
  inputSplit: ThreadSplit,
  weightSplit: ThreadSplit,
  ctx: PlanContext,
): boolean {
  if (ctx.threads <= 1 || inputSplit.parts > 1 || weightSplit.parts > 1) return false;
  return ctx.threadThreshold <= 0 || 2 * geometryFlops(g) >= ctx.threadThreshold;
}

/**
 * A weight gradient of at least this many floats computed on a worker beside the calling thread's
 * input gradient is copied out of the shared memory by that worker, which hands it over with its
 * reply ({@link Part.copiesOut}); a smaller one is copied by the calling thread after the join.
 * The threshold is the break-even: awaiting the reply takes 0.07–0.23 ms, about what copying 2^18
 * floats (1 MiB) does at this VM's ~7 GB/s (2-core AMD EPYC Zen 3).
 */
export const WORKER_COPY_MIN_FLOATS = 1 << 18;

/**
 * Whether a backward on `g` is bound by its weight copy ({@link COPY_BOUND_MAX_FLOPS_PER_WEIGHT}): on
 * two threads its two tasks then run side by side even when both split, so the copy overlaps the
 * worker's weight gradient instead of preceding both threads' work.
 */
function copyBound(
  g: ConvTransposeGeometry | ConvGeometry,
  inputSplit: ThreadSplit,
  weightSplit: ThreadSplit,
  ctx: PlanContext,
): boolean {
  if (ctx.threads !== 2 || Math.max(inputSplit.parts, weightSplit.parts) < 2) return false;
  const weights = g.weightShape.reduce((a, b) => a * b, 1);
  return geometryFlops(g) <= COPY_BOUND_MAX_FLOPS_PER_WEIGHT * weights;
}

/** Lays out a backward call on `g` (see {@link planBackward}); the splits follow from `g`. */
function backwardLayout(
  g: ConvTransposeGeometry | ConvGeometry,
  adjoint: ConvTransposeGeometry | ConvGeometry,
  plan: PhasePlan | null,
  ctx: PlanContext,
): Layout {
  const el = tensorElements(g);
  const inputSplit = threadSplit(adjoint, ctx.threads, ctx.threadThreshold, adjoint.outChannelsPerGroup);
  const bPerGroup = g.kind === 'convTranspose' ? g.outChannelsPerGroup : g.inChannelsPerGroup;
  const weightSplit = threadSplit(g, ctx.threads, ctx.threadThreshold, bPerGroup, 'weightGradient');
  // one of the two tasks splits poorly or not at all (a weight gradient over 3 channels of one
  // item's gradOutput, say): the two side by side, a thread each (they take the same FLOPs), instead of one
  // thread running the unsplit task besides its share of the other
  const weak = (split: ThreadSplit, channels: number) =>
    split.parts === 1 || (split.by === 'channels' && channels < MIN_THREADED_CHANNELS);
  const sideBySide =
    (Math.max(inputSplit.parts, weightSplit.parts) > 1 &&
      (weak(inputSplit, adjoint.outChannelsPerGroup) || weak(weightSplit, bPerGroup))) ||
    pairedBelowThreshold(g, inputSplit, weightSplit, ctx) ||
    copyBound(g, inputSplit, weightSplit, ctx);
  const dxSplit = sideBySide ? UNSPLIT : inputSplit;
  const dwSplit = sideBySide ? UNSPLIT : weightSplit;
  return withinLimit(plan, ctx, (p): Layout => {
    const mem = arena(ctx.heapBase);
    const gy = mem.take(el.output);
    const xAt = mem.take(el.input);
    const wAt = mem.take(el.weight);
    const dx = mem.take(el.input);
    const dw = mem.take(el.weight);
    const tasks: Part[][] = [
      adjoint.kind === 'conv' && (convPhasesFits(adjoint) || convDotFits(adjoint))
        ? convPhasesTask(
            adjoint,
            { x: gy, w: wAt, bias: 0, out: dx },
            dxSplit,
            mem,
            convPhasesFits(adjoint) ? 'phases' : 'dot',
          )
        : forwardTask(adjoint, { x: gy, w: wAt, bias: 0, out: dx }, p, dxSplit, mem, (sub) =>
            p ? cachedPlan(sub, p.kernel, ctx) : null,
          ),
      weightGradientTask(g, { input: xAt, gradOutput: gy, out: dw }, dwSplit, mem),
    ];
    // the bias gradient after every task's scratch, so the tasks' addresses are those they had
    // before it was an output (a shift of 1 KiB changed which buffers share cache sets)
    const db = mem.take(g.outChannels);
    const paired = sideBySide && tasks.every((t) => t.length === 1);
    // side by side, the worker's weight gradient is its part alone: a large one it copies out itself
    const dwPart = tasks[1]![0]!;
    const pair: Part[] = [
      tasks[0]![0]!,
      el.weight >= WORKER_COPY_MIN_FLOATS ? { ...dwPart, copiesOut: 1 } : dwPart,
    ];
    return {
      at: [gy, xAt, wAt],
      // side by side, the weights are read by the input gradient on the calling thread alone: they
      // are copied while the worker computes the weight gradient
      early: [undefined, undefined, paired && ctx.threads > 1 ? 0 : undefined],
      tasks: paired ? [pair] : tasks,
      outputs: [
        { at: dx, length: el.input },
        { at: dw, length: el.weight },
        { at: db, length: g.outChannels },
      ],
      biasGradient: {
        gy,
        out: db,
        batch: g.batch,
        channels: g.outChannels,
        spatial: el.output / (g.batch * g.outChannels),
      },
      end: mem.end,
      // the input gradient is the adjoint's forward: the same overflow rule
      finish: ([gym, , wm], [dxOut]) => recomputeNonFinite(adjoint, gym!, wm!, null, dxOut!),
      check: { at: dx, length: el.input },
    };
  });
}
