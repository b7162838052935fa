// The kernel-choice thresholds of the WebAssembly backend, in one place: which kernel a call takes,
// how big each scratch buffer may grow, and when a call is worth splitting over threads. Each is a
// measurement on the project's 2-core AMD EPYC (see the README's Speed section); they pick among
// kernels that all compute the same, so a threshold off on another machine costs speed only.
import type { ConvGeometry, ConvTransposeGeometry } from '@tconv/core';
import { geometryFlops, isCloseCall, MIN_CALIBRATED_FLOPS } from '@tconv/core';
import { PANEL_TILE_CHANNELS } from './param-layout';

/**
 * The WebAssembly transposed-convolution kernels: `'gemm'` is `cols = Wᵀ·X` and col2im, `'phases'`
 * the stride-phase implicit GEMM, `'thin'` the stride phases for groups of few input channels
 * (depthwise): row sums with outputs interleaved into whole vectors (assembly/phases.ts), `'lanes'`
 * the GEMM with Wᵀ's rows (output channel, tap) in the SIMD lanes and each tile added straight into
 * the output (assembly/lanes.ts: long kernels with few output channels, few positions). All
 * compute every geometry; they differ in speed.
 */
export type WasmConvTransposeKernel = 'gemm' | 'phases' | 'thin' | 'lanes';

/** The kernels, in the order the option lists them. */
export const KERNELS: readonly WasmConvTransposeKernel[] = ['gemm', 'phases', 'thin', 'lanes'];

/**
 * Below this many input positions per weight (batch × input plane) the phases' weight packing
 * costs more than the GEMM, which reads the weights in place (measured: DCGAN's 4×4 → 8×8 with 512
 * channels, 16 positions, 24 against 12.6 GFLOP/s; 8×8 → 16×16, 64 positions, 23 against 27).
 */
export const PHASES_MIN_POSITIONS = 64;

/**
 * Below this many output channels per group the phases' register tiles (4 output channels × 8
 * positions) run mostly empty and their packed panels hold mostly zeros, so the GEMM, whose rows are
 * (channel, tap) pairs, takes the call. Same run, loaded 2-core EPYC: the iSTFT layer (input
 * [1, 512, 128], weight [512, 1, 2048], stride 512) 23 ms against 165 ms (11.5 against 1.6 GFLOP/s);
 * DCGAN's RGB layer (3 output channels, batch 8) 9.6 against 10.9 ms.
 */
export const PHASES_MIN_OUT_CHANNELS = 4;

/**
 * Layers with few output channels per group (< {@link PHASES_MIN_OUT_CHANNELS}) whose kernel's last
 * axis is a multiple of this, at least {@link LANES_MIN_KERNEL_LAST} long, with dilation 1, take the
 * lanes kernel instead of the GEMM: its 4-lane vectors run along that axis, so each is 4
 * consecutive outputs, added in place (no column buffer, no col2im), and W is packed in order
 * instead of read down its columns (a power-of-two stride: every read of a column in one cache
 * set). Same interleaved run, loaded 2-core AMD EPYC: the iSTFT layer 7.07 against 4.38 GFLOP/s
 * for the GEMM (1.61× onnxruntime-web 1 thread). Below {@link PHASES_MIN_POSITIONS} positions too
 * (DCGAN's 4×4 → 8×8, 512 → 256 channels, 4 taps along the last axis): its GEMM read W down
 * columns 16 KiB apart; the lanes read it once, in order — 1.08× and 1.21× the GEMM in two
 * interleaved runs (CPU time per call, loaded 2-core AMD EPYC).
 */
export const LANES_KERNEL_MULTIPLE = 4;

/**
 * The shortest last kernel axis the lanes kernel takes by default: a tile's 8 lanes are then one
 * run of taps (DCGAN's RGB layer, 4 taps, measured within noise of the GEMM: it stays there).
 */
export const LANES_MIN_KERNEL_LAST = 8;

