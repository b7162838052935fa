// Where everything of one call lives in linear memory, planned before any memory is touched: the
// operands and outputs, then per kernel task and per part (a thread's share) its parameter block
// (src/param-layout.ts) and scratch. A planned job is plain data: byte offsets, the words to write
// and the operands to copy, so the memory limit is checked before anything is grown or copied.
import type { ConvGeometry, ConvTransposeGeometry } from '@tconv/core';
import { geometryFlops } from '@tconv/core';
import type { ThreadSplit } from './kernel-choice';
import {
  COLS_ELEMENTS,
  COPY_FLOPS_PER_FLOAT,
  MIN_THREADED_CHANNELS,
  PANEL_ELEMENTS,
  residueRanges,
} from './kernel-choice';
import {
  BLOCKS,
  blockWords,
  GEMM_PANEL_COLUMNS,
  PANEL_TAP_PADDING,
  PANEL_TILE_CHANNELS,
  ROW_PITCH_SLACK,
  wordIndex,
} from './param-layout';
import type { PhasePlan } from './phase-plan';

/** The exported kernel functions; each takes the address of its parameter block. */
export type KernelEntry =
  | 'convTranspose'
  | 'convTransposePhases'
  | 'convTransposeThin'
  | 'convTransposeLanes'
  | 'conv'
  | 'weightGradient'
  | 'weightGradientPhases'
  | 'convPhases'
  | 'convDot';

/** The exports of the compiled kernels. */
export interface KernelExports extends Record<KernelEntry, (params: number) => void> {
  heapBase(): number;
  layoutVersion(): number;
  /** How many of the `length` floats at byte `at` are ±Infinity or NaN (assembly/output.ts). */
  nonFinite(at: number, length: number): number;
  /** ∂L/∂bias of the gradOutput at byte `gy` into `channels` floats at byte `out` (assembly/output.ts). */
  biasGradient(gy: number, out: number, batch: number, channels: number, spatial: number): void;
}

/** One part of a kernel task: the kernel, where its parameter block goes, and the block's words. */
export interface Part {
  readonly entry: KernelEntry;
  readonly at: number;
  readonly words: Int32Array;
  /**
   * A part of an input-channel split (or of a weight gradient's batch split) writes an output of
   * its own: `length` floats at byte `from`, added into those at `into` once every part of the job
   * is done.
   */
  readonly sum?: { readonly from: number; readonly into: number; readonly length: number };
  /**
   * The ranges of the output (byte offset, floats) this part alone writes, when a split says: the
   * calling thread copies its parts' out while the workers finish theirs.
   */
  readonly writes?: readonly (readonly [number, number])[];
  /**
   * The index of a job output this part alone writes, all of it: a worker that runs the part
   * copies that output out of the shared memory itself, after its parts, and hands it over with
   * its reply (the buffer moved, not copied again), so the calling thread does not copy it after
   * the join (a large weight gradient computed beside the calling thread's input gradient). Only a
   * worker's part (index > 0 in its task) is honoured; the calling thread's outputs are copied
   * after the join as always.
   */
  readonly copiesOut?: number;
}

/** A planned call: the operands to copy in, the tasks (each split into parts), the outputs. */
export interface Job {
  /**
   * Operands copied into memory before any part runs — except past the first `early` floats of
   * one, copied after the workers have their parts and before the calling thread runs its own:
   * only the calling thread's parts may read those (a backward's weights, `early` 0, when the
   * input gradient runs on the calling thread and the weight gradient, which does not read them,
   * on a worker; the calling thread's weight rows of an input-channel split, after the workers'),
   * so their copy overlaps the workers' work.
   */
  readonly inputs: { readonly at: number; data: Float32Array; readonly early?: number }[];
  /** Tasks in order; part i of every task runs on thread i (tasks are independent). */
  readonly tasks: readonly (readonly Part[])[];
  /** Results read back after every part is done. */
  readonly outputs: readonly { readonly at: number; readonly length: number }[];
  /** Bytes of linear memory the job needs. */
  readonly end: number;
  /**
   * Run once every part is done, with views of the inputs as copied into memory and the outputs
   * read back: fixes what the float32 kernels could not (core's one overflow rule).
   */
  readonly finish?: (inputs: readonly Float32Array[], outputs: Float32Array[]) => void;
  /**
   * The floats `finish` fixes (an output's, by byte offset and count): a split job's worker scans
   * them for a non-finite value while the calling thread copies the outputs out (an unthreaded
   * job's calling thread scans them with the kernels' SIMD `nonFinite`), and `finish` runs only if
   * there is one (a JavaScript scan alone was up to 15 % of a call, a third of a depthwise one).
   */
  readonly check?: { readonly at: number; readonly length: number };
  /**
   * A backward's bias gradient: the gradOutput at byte `gy` ([batch][channels][spatial]) summed
   * per channel into `channels` floats at byte `out` (one of the job's outputs) by the calling
   * thread after its own parts, while the workers finish theirs — a JavaScript loop before the job
   * took 0.15–0.59 ms of the calling thread per backward on the bench's layers.
   */
  readonly biasGradient?: {
    readonly gy: number;
    readonly out: number;
    readonly batch: number;
    readonly channels: number;
    readonly spatial: number;
  };
}

