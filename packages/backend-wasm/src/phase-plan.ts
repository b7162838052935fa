// The stride-phase plan as the `phases` parameter block and its tables (src/param-layout.ts).
import type { ConvTransposeGeometry } from '@tconv/core';
import { phaseCombinations, slotOffsets, stridePhases } from '@tconv/core';
import { blockWords, MARGIN_SLACK, wordIndex } from './param-layout';

const P = wordIndex('phases');
const E = wordIndex('phaseEntry');
const ENTRY = blockWords('phaseEntry');
const T = wordIndex('tapInfo');
const TAP_INFO = blockWords('tapInfo');

/**
 * Everything the phase kernel needs beyond the operands, as it will lie in linear memory: the
 * parameter block followed by its tables, table pointers relative to the block's start (each
 * instance adds where it put the block). Plain data, so it crosses to worker threads as is.
 */
export interface PhasePlan {
  /** The kernel that runs it (assembly/phases.ts): packed GEMM tiles, or thin groups' row sums. */
  readonly kernel: 'phases' | 'thin';
  /** Parameter block and tables (the operand pointers, c0, c1 and blockChannels are set per call). */
  readonly words: Int32Array;
  /** Float32 elements of one batch item's margined input (one group, with its slack). */
  readonly paddedElements: number;
  /** Input channels × kernel taps of a group: the packed weights per output channel. */
  readonly depth: number;
}

/**
 * Lays out the stride-phase decomposition of a transposed convolution ({@link stridePhases}) as
 * the tables of assembly/phases.ts: per tap (its phase's earlier taps, its slot, its phase's
 * taps), per nonempty phase (count, rows, taps, earlier taps, shifts, rows, kernel offsets,
 * last-axis residue, leading residues), each phase's read offsets and kernel tap offsets, its rows'
 * (input, output) offsets, and where each input row goes in a margined plane.
 */
