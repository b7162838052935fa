import type { ConvTransposeGeometry } from '@tconv/core';
import { phaseCombinations, slotOffsets, stridePhases } from '@tconv/core';

/** Packed weights per block of output channels, in elements (1 MiB of float32): stays in L2. */
export const PANEL_ELEMENTS = 1 << 18;

/** Words per phase in the phase table (assembly/phases.ts). */
const ENTRY = 9;

/** The words of the phase kernel's parameter block (assembly/phases.ts). */
export const PHASE_PARAMS = 27;

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
  /** Float32 elements of one batch item's margined input (one group, 8 of slack). */
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
    tapInfo.push(before[c]!, tapSlot[t]!, combinations[c]!.taps);
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
    phaseTable.push(count, rowCount, taps, before[c]!, 0, 0, 0, res[last]!, Math.floor(c / g.stride[last]!));
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
  const tapInfoAt = PHASE_PARAMS;
  const phaseTableAt = tapInfoAt + tapInfo.length;
  let at = phaseTableAt + phaseTable.length;
  for (let f = 0; f < phases; f++) {
    phaseTable[f * ENTRY + 4] = at * 4;
    phaseTable[f * ENTRY + 6] = (at + shifts[f]!.length / 2) * 4;
    at += shifts[f]!.length;
    phaseTable[f * ENTRY + 5] = at * 4;
    at += rows[f]!.length;
  }
  const rowDstAt = at;
  const destAt = rowDstAt + rowDst.length;
  const words = new Int32Array(destAt + 2 * K);
  words.set(
    [
      g.batch,
      g.groups,
      g.inChannels,
      g.outChannels,
      g.inChannelsPerGroup,
      g.outChannelsPerGroup,
      0, // x
      0, // w
      0, // out
      0, // bias
      K,
      inputRows * nLast,
      g.outputSize.reduce((a, b) => a * b, 1),
      0, // c0
      0, // c1
      0, // padded
      padPlane,
      inputRows,
      rowDstAt * 4,
      nLast,
      0, // panel
      0, // blockChannels
      tapInfoAt * 4,
      phases,
      phaseTableAt * 4,
      g.stride[last]!,
      destAt * 4,
    ],
    0,
  );
  words.set(tapInfo, tapInfoAt);
  words.set(phaseTable, phaseTableAt);
  for (let f = 0; f < phases; f++) {
    words.set(shifts[f]!, phaseTable[f * ENTRY + 4]! / 4);
    words.set(rows[f]!, phaseTable[f * ENTRY + 5]! / 4);
  }
  words.set(rowDst, rowDstAt);
  return {
    kernel,
    words,
    paddedElements: g.inChannelsPerGroup * padPlane + 8,
    depth: g.inChannelsPerGroup * K,
  };
}