/**
 * Groups with at most this many input channels take the thin kernel: there is no reduction worth a
 * GEMM tile (depthwise k4 s2: 4.1 against 3.0 GFLOP/s for the scatter it replaced).
 */
export const THIN_MAX_CHANNELS = 2;

/** Packed weights per block of output channels, in elements (1 MiB of float32): stays in L2. */
export const PANEL_ELEMENTS = 1 << 18;

/**
 * The column buffer (GEMM) and the weight gradient's transposed chunks hold at most this many
 * elements (4 MiB), unless one input row alone needs more; larger problems are tiled.
 */
export const COLS_ELEMENTS = 1 << 20;

/**
 * Below this many FLOPs a call stays on the calling thread even when workers are available: a
 * round trip to a worker costs tens of microseconds, and each part pads its own input copy.
 */
export const MIN_THREADED_FLOPS = 20_000_000;

/** Below this many output channels per group a call stays on one thread (threads split channels). */
export const MIN_THREADED_CHANNELS = 8;

/**
 * What the kernel rule decides on: input and output channels per group, and input positions per
 * weight (batch × input plane). A plain record, so a close call can be flipped to the threshold's
 * other side ({@link convTransposeCandidates}).
 */
export interface KernelFeatures {
  readonly inChannelsPerGroup: number;
  readonly outChannelsPerGroup: number;
  readonly positions: number;
  /** The kernel's last-axis size when that axis has dilation 1, else 0 (the lanes kernel's fit). */
  readonly lastKernelAxis?: number;
}

/** The features of `g`. */
export function kernelFeatures(g: ConvTransposeGeometry): KernelFeatures {
  return {
    inChannelsPerGroup: g.inChannelsPerGroup,
    outChannelsPerGroup: g.outChannelsPerGroup,
    positions: g.batch * g.inputSize.reduce((a, b) => a * b, 1),
    lastKernelAxis: g.dilation[g.rank - 1] === 1 ? g.kernelSize[g.rank - 1]! : 0,
  };
}

/**
 * The rule on features: groups with ≤ {@link THIN_MAX_CHANNELS} input channels take the thin
 * kernel; fewer than {@link PHASES_MIN_OUT_CHANNELS} output channels per group take the lanes
 * kernel when the kernel's last axis is a multiple of {@link LANES_KERNEL_MULTIPLE} of at least
 * {@link LANES_MIN_KERNEL_LAST} with dilation 1, else the GEMM; fewer than
 * {@link PHASES_MIN_POSITIONS} input positions per weight take the lanes kernel when the kernel's
 * last axis is a multiple of {@link LANES_KERNEL_MULTIPLE} with dilation 1 (DCGAN's 4×4 → 8×8),
 * else the GEMM; the rest the phases.
 */
export function kernelForFeatures(f: KernelFeatures): WasmConvTransposeKernel {
  if (f.inChannelsPerGroup <= THIN_MAX_CHANNELS) return 'thin';
  const k = f.lastKernelAxis ?? 0;
  const lanesFit = k > 0 && k % LANES_KERNEL_MULTIPLE === 0;
  if (f.outChannelsPerGroup < PHASES_MIN_OUT_CHANNELS) {
    return lanesFit && k >= LANES_MIN_KERNEL_LAST ? 'lanes' : 'gemm';
  }
  if (f.positions >= PHASES_MIN_POSITIONS) return 'phases';
  return lanesFit ? 'lanes' : 'gemm';
}

/**
 * The kernel a call takes by default, by shape ({@link kernelForFeatures} on the geometry's
 * {@link kernelFeatures}). (Core's phase layout plans only residues that have outputs, so a huge
 * stride costs every kernel O(problem).)
 */
export function convTransposeKernel(g: ConvTransposeGeometry): WasmConvTransposeKernel {
  return kernelForFeatures(kernelFeatures(g));
}