export function phasePlan(g: ConvTransposeGeometry, kernel: 'phases' | 'thin'): PhasePlan {
  const r = g.rank;
  const last = r - 1;
  const plan = stridePhases(g);
  const K = g.kernelSize.reduce((a, b) => a * b, 1);
  const pitch = new Array<number>(r);
  const outStride = new Array<number>(r);
  const kStride = new Array<number>(r);
  let p = 1;
  let o = 1;
  let k = 1;
  for (let a = last; a >= 0; a--) {
    pitch[a] = p;
    outStride[a] = o;
    kStride[a] = k;
    p *= g.inputSize[a]! + plan.marginBegin[a]! + plan.marginEnd[a]!;
    o *= g.outputSize[a]!;
    k *= g.kernelSize[a]!;
  }
  // channel planes an odd number of cache lines (16 floats) apart, so a tile's reads from every
  // channel do not share an L1 set
  const lines = Math.ceil(p / 16);
  const padPlane = (lines % 2 === 0 ? lines + 1 : lines) * 16;

  const { combinations, tapCombination, tapSlot } = phaseCombinations(g, plan);
  // taps of the combinations before each one: where its weights start in a block's panels
  const before: number[] = [];
  let sum = 0;
  for (const c of combinations) {
    before.push(sum);
    sum += c.taps;
  }
  const tapInfo: number[] = [];
  for (let t = 0; t < K; t++) {
    const c = tapCombination[t]!;
    const info = new Array<number>(TAP_INFO);
    info[T.before] = before[c]!;
    info[T.slot] = tapSlot[t]!;
    info[T.phaseTaps] = combinations[c]!.taps;
    tapInfo.push(...info);
  }

  const phaseTable: number[] = [];
  const shifts: number[][] = [];
  const rows: number[][] = [];
  combinations.forEach(({ residues: res, count, rows: rowCount, taps }, c) => {
    const axes = res.map((phase, a) => plan.axes[a]![phase]!);
    if (taps === 0 || count === 0 || rowCount === 0) return;
    const s = slotOffsets(plan, res, 'shifts', pitch);
    const kOff = slotOffsets(plan, res, 'taps', kStride);
    const rw: number[] = [];
    for (let q = 0; q < rowCount; q++) {
      let rest = q;
      let xb = plan.marginBegin[last]!;
      let ob = axes[last]!.phase;
      for (let a = last - 1; a >= 0; a--) {
        const j = rest % axes[a]!.count;
        rest = Math.floor(rest / axes[a]!.count);
        xb += (j + plan.marginBegin[a]!) * pitch[a]!;
        ob += (axes[a]!.phase + g.stride[a]! * j) * outStride[a]!;
      }
      rw.push(xb, ob);
    }
    // the combination of the leading residues: phases that share it differ only on the last axis
    const entry = new Array<number>(ENTRY).fill(0);
    entry[E.count] = count;
    entry[E.rows] = rowCount;
    entry[E.taps] = taps;
    entry[E.before] = before[c]!;
    entry[E.lastResidue] = res[last]!;
    entry[E.leadingResidues] = Math.floor(c / g.stride[last]!);
    phaseTable.push(...entry);
    shifts.push([...s, ...kOff]);
    rows.push(rw);
  });

  const nLast = g.inputSize[last]!;
  const inputRows = g.inputSize.reduce((a, b) => a * b, 1) / nLast;
  const rowDst: number[] = [];
  for (let q = 0; q < inputRows; q++) {
    let rest = q;
    let dst = plan.marginBegin[last]!;
    for (let a = last - 1; a >= 0; a--) {
      const i = rest % g.inputSize[a]!;
      rest = Math.floor(rest / g.inputSize[a]!);
      dst += (i + plan.marginBegin[a]!) * pitch[a]!;
    }
    rowDst.push(dst);
  }

  const phases = shifts.length;
  const tapInfoAt = blockWords('phases');
  const phaseTableAt = tapInfoAt + tapInfo.length;
  let at = phaseTableAt + phaseTable.length;
  for (let f = 0; f < phases; f++) {
    phaseTable[f * ENTRY + E.shifts] = at * 4;
    phaseTable[f * ENTRY + E.kernelOffsets] = (at + shifts[f]!.length / 2) * 4;
    at += shifts[f]!.length;
    phaseTable[f * ENTRY + E.rowTable] = at * 4;
    at += rows[f]!.length;
  }
  const rowDstAt = at;
  const destAt = rowDstAt + rowDst.length;
  const words = new Int32Array(destAt + 2 * K);
  // the operand pointers, c0, c1, padded, panel and blockChannels are written per call and part
  words[P.batch] = g.batch;
  words[P.groups] = g.groups;
  words[P.inChannels] = g.inChannels;
  words[P.outChannels] = g.outChannels;
  words[P.inChannelsPerGroup] = g.inChannelsPerGroup;
  words[P.outChannelsPerGroup] = g.outChannelsPerGroup;
  words[P.taps] = K;
  words[P.inPlane] = inputRows * nLast;
  words[P.outPlane] = g.outputSize.reduce((a, b) => a * b, 1);
  words[P.padPlane] = padPlane;
  words[P.inputRows] = inputRows;
  words[P.rowDst] = rowDstAt * 4;
  words[P.rowLength] = nLast;
  words[P.tapInfo] = tapInfoAt * 4;
  words[P.phaseCount] = phases;
  words[P.phaseTable] = phaseTableAt * 4;
  words[P.lastStride] = g.stride[last]!;
  words[P.dest] = destAt * 4;
  words.set(tapInfo, tapInfoAt);
  words.set(phaseTable, phaseTableAt);
  for (let f = 0; f < phases; f++) {
    words.set(shifts[f]!, phaseTable[f * ENTRY + E.shifts]! / 4);
    words.set(rows[f]!, phaseTable[f * ENTRY + E.rowTable]! / 4);
  }
  words.set(rowDst, rowDstAt);
  return {
    kernel,
    words,
    paddedElements: g.inChannelsPerGroup * padPlane + MARGIN_SLACK,
    depth: g.inChannelsPerGroup * K,
  };
}
