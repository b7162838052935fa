import type { ConvTransposeGeometry } from './geometry';
import { product } from './product';

/**
 * The outputs of one axis whose position has one residue modulo the stride, and the kernel taps
 * that reach them. Output `φ + s·j` (j < `count`) is the sum over these taps of
 * `weight[tap] · input[j + shift]` (zero where `j + shift` is outside the input).
 */
export interface AxisPhase {
  /** The residue φ: this phase holds outputs `φ, φ + s, φ + 2s, …`. */
  readonly phase: number;
  /** How many outputs of the axis have this residue. */
  readonly count: number;
  /** The kernel taps (undilated indices, ascending) that land on this residue. */
  readonly taps: readonly number[];
  /** Per tap: output `j` of the phase reads input `j + shift`. */
  readonly shifts: readonly number[];
}

/** The stride-phase (sub-pixel) decomposition of a transposed convolution, per axis. */
export interface StridePhases {
  /** Per spatial axis, one entry per residue `0 … stride−1`. */
  readonly axes: readonly (readonly AxisPhase[])[];
  /**
   * Per axis, how many zeros before the input make every read `j + shift` of every phase fall
   * inside: an input padded by `marginBegin`/`marginEnd` needs no bounds checks.
   */
  readonly marginBegin: readonly number[];
  readonly marginEnd: readonly number[];
}

/** Floor division of integers (JavaScript's `%` keeps the dividend's sign). */
const floorDiv = (a: number, b: number): number => (a - (((a % b) + b) % b)) / b;

/**
 * Splits a transposed convolution by output residue modulo the stride: on each axis the outputs
 * `φ, φ + s, …` receive only the taps `k` with `k·dilation ≡ φ + padBegin (mod s)`, each reading
 * the input at a fixed shift. So the operator becomes `∏ stride` small dense correlations that
 * never multiply by the zeros a stride inserts, and each output is written once. Pure integer
 * arithmetic on the resolved geometry; every tap belongs to exactly one residue per axis.
 * @example
 * ```ts
 * // k 4, s 2, p 1 (DCGAN): even outputs take taps 1 and 3, odd outputs taps 0 and 2
 * stridePhases(resolveConvTranspose([1, 1, 4], [1, 1, 4], { stride: 2, padding: 1 })).axes[0];
 * // [{ phase: 0, count: 4, taps: [1, 3], shifts: [0, -1] }, { phase: 1, count: 4, taps: [0, 2], shifts: [1, 0] }]
 * ```
 */
export function stridePhases(g: ConvTransposeGeometry): StridePhases {
  const axes: AxisPhase[][] = [];
  const marginBegin: number[] = [];
  const marginEnd: number[] = [];
  for (let a = 0; a < g.rank; a++) {
    const axis = axisPhases(g, a, g.stride[a]!);
    axes.push(axis.phases);
    marginBegin.push(axis.marginBegin);
    marginEnd.push(axis.marginEnd);
  }
  return { axes, marginBegin, marginEnd };
}

/**
 * The phases of residues `0 … residues−1` of one axis, and the margins their reads need. Only
 * residues below the output length have outputs, so a caller that plans those alone
 * (`phaseLayout`) spends O(min(stride, output)) here, however large the stride.
 */
export function axisPhases(
  g: ConvTransposeGeometry,
  a: number,
  residues: number,
): { phases: AxisPhase[]; marginBegin: number; marginEnd: number } {
  const s = g.stride[a]!;
  const d = g.dilation[a]!;
  const pb = g.padBegin[a]!;
  const L = g.outputSize[a]!;
  const n = g.inputSize[a]!;
  const phases: AxisPhase[] = [];
  let lo = 0;
  let hi = n;
  for (let phase = 0; phase < residues; phase++) {
    const count = phase < L ? floorDiv(L - 1 - phase, s) + 1 : 0;
    const taps: number[] = [];
    const shifts: number[] = [];
    for (let k = 0; k < g.kernelSize[a]!; k++) {
      const reach = phase + pb - k * d;
      if (((reach % s) + s) % s !== 0) continue;
      const shift = floorDiv(reach, s);
      taps.push(k);
      shifts.push(shift);
      if (count > 0) {
        lo = Math.min(lo, shift);
        hi = Math.max(hi, count + shift);
      }
    }
    phases.push({ phase, count, taps, shifts });
  }
  return { phases, marginBegin: -lo, marginEnd: hi - n };
}

/** One combination of residues, one per axis: a dense sub-problem of the stride phases. */
export interface PhaseCombination {
  /** The residue on each axis. */
  readonly residues: readonly number[];
  /** Outputs along the last axis. */
  readonly count: number;
  /** Rows of outputs: the product of the other axes' counts. */
  readonly rows: number;
  /** Tap combinations that reach it: the product of the axes' tap counts. */
  readonly taps: number;
}