const align = (n: number): number => Math.ceil(n / 16) * 16;
const prod = (a: readonly number[]): number => a.reduce((p, v) => p * v, 1);

/** A bump allocator of 16-byte aligned byte ranges from `base`. */
export interface Arena {
  /** Reserves `floats` 4-byte words and returns their byte offset. */
  take(floats: number): number;
  /** The first byte past everything taken. */
  readonly end: number;
}

/** An {@link Arena} from `base`. */
export function arena(base: number): Arena {
  let at = align(base);
  return {
    take(floats) {
      const start = at;
      at = align(at + floats * 4);
      return start;
    },
    get end() {
      return at;
    },
  };
}

/** Channel ranges [c0, c1) of `parts` near-equal parts of `channels`. */
export function channelRanges(channels: number, parts: number): [number, number][] {
  return Array.from({ length: parts }, (_, i) => [
    Math.floor((i * channels) / parts),
    Math.floor(((i + 1) * channels) / parts),
  ]);
}

/**
 * The input channels [c0, c1) of each part of an input-channel split of `g`, in part order: the
 * workers' parts take the first ranges and the calling thread's (part 0) the last, so the weights
 * the workers read come first in memory and are copied before they start, the calling thread's
 * after. On two threads the calling thread's share is smaller by the time it spends on that copy:
 * with C the copy and K the kernels' time, it finishes at C + m·K and the worker at
 * (1 − m)·(C + K), equal at m = 1 / (2 + C/K), C/K from {@link COPY_FLOPS_PER_FLOAT} (dcgan-4to8:
 * 0.28, so 0.44 of the channels; the iSTFT layer on the GEMM, 0.04: 0.49); each part keeps at least
 * {@link MIN_THREADED_CHANNELS}.
 */
export function inputChannelRanges(
  g: ConvTransposeGeometry | ConvGeometry,
  parts: number,
): [number, number][] {
  const cin = g.inChannels;
  if (parts === 2) {
    const weights = g.weightShape.reduce((a, b) => a * b, 1);
    const copyOverKernels = (COPY_FLOPS_PER_FLOAT * weights) / geometryFlops(g);
    const own = Math.round(cin / (2 + copyOverKernels));
    const main = Math.min(cin - MIN_THREADED_CHANNELS, Math.max(MIN_THREADED_CHANNELS, own));
    return [
      [cin - main, cin],
      [0, cin - main],
    ];
  }
  const equal = channelRanges(cin, parts);
  return [equal[parts - 1]!, ...equal.slice(0, parts - 1)];
}

/** The operand addresses of a forward kernel task. */
export interface ForwardOperands {
  readonly x: number;
  readonly w: number;
  /** 0 without a bias. */
  readonly bias: number;
  readonly out: number;
}

/**
 * The share of a call a part of a group split computes: groups [g0, g1) as a geometry of fewer
 * groups, from shifted operands (channel strides stay the full tensors').
 */
export function groupShare<G extends ConvTransposeGeometry | ConvGeometry>(
  g: G,
  ops: ForwardOperands,
  g0: number,
  g1: number,
): { geometry: G; ops: ForwardOperands } {
  const inGroup = g.inChannelsPerGroup * prod(g.inputSize) * 4;
  const outGroup = g.outChannelsPerGroup * prod(g.outputSize) * 4;
  const weightGroup = (prod(g.weightShape) / g.groups) * 4;
  return {
    geometry: { ...g, groups: g1 - g0 },
    ops: {
      x: ops.x + g0 * inGroup,
      w: ops.w + g0 * weightGroup,
      bias: ops.bias ? ops.bias + g0 * g.outChannelsPerGroup * 4 : 0,
      out: ops.out + g0 * outGroup,
    },
  };
}

