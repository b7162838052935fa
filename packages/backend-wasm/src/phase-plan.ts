import type { ConvTransposeGeometry } from '@tconv/core';
import { stridePhases } from '@tconv/core';

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

  // residue combinations, row-major over axes (last fastest)
  const combos: number[][] = [];
  const total = g.stride.reduce((a, b) => a * b, 1);
  for (let c = 0; c < total; c++) {
    const residues = new Array<number>(r);
    let rest = c;
    for (let a = last; a >= 0; a--) {
      residues[a] = rest % g.stride[a]!;
      rest = Math.floor(rest / g.stride[a]!);
    }
    combos.push(residues);
  }
  const tapsOf = combos.map((res) => res.reduce((n, phase, a) => n * plan.axes[a]![phase]!.taps.length, 1));
  // taps of the combinations before each one: where its weights start in a block's panels
  const before: number[] = [];
  let sum = 0;
  for (const n of tapsOf) {
    before.push(sum);
    sum += n;
  }

  const tapInfo: number[] = [];
  for (let t = 0; t < K; t++) {
    let rest = t;
    let combo = 0;
    let comboStride = 1;
    let slot = 0;
    let slotStride = 1;
    for (let a = last; a >= 0; a--) {
      const k = rest % g.kernelSize[a]!;
      rest = Math.floor(rest / g.kernelSize[a]!);
      const s = g.stride[a]!;
      const residue = (((k * g.dilation[a]! - g.padBegin[a]!) % s) + s) % s;
      const ph = plan.axes[a]![residue]!;
      combo += residue * comboStride;
      comboStride *= s;
      slot += ph.taps.indexOf(k) * slotStride;
      slotStride *= ph.taps.length;
    }
    tapInfo.push(before[combo]!, slot, tapsOf[combo]!);
  }

  const phaseTable: number[] = [];
  const shifts: number[][] = [];
  const rows: number[][] = [];
  combos.forEach((res, c) => {
    const axes = res.map((phase, a) => plan.axes[a]![phase]!);
    const rowCount = axes.slice(0, last).reduce((n, ph) => n * ph.count, 1);
    const count = axes[last]!.count;
    if (tapsOf[c] === 0 || count === 0 || rowCount === 0) return;
    const s: number[] = [];
    const kOff: number[] = [];
    for (let slot = 0; slot < tapsOf[c]!; slot++) {
      let rest = slot;
      let off = 0;
      let tap = 0;
      for (let a = last; a >= 0; a--) {
        const i = rest % axes[a]!.taps.length;
        rest = Math.floor(rest / axes[a]!.taps.length);
        off += axes[a]!.shifts[i]! * pitch[a]!;
        tap += axes[a]!.taps[i]! * kStride[a]!;
      }
      s.push(off);
      kOff.push(tap);
    }
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
    phaseTable.push(
      count,
      rowCount,
      tapsOf[c]!,
      before[c]!,
      0,
      0,
      0,
      res[last]!,
      Math.floor(c / g.stride[last]!),
    );
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