/** Every residue combination, and where each kernel tap belongs among them. */
export interface PhaseCombinations {
  /** Row-major over the axes (the last axis fastest), `∏stride` entries. */
  readonly combinations: readonly PhaseCombination[];
  /** Per kernel tap (row-major over the kernel): the index of its combination. */
  readonly tapCombination: Int32Array;
  /**
   * Per kernel tap: its slot among its combination's taps, row-major over the axes' tap lists
   * (slot `Σ_a i_a·∏_{b>a} |taps_b|`, `i_a` the tap's index in its axis phase's `taps`).
   */
  readonly tapSlot: Int32Array;
}

/**
 * The stride phases of all axes combined: each residue combination with its output grid and tap
 * count, and for every kernel tap the combination it belongs to and its slot there. What a
 * backend needs to lay the decomposition out as dense sub-problems.
 */
export function phaseCombinations(g: ConvTransposeGeometry, plan: StridePhases): PhaseCombinations {
  const last = g.rank - 1;
  const total = g.stride.reduce((a, b) => a * b, 1);
  const combinations: PhaseCombination[] = [];
  for (let c = 0; c < total; c++) {
    const residues = new Array<number>(g.rank);
    let rest = c;
    let taps = 1;
    let rows = 1;
    for (let a = last; a >= 0; a--) {
      const s = g.stride[a]!;
      residues[a] = rest % s;
      rest = (rest - residues[a]!) / s;
      const ph = plan.axes[a]![residues[a]!]!;
      taps *= ph.taps.length;
      if (a < last) rows *= ph.count;
    }
    combinations.push({ residues, count: plan.axes[last]![residues[last]!]!.count, rows, taps });
  }
  const identity = Int32Array.from({ length: total }, (_, c) => c);
  const { tapEntry: tapCombination, tapSlot } = tapTables(g, plan.axes, identity);
  return { combinations, tapCombination, tapSlot };
}

/**
 * Per slot of a residue combination (slots as in {@link PhaseCombinations.tapSlot}), the sum over
 * axes of the slot's per-axis `shifts` (or `taps`) times `strides[a]`: with the strides of a
 * row-major input that is where the slot reads relative to the output position; with the kernel's
 * strides, which weight it multiplies.
 */
export function slotOffsets(
  plan: StridePhases,
  residues: readonly number[],
  field: 'shifts' | 'taps',
  strides: readonly number[],
): number[] {
  const axes = residues.map((residue, a) => plan.axes[a]![residue]!);
  const slots = axes.reduce((n, ph) => n * ph.taps.length, 1);
  const offsets: number[] = [];
  for (let slot = 0; slot < slots; slot++) {
    let rest = slot;
    let offset = 0;
    for (let a = axes.length - 1; a >= 0; a--) {
      const n = axes[a]!.taps.length;
      const i = rest % n;
      rest = (rest - i) / n;
      offset += axes[a]![field][i]! * strides[a]!;
    }
    offsets.push(offset);
  }
  return offsets;
}

/**
 * Per kernel tap: the combination of residues it belongs to (its index row-major over `axes`,
 * mapped through `entryOf`; −1 when one of its residues is not among `axes`, i.e. has no output)
 * and its slot there. Shared by {@link phaseCombinations} (every residue) and `phaseLayout` (the
 * residues that have outputs).
 */
export function tapTables(
  g: ConvTransposeGeometry,
  axes: readonly (readonly AxisPhase[])[],
  entryOf: Int32Array,
): { tapEntry: Int32Array; tapSlot: Int32Array } {
  const last = g.rank - 1;
  const K = product(g.kernelSize);
  const tapEntry = new Int32Array(K).fill(-1);
  const tapSlot = new Int32Array(K).fill(-1);
  for (let t = 0; t < K; t++) {
    let rest = t;
    let combo = 0;
    let comboStride = 1;
    let slot = 0;
    let slotStride = 1;
    let reaches = true;
    for (let a = last; a >= 0; a--) {
      const k = rest % g.kernelSize[a]!;
      rest = (rest - k) / g.kernelSize[a]!;
      const s = g.stride[a]!;
      const residue = (((k * g.dilation[a]! - g.padBegin[a]!) % s) + s) % s;
      const ph = axes[a]![residue];
      if (!ph) {
        reaches = false;
        break;
      }
      combo += residue * comboStride;
      comboStride *= axes[a]!.length;
      slot += ph.taps.indexOf(k) * slotStride;
      slotStride *= ph.taps.length;
    }
    if (!reaches) continue;
    tapEntry[t] = entryOf[combo]!;
    tapSlot[t] = slot;
  }
  return { tapEntry, tapSlot };
}