/** The share of a call a part of a batch split computes: items [n0, n1), from shifted operands. */
export function batchShare<G extends ConvTransposeGeometry | ConvGeometry>(
  g: G,
  ops: ForwardOperands,
  n0: number,
  n1: number,
): { geometry: G; ops: ForwardOperands } {
  const inItem = g.inChannels * prod(g.inputSize) * 4;
  const outItem = g.outChannels * prod(g.outputSize) * 4;
  return {
    geometry: { ...g, batch: n1 - n0 },
    ops: { ...ops, x: ops.x + n0 * inItem, out: ops.out + n0 * outItem },
  };
}

const D = wordIndex('direct');
const P = wordIndex('phases');
const L = wordIndex('lanes');

/** Writes per-axis fields after a block's scalars, in the schema's order. */
export function setAxes(
  words: Int32Array,
  scalars: number,
  rank: number,
  fields: readonly (readonly number[])[],
): void {
  fields.forEach((values, f) => words.set(values, scalars + f * rank));
}

/** One part of the direct kernels (GEMM + col2im transposed convolution, or the convolution). */
function directPart(
  kind: 'convTranspose' | 'conv',
  g: ConvTransposeGeometry | ConvGeometry,
  ops: ForwardOperands,
  c0: number,
  c1: number,
  mem: Arena,
): Part {
  const K = prod(g.kernelSize);
  const scalars = blockWords('direct');
  const words = new Int32Array(scalars + BLOCKS.direct.axes.length * g.rank);
  const at = mem.take(words.length);
  const table = mem.take(K * g.rank + g.rank);
  let colsCapacity: number;
  let packed = 0;
  let columnPanel = 0;
  if (kind === 'convTranspose') {
    columnPanel = mem.take(g.inChannelsPerGroup * GEMM_PANEL_COLUMNS);
    // the kernel tiles rows of cols and input rows so cols stays within the capacity; one input
    // row is the least it can hold
    const nLast = g.inputSize[g.rank - 1]!;
    colsCapacity = Math.max(nLast, Math.min(COLS_ELEMENTS, (c1 - c0) * K * prod(g.inputSize)));
  } else {
    // the convolution gathers whole output rows for every (input channel, tap): one row of them
    // is the least it can hold; its part's weights are packed transposed
    const depth = g.inChannelsPerGroup * K;
    const rowLength = g.outputSize[g.rank - 1]!;
    colsCapacity = Math.max(depth * rowLength, Math.min(COLS_ELEMENTS, depth * prod(g.outputSize)));
    packed = mem.take(depth * Math.ceil((c1 - c0) / PANEL_TILE_CHANNELS) * PANEL_TILE_CHANNELS);
  }
  const cols = mem.take(colsCapacity + (kind === 'conv' ? g.inChannelsPerGroup * K * ROW_PITCH_SLACK : 0));
  words[D.rank] = g.rank;
  words[D.batch] = g.batch;
  words[D.inChannels] = g.inChannels;
  words[D.outChannels] = g.outChannels;
  words[D.groups] = g.groups;
  words[D.inChannelsPerGroup] = g.inChannelsPerGroup;
  words[D.outChannelsPerGroup] = g.outChannelsPerGroup;
  words[D.x] = ops.x;
  words[D.w] = ops.w;
  words[D.out] = ops.out;
  words[D.bias] = ops.bias;
  words[D.cols] = cols;
  words[D.colsCapacity] = colsCapacity;
  words[D.table] = table;
  words[D.c0] = c0;
  words[D.c1] = c1;
  words[D.packed] = packed;
  words[D.columnPanel] = columnPanel;
  setAxes(words, scalars, g.rank, [
    g.inputSize,
    g.outputSize,
    g.kernelSize,
    g.stride,
    g.dilation,
    g.padBegin,
  ]);
  return { entry: kind, at, words };
}

