// Laying out the weight gradient of a backward call (the input gradient is a forward task on the
// adjoint geometry, layout.ts): per part its parameter block and scratch, for the kernel
// weightGradientKernel (kernel-choice.ts) picks — the stride phases of the last axis
// (assembly/weight-gradient-phases.ts) or the transposed chunks and GEMM (assembly/weight-gradient.ts).
import type { ConvGeometry, ConvTransposeGeometry } from '@tconv/core';
import { product } from '@tconv/core';
import type { ThreadSplit } from './kernel-choice';
import { COLS_ELEMENTS, WEIGHT_GRADIENT_PHASES_BLOCK_ELEMENTS, weightGradientKernel } from './kernel-choice';
import type { Arena, Part } from './layout';
import { channelRanges, setAxes } from './layout';
import { BLOCKS, blockWords, ROW_PITCH_SLACK, wordIndex } from './param-layout';

const WG = wordIndex('weightGradient');
const WP = wordIndex('weightGradientPhases');

/** Operands of a weight-gradient task (see assembly/weight-gradient.ts for `a` and `b`). */
export interface WeightGradientOperands {
  readonly input: number;
  readonly gradOutput: number;
  readonly out: number;
}

/** One side of the weight gradient's sum: where it is, its plane's sizes, its channels. */
interface Side {
  readonly at: number;
  readonly size: readonly number[];
  readonly channels: number;
  readonly perGroup: number;
}

const floorDiv = (a: number, b: number): number => Math.floor(a / b);

/**
 * The parts of a weight-gradient task for the forward geometry `g`: the channels of `b` (gradOutput's
 * of a transposed convolution, the input's of a convolution) split over `parts` threads (or its
 * groups, each part then the whole geometry on fewer groups from shifted operands; or its batch
 * items, each part summing its items into a gradient of its own, added after the join).
 */
export function weightGradientTask(
  g: ConvTransposeGeometry | ConvGeometry,
  ops: WeightGradientOperands,
  split: ThreadSplit,
  mem: Arena,
): Part[] {
  if (split.by === 'groups') {
    // a part computes the weight gradient of groups [g0, g1), from shifted operands
    const inGroup = g.inChannelsPerGroup * product(g.inputSize) * 4;
    const outGroup = g.outChannelsPerGroup * product(g.outputSize) * 4;
    const weightGroup = (product(g.weightShape) / g.groups) * 4;
    return channelRanges(g.groups, split.parts).flatMap(([g0, g1]) =>
      weightGradientTask(
        { ...g, groups: g1 - g0 },
        {
          input: ops.input + g0 * inGroup,
          gradOutput: ops.gradOutput + g0 * outGroup,
          out: ops.out + g0 * weightGroup,
        },
        { by: 'channels', parts: 1 },
        mem,
      ),
    );
  }
  if (split.by === 'batch') {
    // part i sums items [n0, n1) from shifted operands into a gradient of its own (part 0's is
    // the result); the others are added into it after the join, in part order
    const inItem = g.inChannels * product(g.inputSize) * 4;
    const outItem = g.outChannels * product(g.outputSize) * 4;
    const length = product(g.weightShape);
    return channelRanges(g.batch, split.parts).map(([n0, n1], i) => {
      const out = i === 0 ? ops.out : mem.take(length);
      const [own] = weightGradientTask(
        { ...g, batch: n1 - n0 },
        { input: ops.input + n0 * inItem, gradOutput: ops.gradOutput + n0 * outItem, out },
        { by: 'channels', parts: 1 },
        mem,
      );
      return i === 0 ? own! : { ...own!, sum: { from: out, into: ops.out, length } };
    });
  }
  const transposed = g.kind === 'convTranspose';
  const a: Side = transposed
    ? { at: ops.input, size: g.inputSize, channels: g.inChannels, perGroup: g.inChannelsPerGroup }
    : { at: ops.gradOutput, size: g.outputSize, channels: g.outChannels, perGroup: g.outChannelsPerGroup };
  const b: Side = transposed
    ? { at: ops.gradOutput, size: g.outputSize, channels: g.outChannels, perGroup: g.outChannelsPerGroup }
    : { at: ops.input, size: g.inputSize, channels: g.inChannels, perGroup: g.inChannelsPerGroup };
  const kernel = weightGradientKernel(a.perGroup, a.size[g.rank - 1]!);
  return channelRanges(b.perGroup, split.parts).map(([c0, c1]) =>
    kernel === 'phases' ? phasesPart(g, a, b, ops.out, c0, c1, mem) : gemmPart(g, a, b, ops.out, c0, c1, mem),
  );
}

