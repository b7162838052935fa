// The stride-phase plan: core's `phaseLayout` (the one layout, also run by the CPU backend),
// serialised as the `phases` parameter block and its tables (src/param-layout.ts). Nothing about
// the decomposition is computed here; only where each table goes and in which words.
import type { ConvTransposeGeometry, PhaseLayout } from '@tconv/core';
import { phaseLayout, product } from '@tconv/core';
import { BLOCKS, blockWords, MARGIN_SLACK, wordIndex } from './param-layout';

const P = wordIndex('phases');
const E = wordIndex('phaseEntry');
const ENTRY = blockWords('phaseEntry');
const T = wordIndex('tapInfo');
const TAP_INFO = blockWords('tapInfo');
const L = wordIndex('lanes');

/** Float32 elements per 64-byte cache line: core's layout puts channel planes an odd number apart. */
const LINE_ELEMENTS = 16;

/**
 * Everything the phase kernel needs beyond the operands, as it will lie in linear memory: the
 * parameter block followed by its tables, table pointers relative to the block's start (each
 * instance adds where it put the block). Plain data, so it crosses to worker threads as is.
 */
export interface PhasePlan {
  /**
   * The kernel that runs it: packed GEMM tiles (assembly/phases.ts), thin groups' row sums
   * (assembly/thin.ts), or Wᵀ's rows in the lanes (assembly/lanes.ts, whose block is `lanes`).
   */
  readonly kernel: 'phases' | 'thin' | 'lanes';
  /** Parameter block and tables (the operand pointers, c0, c1 and blockChannels are set per call). */
  readonly words: Int32Array;
  /** Float32 elements of one batch item's margined input (one group, with its slack). */
  readonly paddedElements: number;
  /** Input channels × kernel taps of a group: the packed weights per output channel. */
  readonly depth: number;
}

/**
 * Per kernel tap, its tapInfo entry: where its entry's slots start, its slot, its entry's slots. A
 * tap that reaches no output (core's `tapEntry` −1) is packed into a discard slot after every
 * entry's, which the kernel never reads (there are then fewer slots than taps, so it fits).
 */
function tapInfoTable(layout: PhaseLayout, K: number): number[] {
  const table: number[] = [];
  const info = new Array<number>(TAP_INFO);
  for (let t = 0; t < K; t++) {
    const e = layout.tapEntry[t]!;
    const entry = layout.entries[e];
    info[T.before] = entry ? entry.slotsBefore : layout.slots;
    info[T.slot] = entry ? layout.tapSlot[t]! : 0;
    info[T.phaseTaps] = entry ? entry.taps : 1;
    table.push(...info);
  }
  return table;
}

/**
 * Serialises {@link phaseLayout}`(g)` as the tables of assembly/phases.ts: the block, per tap its
 * tapInfo, per entry its phaseEntry, each entry's read offsets and kernel offsets, its rows' (input,
 * output) offsets, and where each input row goes in a margined plane.
 */