/**
 * The rule's decisions as (feature, threshold) pairs: the rule's side changes between
 * `threshold − 1` and `threshold`. A new decision in {@link kernelForFeatures} adds its pair here,
 * and its close calls are calibrated.
 */
export const KERNEL_DECISIONS: readonly {
  readonly feature: keyof KernelFeatures;
  readonly threshold: number;
}[] = [
  { feature: 'inChannelsPerGroup', threshold: THIN_MAX_CHANNELS + 1 },
  { feature: 'outChannelsPerGroup', threshold: PHASES_MIN_OUT_CHANNELS },
  { feature: 'positions', threshold: PHASES_MIN_POSITIONS },
];

/**
 * The kernels a call may run, the rule's first, then for each decision the shape is a close call
 * on (core's `isCloseCall`: within 2× of its threshold) the kernel the rule picks with that feature
 * moved just across the threshold — the runner-up the backend's calibrator times on the caller's
 * own calls. One kernel when no decision is close, or below core's `MIN_CALIBRATED_FLOPS`.
 * @example
 * ```ts
 * // DCGAN's RGB layer: 3 output channels (the GEMM's side of 4), 32×32 × batch 8 positions
 * convTransposeCandidates(resolveConvTranspose([8, 64, 32, 32], [64, 3, 4, 4], { stride: 2, padding: 1 })); // ['gemm', 'phases']
 * ```
 */
export function convTransposeCandidates(g: ConvTransposeGeometry): WasmConvTransposeKernel[] {
  const f = kernelFeatures(g);
  const out = [kernelForFeatures(f)];
  if (geometryFlops(g) < MIN_CALIBRATED_FLOPS) return out;
  for (const { feature, threshold } of KERNEL_DECISIONS) {
    const value = f[feature];
    if (value === undefined || !isCloseCall(value, threshold)) continue;
    const across = value < threshold ? threshold : threshold - 1;
    const k = kernelForFeatures({ ...f, [feature]: across });
    if (!out.includes(k)) out.push(k);
  }
  return out;
}

/**
 * The thread thresholds a forward call on `threads` threads may be planned with: the rule's
 * `threshold`, and, when the call's FLOPs are a close call for it (core's `isCloseCall`: within 2×),
 * the one that flips the decision — 0 (split) below it, `Infinity` (one part) above — unless that
 * gives the same split. `threadSplit` itself is unchanged: the backend's calibrator times both on
 * the caller's calls once the kernel is settled ({@link convTransposeCandidates}).
 */
export function splitThresholds(
  g: ConvTransposeGeometry | ConvGeometry,
  threads: number,
  threshold: number,
): number[] {
  const flops = geometryFlops(g);
  if (threads <= 1 || threshold <= 0 || flops < MIN_CALIBRATED_FLOPS || !isCloseCall(flops, threshold))
    return [threshold];
  const rule = threadSplit(g, threads, threshold, g.outChannelsPerGroup);
  const flipped = rule.parts > 1 ? Number.POSITIVE_INFINITY : 0;
  const other = threadSplit(g, threads, flipped, g.outChannelsPerGroup);
  return other.parts === rule.parts && other.by === rule.by ? [threshold] : [threshold, flipped];
}

/**
 * The most calls a shape explores before every calibrated choice is committed, per round: each
 * kernel, then the two thread splits (core's `CALIBRATION_ROUNDS` rounds each). A benchmark's
 * warm-up covers `CALIBRATION_ROUNDS × MAX_CALIBRATION_CANDIDATES` calls.
 */
export const MAX_CALIBRATION_CANDIDATES = KERNELS.length + 2;

/**
 * How a task is split over threads: by output channels of each group, by groups, by batch items,
 * by input channels (each part sums its share of them into an output of its own; the outputs
 * are added once every part is done), or — the lanes kernel's replacement for the input-channel
 * split ({@link lanesSplit}) — by stride phases of the last axis (each part the taps of a range of
 * residues and the outputs they reach: disjoint writes, nothing to add).
 */