/** One part of the stride-phase kernels: the plan's block and tables, its margined input and panel. */
function phasePart(
  g: ConvTransposeGeometry,
  plan: PhasePlan,
  ops: ForwardOperands,
  c0: number,
  c1: number,
  mem: Arena,
): Part {
  if (plan.kernel === 'lanes') return lanesPart(g, plan, ops, c0, c1, mem);
  const words = plan.words.slice();
  const at = mem.take(words.length);
  let panel = 0;
  let blockChannels = 0;
  let padded: number;
  if (plan.kernel === 'thin') {
    padded = mem.take(plan.paddedElements);
  } else {
    padded = mem.take(g.batch * plan.paddedElements);
    // per tile of PANEL_TILE_CHANNELS channels: each tap's weights and its padding
    const taps = plan.depth / g.inChannelsPerGroup;
    const tileElements = plan.depth * PANEL_TILE_CHANNELS + taps * PANEL_TAP_PADDING;
    const tiles = Math.max(
      1,
      Math.min(Math.floor(PANEL_ELEMENTS / tileElements), Math.ceil((c1 - c0) / PANEL_TILE_CHANNELS)),
    );
    blockChannels = tiles * PANEL_TILE_CHANNELS;
    panel = mem.take(tiles * tileElements);
  }
  words[P.x] = ops.x;
  words[P.w] = ops.w;
  words[P.out] = ops.out;
  words[P.bias] = ops.bias;
  words[P.c0] = c0;
  words[P.c1] = c1;
  words[P.padded] = padded;
  words[P.panel] = panel;
  words[P.blockChannels] = blockChannels;
  return { entry: plan.kernel === 'thin' ? 'convTransposeThin' : 'convTransposePhases', at, words };
}

/**
 * One part of the lanes kernel (assembly/lanes.ts): the plan's block, the packed input of every
 * batch item of one group, a block of packed W tiles (8 rows of Wᵀ each, at most
 * {@link PANEL_ELEMENTS} floats unless one tile is more), and the lead table.
 */
function lanesPart(
  g: ConvTransposeGeometry,
  plan: PhasePlan,
  ops: ForwardOperands,
  c0: number,
  c1: number,
  mem: Arena,
): Part {
  const words = plan.words.slice();
  const at = mem.take(words.length);
  const last = g.rank - 1;
  const tileFloats = g.inChannelsPerGroup * 8;
  const K = prod(g.kernelSize);
  // tiles of 8 rows of Wᵀ counted from the group's first row (the kernel's split-independent order)
  const tiles = Math.ceil((c1 * K) / 8) - Math.floor((c0 * K) / 8);
  const blockTiles = Math.max(1, Math.min(tiles, Math.floor(PANEL_ELEMENTS / tileFloats)));
  const leadRows = prod(g.inputSize) / g.inputSize[last]!;
  const leadTaps = K / g.kernelSize[last]!;
  words[L.batch] = g.batch;
  words[L.groups] = g.groups;
  words[L.x] = ops.x;
  words[L.w] = ops.w;
  words[L.out] = ops.out;
  words[L.bias] = ops.bias;
  words[L.c0] = c0;
  words[L.c1] = c1;
  words[L.packedX] = mem.take(g.batch * plan.paddedElements);
  words[L.packedW] = mem.take(blockTiles * tileFloats);
  words[L.blockTiles] = blockTiles;
  // the lead table, then (16-byte aligned, so 4 floats of slack) a tile's 8 sums
  words[L.leadTable] = mem.take(leadRows * leadTaps + 36);
  return { entry: 'convTransposeLanes', at, words };
}

/**
 * The parts of a forward task: output channels of each group split over `split.parts` threads, or
 * batch items (each part then runs the whole geometry on its items, from shifted operands), with
 * the stride-phase `plan` for a transposed convolution that has one, else the direct kernel. A
 * stride-phase split needs the lanes kernel's plan: without it (a job laid out again without its
 * plan to fit the memory limit) it is the input-channel split it replaces.
 */
