// Everything in this file is self-contained on purpose: the worker threads receive these two
// functions as source text (Function.prototype.toString), so they may reference nothing but their
// arguments and globals.

import type { GeometryBase } from '@tconv/core';

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
 * The stride-phase kernel's plan (built on the main thread by `phasePlan`): its parameter block
 * with tables, the margined input's size, and the packed weights per output channel.
 */
export interface KernelPlan {
  /** Which kernel runs the plan: the packed GEMM tiles, or the thin groups' row sums. */
  readonly kernel: 'phases' | 'thin';
  readonly words: Int32Array;
  readonly paddedElements: number;
  readonly depth: number;
}

/** Where each buffer of one call lives in linear memory (byte offsets) and how many bytes it needs. */
export interface KernelLayout {
  params: number;
  table: number;
  x: number;
  w: number;
  bias: number;
  out: number;
  cols: number;
  colsCapacity: number;
  /** Phase kernel: margined input, packed weights, and output channels packed at once. */
  padded: number;
  panel: number;
  blockChannels: number;
  end: number;
}

/** The column buffer holds at most this many elements unless one input row alone needs more. */
export const COLS_ELEMENTS = 1 << 20;

/**
 * Lays one call out in linear memory from `base`: the parameter block (with the phase plan's
 * tables when there is a plan), the tap table, input, weight, bias, output, and the kernel's
 * scratch: the column buffer (GEMM, ≤ `colsLimit` elements unless one input row needs more) or
 * the margined input and packed weights (phases, ≤ `panelLimit` packed elements unless one tile
 * of 4 output channels needs more). A transposed convolution without a plan takes the GEMM.
 */
export function kernelLayout(
  kind: 'convTranspose' | 'conv',
  g: KernelGeometry,
  hasBias: boolean,
  c0: number,
  c1: number,
  base: number,
  colsLimit: number,
  plan: KernelPlan | null,
  panelLimit: number,
): KernelLayout {
  const prod = (a: readonly number[]) => a.reduce((p, v) => p * v, 1);
  const align = (n: number) => (n + 15) & ~15;
  const K = prod(g.kernelSize);
  const inPlane = prod(g.inputSize);
  const outPlane = prod(g.outputSize);
  const params = align(base);
  const table = align(params + Math.max(16 + 6 * g.rank, plan ? plan.words.length : 0) * 4);
  const x = align(table + (K * g.rank + g.rank) * 4);
  const w = align(x + g.batch * g.inChannels * inPlane * 4);
  const weightLength =
    kind === 'convTranspose'
      ? g.inChannels * g.outChannelsPerGroup * K
      : g.outChannels * g.inChannelsPerGroup * K;
  const bias = align(w + weightLength * 4);
  const out = align(bias + (hasBias ? g.outChannels * 4 : 0));
  const cols = align(out + g.batch * g.outChannels * outPlane * 4);
  let colsCapacity = 0;
  if (kind === 'convTranspose' && !plan) {
    const nLast = g.inputSize[g.rank - 1] as number;
    const perRow = (c1 - c0) * K * nLast;
    colsCapacity = Math.max(perRow, Math.min(colsLimit, perRow * (inPlane / nLast)));
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
    const tiles = Math.max(1, Math.min(Math.floor(panelLimit / tileElements), Math.ceil((c1 - c0) / 4)));
    blockChannels = tiles * 4;
    end = panel + tiles * tileElements * 4;
  }
  return { params, table, x, w, bias, out, cols, colsCapacity, padded, panel, blockChannels, end };
}

/** The exports of the compiled kernels. */
export interface KernelExports {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  convTranspose(params: number): void;
  convTransposePhases(params: number): void;
  convTransposeThin(params: number): void;
  conv(params: number): void;
}

/**
 * Runs one call on an instance: grows its memory if needed, copies the operands in once, runs the
 * kernel for output channels [c0, c1) of every group, and returns those channels' planes packed
 * as `[batch][group][c1 - c0][plane]`.
 */
export function runKernel(
  exports: KernelExports,
  kind: 'convTranspose' | 'conv',
  g: KernelGeometry,
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array | null,
  c0: number,
  c1: number,
  layout: KernelLayout,
  plan: KernelPlan | null,
): Float32Array {
  const memory = exports.memory;
  const missing = layout.end - memory.buffer.byteLength;
  if (missing > 0) memory.grow(Math.ceil(missing / 65536));
  const heap = memory.buffer;
  new Float32Array(heap, layout.x, x.length).set(x);
  new Float32Array(heap, layout.w, w.length).set(w);
  if (bias) new Float32Array(heap, layout.bias, bias.length).set(bias);
  if (plan) {
    const block = new Int32Array(heap, layout.params, plan.words.length);
    block.set(plan.words);
    block[6] = layout.x;
    block[7] = layout.w;
    block[8] = layout.out;
    block[9] = bias ? layout.bias : 0;
    block[13] = c0;
    block[14] = c1;
    block[15] = layout.padded;
    block[20] = layout.panel;
    block[21] = layout.blockChannels;
    if (plan.kernel === 'thin') exports.convTransposeThin(layout.params);
    else exports.convTransposePhases(layout.params);
    return collect();
  }
  const words = new Int32Array(heap, layout.params, 16 + 6 * g.rank);
  words.set([
    g.rank,
    g.batch,
    g.inChannels,
    g.outChannels,
    g.groups,
    g.inChannelsPerGroup,
    g.outChannelsPerGroup,
    layout.x,
    layout.w,
    layout.out,
    bias ? layout.bias : 0,
    layout.cols,
    layout.colsCapacity,
    layout.table,
    c0,
    c1,
  ]);
  const fields = [g.inputSize, g.outputSize, g.kernelSize, g.stride, g.dilation, g.padBegin];
  fields.forEach((values, f) => words.set(values, 16 + f * g.rank));
  if (kind === 'convTranspose') exports.convTranspose(layout.params);
  else exports.conv(layout.params);
  return collect();

  // the computed channels' planes, packed [batch][group][c1 - c0][plane]
  function collect(): Float32Array {
    const plane = g.outputSize.reduce((p, v) => p * v, 1);
    const out = new Float32Array(heap, layout.out, g.batch * g.outChannels * plane);
    const owned = c1 - c0;
    if (owned === g.outChannelsPerGroup) return out.slice();
    const packed = new Float32Array(g.batch * g.groups * owned * plane);
    let at = 0;
    for (let n = 0; n < g.batch; n++) {
      for (let group = 0; group < g.groups; group++) {
        const start = ((n * g.outChannels + group * g.outChannelsPerGroup + c0) * plane) | 0;
        packed.set(out.subarray(start, start + owned * plane), at);
        at += owned * plane;
      }
    }
    return packed;
  }
}