export interface ThreadSplit {
  readonly by: 'channels' | 'groups' | 'batch' | 'inputChannels' | 'stridePhases';
  readonly parts: number;
}

/**
 * Residues of the last axis a stride-phase split hands out at a time: a tile of the lanes kernel
 * is 8 consecutive taps of that axis, so blocks of 8 residues keep every tile in one part.
 */
export const RESIDUE_BLOCK = 8;

/**
 * The most taps the heaviest part of a stride-phase split may hold, as a multiple of an even
 * share: blocks of 8 residues split some layers unevenly (a kernel shorter than the stride puts
 * every tap in the first blocks: k 8, stride 16 left the second part no taps at all; k 24,
 * stride 16 split 16 : 8), and those keep the input-channel split, which halves any layer.
 */
export const MAX_PHASE_IMBALANCE = 1.2;

/**
 * The residue ranges [r0, r1) of the last axis' taps (tap index modulo the last stride) that the
 * `parts` parts of a stride-phase split of `g` take, in blocks of {@link RESIDUE_BLOCK}, balanced by
 * the taps they hold; null where the split does not apply: the last axis must have dilation 1
 * (output residues then follow tap residues one to one, so the parts write disjoint outputs), a
 * stride and a kernel that are multiples of 8 (whole tiles), non-negative padding, a block per
 * part, and no part over {@link MAX_PHASE_IMBALANCE} times an even share of the taps.
 */
export function residueRanges(g: ConvTransposeGeometry, parts: number): [number, number][] | null {
  const last = g.rank - 1;
  const s = g.stride[last]!;
  const k = g.kernelSize[last]!;
  if (parts < 2 || g.dilation[last] !== 1 || g.padBegin[last]! < 0) return null;
  if (s % RESIDUE_BLOCK !== 0 || k % RESIDUE_BLOCK !== 0 || s / RESIDUE_BLOCK < parts) return null;
  // taps of each block of residues [8b, 8b + 8): 8 per whole stride of the kernel, plus the rest
  const blocks = s / RESIDUE_BLOCK;
  const taps = Array.from(
    { length: blocks },
    (_, b) =>
      RESIDUE_BLOCK * Math.floor(k / s) + Math.min(RESIDUE_BLOCK, Math.max(0, (k % s) - b * RESIDUE_BLOCK)),
  );
  const total = taps.reduce((a, b) => a + b, 0);
  const ranges: [number, number][] = [];
  let start = 0;
  let sum = 0;
  for (let b = 0; b < blocks; b++) {
    sum += taps[b]!;
    // part i (from 1) closes once the parts so far hold i / parts of the taps, or when the blocks
    // left are just enough for one per part after it
    const i = ranges.length + 1;
    if (i < parts && (sum >= (i * total) / parts || blocks - b - 1 === parts - i)) {
      ranges.push([start, (b + 1) * RESIDUE_BLOCK]);
      start = (b + 1) * RESIDUE_BLOCK;
    }
  }
  ranges.push([start, s]);
  const held = ranges.map(([r0, r1]) => {
    let n = 0;
    for (let b = r0 / RESIDUE_BLOCK; b < r1 / RESIDUE_BLOCK; b++) n += taps[b]!;
    return n;
  });
  return Math.max(...held) <= (MAX_PHASE_IMBALANCE * total) / parts ? ranges : null;
}

/**
 * A call whose forward takes at most this many FLOPs per weight element (2 × batch × input
 * positions: DCGAN's 4×4 layer, 32) is bound by copying its weights in: 8 MiB against 67 MFLOP
 * there, ~1.3 ms of a 6.5 ms one-thread call on the 2-core AMD EPYC Zen 3, which only the calling
 * thread can do (the caller's buffer is not shared memory). On two threads such a forward splits
 * its input channels ({@link copyBoundSplit}) and a backward runs its two tasks side by side.
 */