export function phasePlan(g: ConvTransposeGeometry, kernel: 'phases' | 'thin' | 'lanes'): PhasePlan {
  if (kernel === 'lanes') return lanesPlan(g);
  const layout = phaseLayout(g, { lineElements: LINE_ELEMENTS });
  const last = g.rank - 1;
  const K = product(g.kernelSize);
  const tapInfo = tapInfoTable(layout, K);
  const entries = layout.entries;

  // where everything goes, in words from the block's start
  const tapInfoAt = blockWords('phases');
  const phaseTableAt = tapInfoAt + tapInfo.length;
  let at = phaseTableAt + entries.length * ENTRY;
  const tables = entries.map((entry) => {
    const shifts = at;
    const kernelOffsets = shifts + entry.taps;
    const rowTable = kernelOffsets + entry.taps;
    at = rowTable + 2 * entry.rows;
    return { shifts, kernelOffsets, rowTable };
  });
  const rowDstAt = at;
  const destAt = rowDstAt + layout.inputRowOffsets.length;
  const words = new Int32Array(destAt + 2 * K);

  // the operand pointers, c0, c1, padded, panel and blockChannels are written per call and part
  words[P.batch] = g.batch;
  words[P.groups] = g.groups;
  words[P.inChannels] = g.inChannels;
  words[P.outChannels] = g.outChannels;
  words[P.inChannelsPerGroup] = g.inChannelsPerGroup;
  words[P.outChannelsPerGroup] = g.outChannelsPerGroup;
  words[P.taps] = K;
  words[P.inPlane] = product(g.inputSize);
  words[P.outPlane] = product(g.outputSize);
  words[P.padPlane] = layout.padPlane;
  words[P.inputRows] = layout.inputRowOffsets.length;
  words[P.rowDst] = rowDstAt * 4;
  words[P.rowLength] = layout.rowLength;
  words[P.tapInfo] = tapInfoAt * 4;
  words[P.phaseCount] = entries.length;
  words[P.phaseTable] = phaseTableAt * 4;
  words[P.lastStride] = g.stride[last]!;
  words[P.dest] = destAt * 4;
  words.set(tapInfo, tapInfoAt);
  entries.forEach((entry, f) => {
    const base = phaseTableAt + f * ENTRY;
    const { shifts, kernelOffsets, rowTable } = tables[f]!;
    // entries that share their leading residues differ only on the last axis (the thin kernel
    // interleaves them); any index of the leading residues identifies them
    let leading = 0;
    for (let a = 0; a < last; a++) leading = leading * layout.axes[a]!.length + entry.residues[a]!;
    words[base + E.count] = entry.count;
    words[base + E.rows] = entry.rows;
    words[base + E.taps] = entry.taps;
    words[base + E.before] = entry.slotsBefore;
    words[base + E.shifts] = shifts * 4;
    words[base + E.rowTable] = rowTable * 4;
    words[base + E.kernelOffsets] = kernelOffsets * 4;
    words[base + E.lastResidue] = entry.residues[last]!;
    words[base + E.leadingResidues] = leading;
    words.set(entry.shifts, shifts);
    words.set(entry.kernelOffsets, kernelOffsets);
    for (let q = 0; q < entry.rows; q++) {
      words[rowTable + 2 * q] = entry.rowInput[q]!;
      words[rowTable + 2 * q + 1] = entry.rowOutput[q]!;
    }
  });
  words.set(layout.inputRowOffsets, rowDstAt);
  return {
    kernel,
    words,
    paddedElements: g.inChannelsPerGroup * layout.padPlane + MARGIN_SLACK,
    depth: g.inChannelsPerGroup * K,
  };
}

/**
 * The `lanes` block of assembly/lanes.ts for `g` (its pointers, c0, c1 and blockTiles are set per
 * part): no decomposition to serialise, only the geometry. `paddedElements` is one batch item's
 * packed input of a group (rows of the last axis in tiles of 4 positions).
 */
function lanesPlan(g: ConvTransposeGeometry): PhasePlan {
  const scalars = blockWords('lanes');
  const words = new Int32Array(scalars + BLOCKS.lanes.axes.length * g.rank);
  words[L.rank] = g.rank;
  words[L.batch] = g.batch;
  words[L.groups] = g.groups;
  words[L.inChannels] = g.inChannels;
  words[L.outChannels] = g.outChannels;
  words[L.inChannelsPerGroup] = g.inChannelsPerGroup;
  words[L.outChannelsPerGroup] = g.outChannelsPerGroup;
  [g.inputSize, g.outputSize, g.kernelSize, g.stride, g.dilation, g.padBegin].forEach((values, f) =>
    words.set(values, scalars + f * g.rank),
  );
  const last = g.rank - 1;
  const rows = product(g.inputSize) / g.inputSize[last]!;
  const tiles = Math.ceil(g.inputSize[last]! / 4);
  return {
    kernel: 'lanes',
    words,
    paddedElements: rows * tiles * 4 * g.inChannelsPerGroup,
    depth: g.inChannelsPerGroup * product(g.kernelSize),
  };
}