/** Writes the words both weight-gradient blocks share, at their indices in `index`. */
function commonWords(
  words: Int32Array,
  index: typeof WG | typeof WP,
  g: ConvTransposeGeometry | ConvGeometry,
  a: Side,
  b: Side,
  out: number,
  c0: number,
  c1: number,
): void {
  words[index.rank] = g.rank;
  words[index.batch] = g.batch;
  words[index.groups] = g.groups;
  words[index.aChannels] = a.channels;
  words[index.aPerGroup] = a.perGroup;
  words[index.bChannels] = b.channels;
  words[index.bPerGroup] = b.perGroup;
  words[index.a] = a.at;
  words[index.b] = b.at;
  words[index.out] = out;
  words[index.c0] = c0;
  words[index.c1] = c1;
}

/**
 * One part of the stride-phase weight gradient: its block, its table (per tap and row of `a`, and
 * the kernel's own words), and the phases of one block of its channels of b.
 */
function phasesPart(
  g: ConvTransposeGeometry | ConvGeometry,
  a: Side,
  b: Side,
  out: number,
  c0: number,
  c1: number,
  mem: Arena,
): Part {
  const scalars = blockWords('weightGradientPhases');
  const words = new Int32Array(scalars + BLOCKS.weightGradientPhases.axes.length * g.rank);
  const at = mem.take(words.length);
  const last = g.rank - 1;
  const K = product(g.kernelSize);
  const nAL = a.size[last]!;
  const s = g.stride[last]!;
  const pad = g.padBegin[last]!;
  // the shifts of the last axis' taps: tap k reads phase row element i + shift_k
  const minShift = floorDiv(-pad, s);
  const maxShift = floorDiv((g.kernelSize[last]! - 1) * g.dilation[last]! - pad, s);
  const phaseLength = nAL + maxShift - minShift;
  const bRows = product(b.size) / b.size[last]!;
  const aRows = product(a.size) / nAL;
  const channelFloats = bRows * s * phaseLength;
  const blockChannels = Math.max(
    1,
    Math.min(c1 - c0, Math.floor(WEIGHT_GRADIENT_PHASES_BLOCK_ELEMENTS / channelFloats)),
  );
  commonWords(words, WP, g, a, b, out, c0, c1);
  // per (tap, row of a) one word, then the kernel's context (8 words)
  words[WP.table] = mem.take(K * aRows + 8);
  words[WP.phased] = mem.take(blockChannels * channelFloats + phaseLength);
  words[WP.blockChannels] = blockChannels;
  words[WP.phaseLength] = phaseLength;
  words[WP.minShift] = minShift;
  setAxes(words, scalars, g.rank, [a.size, b.size, g.kernelSize, g.stride, g.dilation, g.padBegin]);
  return { entry: 'weightGradientPhases', at, words };
}

/** One part of the GEMM weight gradient: transposed chunks of at most {@link COLS_ELEMENTS} elements. */
function gemmPart(
  g: ConvTransposeGeometry | ConvGeometry,
  a: Side,
  b: Side,
  out: number,
  c0: number,
  c1: number,
  mem: Arena,
): Part {
  const K = product(g.kernelSize);
  const aPlane = product(a.size);
  const scalars = blockWords('weightGradient');
  const words = new Int32Array(scalars + BLOCKS.weightGradient.axes.length * g.rank);
  const at = mem.take(words.length);
  // the tap table (coordinates and b's strides), then 4 words per tap of per-row runs
  const table = mem.take((K + 1) * g.rank + 4 * K);
  const perPosition = a.perGroup + (c1 - c0) * K;
  // whole rows of positions (the last axis) per chunk: one row is the least it holds
  const rowLength = a.size[g.rank - 1]!;
  const chunk = Math.max(rowLength, Math.min(aPlane, Math.floor(COLS_ELEMENTS / perPosition)));
  commonWords(words, WG, g, a, b, out, c0, c1);
  words[WG.aT] = mem.take(chunk * a.perGroup);
  words[WG.bT] = mem.take(chunk * ((c1 - c0) * K + ROW_PITCH_SLACK));
  words[WG.chunk] = chunk;
  words[WG.table] = table;
  setAxes(words, scalars, g.rank, [a.size, b.size, g.kernelSize, g.stride, g.dilation, g.padBegin]);
  return { entry: 'weightGradient', at, words };
}
