// Laying out the backward's input gradient of a transposed convolution — the convolution on the
// adjoint geometry — for the stride-phase convolution (assembly/conv-phases.ts) instead of the
// column-buffer GEMM (assembly/direct.ts `conv`), when convPhasesFits (kernel-choice.ts) says so.
import type { ConvGeometry } from '@tconv/core';
import { product } from '@tconv/core';
import type { ThreadSplit } from './kernel-choice';
import type { Arena, ForwardOperands, Part } from './layout';
import { batchShare, channelRanges, groupShare, setAxes } from './layout';
import { BLOCKS, blockWords, CONV_TILE_OUTPUTS, PANEL_TILE_CHANNELS, wordIndex } from './param-layout';

const C = wordIndex('convPhases');
const CD = wordIndex('convDot');

/** One part: output channels [c0, c1) of every group of `g`, on operands `ops`. */
function convPhasesPart(g: ConvGeometry, ops: ForwardOperands, c0: number, c1: number, mem: Arena): Part {
  const scalars = blockWords('convPhases');
  const words = new Int32Array(scalars + BLOCKS.convPhases.axes.length * g.rank);
  const at = mem.take(words.length);
  const last = g.rank - 1;
  const K = product(g.kernelSize);
  const s = g.stride[last]!;
  const pad = g.padBegin[last]!;
  const LL = g.outputSize[last]!;
  const minShift = Math.floor(-pad / s);
  const maxShift = Math.floor(((g.kernelSize[last]! - 1) * g.dilation[last]! - pad) / s);
  // a tile reads 8 outputs' worth past every shift: whole tiles of the row, then the shifts' span
  const phaseLength = Math.ceil(LL / CONV_TILE_OUTPUTS) * CONV_TILE_OUTPUTS + maxShift - minShift;
  const inRows = product(g.inputSize) / g.inputSize[last]!;
  const outRows = product(g.outputSize) / LL;
  const depth = g.inChannelsPerGroup * K;
  words[C.rank] = g.rank;
  words[C.batch] = g.batch;
  words[C.groups] = g.groups;
  words[C.inChannels] = g.inChannels;
  words[C.outChannels] = g.outChannels;
  words[C.inChannelsPerGroup] = g.inChannelsPerGroup;
  words[C.outChannelsPerGroup] = g.outChannelsPerGroup;
  words[C.x] = ops.x;
  words[C.w] = ops.w;
  words[C.out] = ops.out;
  words[C.c0] = c0;
  words[C.c1] = c1;
  words[C.phased] = mem.take(g.inChannelsPerGroup * (inRows * s + 1) * phaseLength);
  words[C.phaseLength] = phaseLength;
  words[C.minShift] = minShift;
  words[C.table] = mem.take(K * outRows);
  words[C.taps] = mem.take(K);
  words[C.packed] = mem.take(Math.ceil((c1 - c0) / PANEL_TILE_CHANNELS) * PANEL_TILE_CHANNELS * depth);
  setAxes(words, scalars, g.rank, [
    g.outputSize,
    g.inputSize,
    g.kernelSize,
    g.stride,
    g.dilation,
    g.padBegin,
  ]);
  return { entry: 'convPhases', at, words };
}

/** One part of the dot-product convolution (assembly/conv-dot.ts): output channels [c0, c1). */
function convDotPart(g: ConvGeometry, ops: ForwardOperands, c0: number, c1: number, mem: Arena): Part {
  const scalars = blockWords('convDot');
  const words = new Int32Array(scalars + BLOCKS.convDot.axes.length * g.rank);
  const at = mem.take(words.length);
  words[CD.rank] = g.rank;
  words[CD.batch] = g.batch;
  words[CD.groups] = g.groups;
  words[CD.inChannels] = g.inChannels;
  words[CD.outChannels] = g.outChannels;
  words[CD.inChannelsPerGroup] = g.inChannelsPerGroup;
  words[CD.outChannelsPerGroup] = g.outChannelsPerGroup;
  words[CD.x] = ops.x;
  words[CD.w] = ops.w;
  words[CD.out] = ops.out;
  words[CD.cols] = mem.take(product(g.outputSize) * g.inChannelsPerGroup * product(g.kernelSize));
  words[CD.c0] = c0;
  words[CD.c1] = c1;
  setAxes(words, scalars, g.rank, [
    g.inputSize,
    g.outputSize,
    g.kernelSize,
    g.stride,
    g.dilation,
    g.padBegin,
  ]);
  return { entry: 'convDot', at, words };
}

/**
 * The parts of a stride-phase (`kernel` 'phases') or dot-product ('dot') convolution task: output
 * channels of each group split over `split.parts` threads, or groups, or batch items (each part then the whole geometry on fewer
 * groups or items, from shifted operands), as forwardTask (layout.ts) splits its kernels.
 */
export function convPhasesTask(
  g: ConvGeometry,
  ops: ForwardOperands,
  split: ThreadSplit,
  mem: Arena,
  kernel: 'phases' | 'dot' = 'phases',
): Part[] {
  const convPart = kernel === 'phases' ? convPhasesPart : convDotPart;
  if (split.by === 'channels') {
    return channelRanges(g.outChannelsPerGroup, split.parts).map(([c0, c1]) => convPart(g, ops, c0, c1, mem));
  }
  if (split.by === 'groups') {
    return channelRanges(g.groups, split.parts).map(([g0, g1]) => {
      const share = groupShare(g, { ...ops, bias: 0 }, g0, g1);
      return convPart(share.geometry, share.ops, 0, g.outChannelsPerGroup, mem);
    });
  }
  return channelRanges(g.batch, split.parts).map(([n0, n1]) => {
    const share = batchShare(g, ops, n0, n1);
    return convPart(share.geometry, share.ops, 0, g.outChannelsPerGroup, mem);
  });
}