export function forwardTask(
  g: ConvTransposeGeometry | ConvGeometry,
  ops: ForwardOperands,
  plan: PhasePlan | null,
  split: ThreadSplit,
  mem: Arena,
  planOf: (g: ConvTransposeGeometry) => PhasePlan | null = () => plan,
): Part[] {
  if (split.by === 'stridePhases') {
    const ranges =
      plan?.kernel === 'lanes' && g.kind === 'convTranspose' ? residueRanges(g, split.parts) : null;
    if (ranges && g.kind === 'convTranspose') {
      // every part runs all channels on its residues; the output is copied out after the join
      // (a part's writes are a run per stride of each row: too many ranges to copy early)
      return ranges.map(([r0, r1]) => {
        const own = lanesPart(g, plan!, ops, 0, g.outChannelsPerGroup, mem);
        own.words[L.residueLo] = r0;
        own.words[L.residueHi] = r1;
        return own;
      });
    }
    return forwardTask(g, ops, plan, { by: 'inputChannels', parts: split.parts }, mem, planOf);
  }
  const part = (geometry: typeof g, at: ForwardOperands, c0: number, c1: number, own = plan): Part => {
    if (!own || geometry.kind !== 'convTranspose')
      return directPart(geometry.kind, geometry, at, c0, c1, mem);
    const phases = phasePart(geometry, own, at, c0, c1, mem);
    // a part of a batch or group split runs the plan on fewer items or groups
    phases.words[P.batch] = geometry.batch;
    phases.words[P.groups] = geometry.groups;
    return phases;
  };
  const outPlane = prod(g.outputSize);
  /** Ranges of `count` floats from float `first` of the output, one per batch item. */
  const perItem = (first: number, count: number): [number, number][] =>
    Array.from({ length: g.batch }, (_, n) => [ops.out + (n * g.outChannels * outPlane + first) * 4, count]);
  if (split.by === 'channels') {
    const coutG = g.outChannelsPerGroup;
    // one part: nothing to copy out early (a depthwise layer's writes were a range per group and item)
    if (split.parts === 1) return [part(g, ops, 0, coutG)];
    return channelRanges(coutG, split.parts).map(([c0, c1]) => ({
      ...part(g, ops, c0, c1),
      writes: Array.from({ length: g.groups }, (_, k) =>
        perItem((k * coutG + c0) * outPlane, (c1 - c0) * outPlane),
      ).flat(),
    }));
  }
  if (split.by === 'groups') {
    return channelRanges(g.groups, split.parts).map(([g0, g1]) => {
      const share = groupShare(g, ops, g0, g1);
      return {
        ...part(share.geometry, share.ops, 0, g.outChannelsPerGroup),
        writes: perItem(g0 * g.outChannelsPerGroup * outPlane, (g1 - g0) * g.outChannelsPerGroup * outPlane),
      };
    });
  }
  if (split.by === 'inputChannels' && g.kind === 'convTranspose') {
    // part i sums input channels [c0, c1) (one item, one group: contiguous in x and w) into an
    // output of its own, with the plan of that geometry; part 0's is the output, with the bias.
    // The calling thread's part 0 takes the last channels (inputChannelRanges)
    const inPlane = prod(g.inputSize) * 4;
    const weightRow = (prod(g.weightShape) / g.inChannels) * 4;
    const length = prod(g.outputShape);
    return inputChannelRanges(g, split.parts).map(([c0, c1], i) => {
      const sub: ConvTransposeGeometry = {
        ...g,
        inChannels: c1 - c0,
        inChannelsPerGroup: c1 - c0,
        inputShape: [g.batch, c1 - c0, ...g.inputSize],
        weightShape: [c1 - c0, ...g.weightShape.slice(1)],
      };
      const out = i === 0 ? ops.out : mem.take(length);
      const at = { x: ops.x + c0 * inPlane, w: ops.w + c0 * weightRow, bias: i === 0 ? ops.bias : 0, out };
      const own = part(sub, at, 0, g.outChannelsPerGroup, planOf(sub));
      return i === 0 ? own : { ...own, sum: { from: out, into: ops.out, length } };
    });
  }
  return channelRanges(g.batch, split.parts).map(([n0, n1]) => {
    const share = batchShare(g, ops, n0, n1);
    return {
      ...part(share.geometry, share.ops, 0, g.outChannelsPerGroup),
      writes: [[share.ops.out, (n1 - n0) * g.outChannels * outPlane]],
    };
  });
}

/** Float32 elements of a geometry's input, weight and output. */
export function tensorElements(g: ConvTransposeGeometry | ConvGeometry): {
  input: number;
  weight: number;
  output: number;
} {
  return { input: prod(g.inputShape), weight: prod(g.weightShape), output: prod(g.outputShape) };
}