export const COPY_BOUND_MAX_FLOPS_PER_WEIGHT = 64;

/**
 * FLOPs one thread computes in the time it copies one float of an operand into linear memory: the
 * cost model that sizes the calling thread's share of an input-channel split
 * ({@link inputChannelRanges}). dcgan-4to8 on one thread (2-core AMD EPYC Zen 3): 1.34 ms to copy
 * 2^21 weights (0.64 ns each), 4.74 ms of kernel for 67.1 MFLOP (0.071 ns each): 9. A machine
 * whose ratio is half or twice this moves the share by under 3 % of the channels.
 */
export const COPY_FLOPS_PER_FLOAT = 9;

/**
 * The forward split of a call bound by its weight copy ({@link COPY_BOUND_MAX_FLOPS_PER_WEIGHT}) on
 * two threads, one item and one group: by input channels, whatever `rule` says. The worker's
 * weights (the rows of its channels, contiguous in [Cin, Cout, ...k]) are then copied before it
 * starts and the calling thread's after, while the worker computes; an output-channel split's
 * rows are spread over every input channel, so the worker waited for the whole copy.
 */
export function copyBoundSplit(
  g: ConvTransposeGeometry | ConvGeometry,
  rule: ThreadSplit,
  threads: number,
): ThreadSplit {
  if (threads !== 2 || rule.parts < 2 || g.kind !== 'convTranspose') return rule;
  const weights = g.weightShape.reduce((a, b) => a * b, 1);
  if (geometryFlops(g) > COPY_BOUND_MAX_FLOPS_PER_WEIGHT * weights) return rule;
  return inputChannelParts(g, threads) === 2 ? { by: 'inputChannels', parts: 2 } : rule;
}

/**
 * The split a forward call on `g` with `kernel` takes on `threads` threads: the rule's
 * ({@link threadSplit}), by input channels where the weight copy bounds it ({@link copyBoundSplit}),
 * by stride phases where the lanes kernel can ({@link lanesSplit}). The planner's one chain of
 * split decisions (tests and the warm-up's probes ask it too).
 */
export function forwardSplit(
  g: ConvTransposeGeometry | ConvGeometry,
  threads: number,
  threshold: number,
  kernel: WasmConvTransposeKernel | null,
): ThreadSplit {
  const rule = threadSplit(g, threads, threshold, g.outChannelsPerGroup);
  return lanesSplit(g, copyBoundSplit(g, rule, threads), kernel);
}

/**
 * The split of a forward call whose kernel is `kernel`: the rule's ({@link threadSplit}), except
 * that the lanes kernel takes a stride-phase split where the rule splits input channels and
 * {@link residueRanges} applies (the iSTFT layer: stride 512, 2048 taps): no second output to
 * fill and add after the join, and the same sums in the same order as one thread.
 */
export function lanesSplit(
  g: ConvTransposeGeometry | ConvGeometry,
  rule: ThreadSplit,
  kernel: WasmConvTransposeKernel | null,
): ThreadSplit {
  if (kernel !== 'lanes' || g.kind !== 'convTranspose' || rule.by !== 'inputChannels') return rule;
  return residueRanges(g, rule.parts) ? { by: 'stridePhases', parts: rule.parts } : rule;
}

/**
 * A transposed convolution with too few output channels per group to split them splits its input
 * channels when each output element takes at least this many FLOPs: adding a part's output into
 * the result then costs under 1/128 of the part's work (the iSTFT layer: 4000 FLOPs per output).
 */
export const MIN_SUMMED_FLOPS_PER_OUTPUT = 256;

/**
 * Parts an input-channel split of `g` has: only a transposed convolution of one batch item and one
 * group (its operands are then contiguous per input channel: weight [Cin, Cout, ...k]), at least
 * {@link MIN_THREADED_CHANNELS} input channels per part; 1 when it does not apply.
 */
