import type { GeometryBase } from '@tconv/core';
import { PANEL_ELEMENTS } from './phase-plan';

/** The geometry fields the kernels read (core's geometries have them all). */
export type KernelGeometry = Pick<
  GeometryBase,
  | 'rank'
  | 'batch'
  | 'inChannels'
  | 'outChannels'
  | 'groups'
  | 'inChannelsPerGroup'
  | 'outChannelsPerGroup'
  | 'inputSize'
  | 'outputSize'
  | 'kernelSize'
  | 'stride'
  | 'dilation'
  | 'padBegin'
>;

/**
 * The stride-phase kernels' plan (built by `phasePlan`): its parameter block with tables, the
 * margined input's size, and the packed weights per output channel.
 */
export interface KernelPlan {
  /** Which kernel runs the plan: the packed GEMM tiles, or the thin groups' row sums. */
  readonly kernel: 'phases' | 'thin';
  readonly words: Int32Array;
  readonly paddedElements: number;
  readonly depth: number;
}

/** Where the operands of one call live in linear memory (byte offsets), shared by every part. */
export interface OperandLayout {
  x: number;
  w: number;
  bias: number;
  out: number;
  end: number;
}

/**
 * Where one part of a call (output channels [c0, c1) of every group, on one thread) keeps its
 * parameter block and scratch: the tap table and column buffer (GEMM), or the margined input and
 * packed weights (phases).
 */
export interface PartLayout {
  params: number;
  table: number;
  cols: number;
  colsCapacity: number;
  padded: number;
  panel: number;
  blockChannels: number;
  end: number;
}

/** The column buffer holds at most this many elements unless one input row alone needs more. */
export const COLS_ELEMENTS = 1 << 20;

/** The exported kernel functions; each takes the address of its parameter block. */
export type KernelEntry = 'convTranspose' | 'convTransposePhases' | 'convTransposeThin' | 'conv';

/** The exports of the compiled kernels. */
export interface KernelExports extends Record<KernelEntry, (params: number) => void> {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
}

const prod = (a: readonly number[]): number => a.reduce((p, v) => p * v, 1);
const align = (n: number): number => (n + 15) & ~15;

/** Lays out input, weight, bias and output from `base`. */
export function operandLayout(
  kind: 'convTranspose' | 'conv',
  g: KernelGeometry,
  hasBias: boolean,
  base: number,
): OperandLayout {
  const K = prod(g.kernelSize);
  const x = align(base);
  const w = align(x + g.batch * g.inChannels * prod(g.inputSize) * 4);
  const weightLength =
    kind === 'convTranspose'
      ? g.inChannels * g.outChannelsPerGroup * K
      : g.outChannels * g.inChannelsPerGroup * K;
  const bias = align(w + weightLength * 4);
  const out = align(bias + (hasBias ? g.outChannels * 4 : 0));
  return { x, w, bias, out, end: align(out + g.batch * g.outChannels * prod(g.outputSize) * 4) };
}

/**
 * Lays out one part from `base`: its parameter block (with the plan's tables when there is a
 * plan), the tap table, and its scratch — the column buffer for a transposed convolution without
 * a plan (≤ {@link COLS_ELEMENTS} unless one input row needs more), the margined input of every
 * batch item and the packed weights for the phases (≤ {@link PANEL_ELEMENTS} unless one tile of 4
 * output channels needs more), one item's margined input for the thin kernel.
 */
export function partLayout(
  kind: 'convTranspose' | 'conv',
  g: KernelGeometry,
  c0: number,
  c1: number,
  base: number,
  plan: KernelPlan | null,
): PartLayout {
  const K = prod(g.kernelSize);
  const inPlane = prod(g.inputSize);
  const params = align(base);
  const table = align(params + Math.max(16 + 6 * g.rank, plan ? plan.words.length : 0) * 4);
  const cols = align(table + (K * g.rank + g.rank) * 4);
  let colsCapacity = 0;
  if (kind === 'convTranspose' && !plan) {
    const nLast = g.inputSize[g.rank - 1]!;
    const perRow = (c1 - c0) * K * nLast;
    colsCapacity = Math.max(perRow, Math.min(COLS_ELEMENTS, perRow * (inPlane / nLast)));
  }
  const padded = align(cols + colsCapacity * 4);
  let panel = padded;
  let blockChannels = 0;
  let end = padded;
  if (plan?.kernel === 'thin') {
    end = padded + plan.paddedElements * 4;
  } else if (plan) {
    panel = align(padded + g.batch * plan.paddedElements * 4);
    // per tile of 4 channels: each tap's 4·cinG weights and 16 floats of padding
    const tileElements = plan.depth * 4 + (plan.depth / g.inChannelsPerGroup) * 16;
    const tiles = Math.max(1, Math.min(Math.floor(PANEL_ELEMENTS / tileElements), Math.ceil((c1 - c0) / 4)));
    blockChannels = tiles * 4;
    end = panel + tiles * tileElements * 4;
  }
  return { params, table, cols, colsCapacity, padded, panel, blockChannels, end: align(end) };
}

/** Copies the operands into linear memory, once per call whatever the number of parts. */
export function copyOperands(
  heap: ArrayBufferLike,
  operands: OperandLayout,
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array | null,
): void {
  new Float32Array(heap, operands.x, x.length).set(x);
  new Float32Array(heap, operands.w, w.length).set(w);
  if (bias) new Float32Array(heap, operands.bias, bias.length).set(bias);
}

/**
 * Writes one part's parameter block (output channels [c0, c1) of every group) and returns the
 * kernel to call with it.
 */
export function writePart(
  heap: ArrayBufferLike,
  kind: 'convTranspose' | 'conv',
  g: KernelGeometry,
  operands: OperandLayout,
  part: PartLayout,
  c0: number,
  c1: number,
  plan: KernelPlan | null,
  hasBias: boolean,
): KernelEntry {
  const bias = hasBias ? operands.bias : 0;
  if (plan) {
    const block = new Int32Array(heap, part.params, plan.words.length);
    block.set(plan.words);
    block[6] = operands.x;
    block[7] = operands.w;
    block[8] = operands.out;
    block[9] = bias;
    block[13] = c0;
    block[14] = c1;
    block[15] = part.padded;
    block[20] = part.panel;
    block[21] = part.blockChannels;
    return plan.kernel === 'thin' ? 'convTransposeThin' : 'convTransposePhases';
  }
  const words = new Int32Array(heap, part.params, 16 + 6 * g.rank);
  words.set([
    g.rank,
    g.batch,
    g.inChannels,
    g.outChannels,
    g.groups,
    g.inChannelsPerGroup,
    g.outChannelsPerGroup,
    operands.x,
    operands.w,
    operands.out,
    bias,
    part.cols,
    part.colsCapacity,
    part.table,
    c0,
    c1,
  ]);
  const fields = [g.inputSize, g.outputSize, g.kernelSize, g.stride, g.dilation, g.padBegin];
  fields.forEach((values, f) => words.set(values, 16 + f * g.rank));
  return kind;
}
