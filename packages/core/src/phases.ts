import type { ConvTransposeGeometry } from './geometry';

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
    const s = g.stride[a]!;
    const d = g.dilation[a]!;
    const pb = g.padBegin[a]!;
    const L = g.outputSize[a]!;
    const n = g.inputSize[a]!;
    const phases: AxisPhase[] = [];
    let lo = 0;
    let hi = n;
    for (let phase = 0; phase < s; phase++) {
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
    axes.push(phases);
    marginBegin.push(-lo);
    marginEnd.push(hi - n);
  }
  return { axes, marginBegin, marginEnd };
}