function inputChannelParts(g: ConvTransposeGeometry | ConvGeometry, threads: number): number {
  if (g.kind !== 'convTranspose' || g.batch !== 1 || g.groups !== 1) return 1;
  const outputs = g.outputShape.reduce((a, b) => a * b, 1);
  if (geometryFlops(g) < MIN_SUMMED_FLOPS_PER_OUTPUT * outputs) return 1;
  return Math.max(1, Math.min(threads, Math.floor(g.inChannels / MIN_THREADED_CHANNELS)));
}

/**
 * Parts a weight gradient's batch split has (each part sums the gradient over its items into a
 * buffer of its own; the buffers are added after the join): only with one group (groups split by
 * groups), when each gradient element takes at least {@link MIN_SUMMED_FLOPS_PER_OUTPUT} FLOPs, so
 * the additions cost under 1/128 of the work (DCGAN's RGB layer: 16 384 per element), and when the
 * items divide evenly: with 3 items on 2 threads one thread would carry half the input gradient
 * and two thirds of this one, more than the whole of either task that side by side gives it. 1
 * when it does not apply.
 */
function summedBatchParts(g: ConvTransposeGeometry | ConvGeometry, threads: number): number {
  if (g.groups !== 1 || g.batch < 2) return 1;
  const weights = g.weightShape.reduce((a, b) => a * b, 1);
  if (geometryFlops(g) < MIN_SUMMED_FLOPS_PER_OUTPUT * weights) return 1;
  const parts = Math.min(threads, g.batch);
  return g.batch % parts === 0 ? parts : 1;
}

/**
 * How a task on `g` that can split `channels` (per group) is split over threads: one part below the
 * thresholds (unless `threshold` is 0, which splits everything); else by channels when there are
 * at least {@link MIN_THREADED_CHANNELS} of them, else by groups when there are several (depthwise),
 * else by batch items when there are several (a layer with 3 output channels and a batch of 8 gains
 * from threads too), else by input channels where {@link inputChannelParts} allows (the iSTFT
 * layer: one output channel, one item), else by the channels there are. A weight gradient (`task`
 * `'weightGradient'`: its sum runs over the batch) splits batch items only where
 * {@link summedBatchParts} allows — each part then sums its items into a gradient of its own — and
 * never its input channels.
 */
export function threadSplit(
  g: ConvTransposeGeometry | ConvGeometry,
  threads: number,
  threshold: number,
  channels: number,
  task: 'forward' | 'weightGradient' = 'forward',
): ThreadSplit {
  const one: ThreadSplit = { by: 'channels', parts: 1 };
  if (threads <= 1 || (threshold > 0 && geometryFlops(g) < threshold)) return one;
  const enoughChannels = channels >= MIN_THREADED_CHANNELS;
  const forward = task === 'forward';
  if (!enoughChannels && g.groups > 1) return { by: 'groups', parts: Math.min(threads, g.groups) };
  const items = enoughChannels ? 1 : forward ? Math.min(threads, g.batch) : summedBatchParts(g, threads);
  if (items > 1) return { by: 'batch', parts: items };
  const summed = !enoughChannels && forward ? inputChannelParts(g, threads) : 1;
  if (summed > 1) return { by: 'inputChannels', parts: summed };
  if (!enoughChannels && threshold > 0) return one;
  return { by: 'channels', parts: Math.max(1, Math.min(threads, channels)) };
}

/**
 * The weight-gradient kernels: `'phases'` splits b's rows into the stride phases of the last axis
 * and sums dot products along a's rows (assembly/weight-gradient-phases.ts: no transposes, no
 * gathers, one horizontal sum per weight element and batch item); `'gemm'` transposes chunks of
 * positions and multiplies them (assembly/weight-gradient.ts). Both compute every geometry.
 */
export type WasmWeightGradientKernel = 'phases' | 'gemm';

/**
 * What each kernel pays besides its multiply-adds: the GEMM a gathered copy of b per position and
 * column, against 2 · rows FLOPs each (so ∝ 1 / a's rows per group); the phases a row setup per
 * row of `a` and tile, against its positions (∝ 1 / a's row length). So the phases take a call
 * when a's rows per group are at most this many times its row length. Same interleaved runs,
 * loaded 2-core EPYC, weight-gradient kernel min ms GEMM against phases: fcn-up8 (21 rows of 16)
 * 8.6 against 3.7, dcgan-16to32 (128 rows of 16) 2.8 against 3.3+, vol-3d (32 rows of 16) 10.9
 * against 10.8, dcgan-rgb-b8 (64 of 32) 3.0 against 2.5, unet-up-k2s2 (256 of 32) 24.4 against 26.0.
 */
export const WEIGHT_GRADIENT_PHASES_MAX_ROWS_PER_POSITION = 2;

/**
 * The phases of b one block of channels holds, in elements (128 KiB of float32): every row tile of
 * `a` passes over the block, so it stays in L2 (all of a U-Net layer's 128 channels, 2 MiB, went
 * to memory and back for each of its 64 row tiles).
 */
export const WEIGHT_GRADIENT_PHASES_BLOCK_ELEMENTS = 1 << 15;

/** Below this many positions along a's last axis the phases have no whole vector to sum. */
export const WEIGHT_GRADIENT_PHASES_MIN_ROW = 4;

/**
 * The weight-gradient kernel by shape: the phases when a's rows hold at least
 * {@link WEIGHT_GRADIENT_PHASES_MIN_ROW} positions and its rows per group (`aPerGroup`) are at most
 * {@link WEIGHT_GRADIENT_PHASES_MAX_ROWS_PER_POSITION} × that row length, else the GEMM.
 */
export function weightGradientKernel(aPerGroup: number, rowLength: number): WasmWeightGradientKernel {
  if (rowLength < WEIGHT_GRADIENT_PHASES_MIN_ROW) return 'gemm';
  return aPerGroup <= WEIGHT_GRADIENT_PHASES_MAX_ROWS_PER_POSITION * rowLength ? 'phases' : 'gemm';
}

/**
 * Below this many outputs along the last axis the stride-phase convolution (assembly/conv-phases.ts:
 * tiles of 8 outputs of one row) runs mostly empty tiles, and the backward's input gradient takes the
 * column-buffer GEMM (DCGAN's 4×4 layer: rows of 4).
 */
export const CONV_PHASES_MIN_ROW = 8;

/**
 * Whether the backward's input gradient (the convolution `g`) takes the stride-phase convolution:
 * rows of at least {@link CONV_PHASES_MIN_ROW} outputs and at least {@link PANEL_TILE_CHANNELS}
 * output channels per group (its tiles' channels; depthwise keeps the GEMM, whose one-channel rows
 * waste nothing).
 */
export function convPhasesFits(g: {
  readonly outputSize: readonly number[];
  readonly outChannelsPerGroup: number;
}): boolean {
  return (
    g.outputSize[g.outputSize.length - 1]! >= CONV_PHASES_MIN_ROW &&
    g.outChannelsPerGroup >= PANEL_TILE_CHANNELS
  );
}

/**
 * At most this many output positions per plane, the backward's input gradient that does not take
 * the stride phases takes the dot-product convolution (assembly/conv-dot.ts: each position's reads
 * gathered once, dot products with the weights read in place) instead of the column-buffer GEMM,
 * which packs every weight per call (DCGAN's 4×4 layer: 16 positions, 8 MiB of weights).
 */
export const CONV_DOT_MAX_POSITIONS = 64;

/** Whether the backward's input gradient (the convolution `g`) takes the dot-product convolution. */
export function convDotFits(g: { readonly outputSize: readonly number[] }): boolean {
  return g.outputSize.reduce((a, b) => a * b, 1) <= CONV_DOT_MAX_POSITIONS;
}
