import type { ConvGeometry, ConvTransposeGeometry } from './geometry';
import type { FloatArray } from './tensor';

/**
 * tconv's one rule for float32 overflow (see the README's "Numerics"): a float32 output element is
 * the float64 definition rounded once to float32 whenever the fast computation was not finite. A
 * float32 kernel may overflow in an intermediate (a product or a partial sum above 3.4e38) while
 * the exact result is small — `3e38·2 + 3e38·(−2)` is 0 — and then gives +Inf, −Inf or NaN
 * depending on its summation order. An overflowed intermediate never comes back to a finite value,
 * so every such element is non-finite in the output: recomputing exactly those in float64 (where a
 * sum of float32 products cannot overflow) makes every backend give the same answer: ±Inf only
 * where the exact result is beyond float32's range, NaN only from NaN or infinite inputs.
 *
 * Cost: one pass over the output's bits to find non-finite elements (none in ordinary use), and the
 * definition's `Cin/groups · ∏kernel` products for each one found.
 * @param g - the resolved geometry the output was computed for
 * @param x - the input data
 * @param w - the weight data
 * @param bias - one value per output channel, or `null`
 * @param out - the float32 output, fixed in place; float64 outputs are left as they are
 * @returns how many elements were recomputed
 * @example
 * ```ts
 * // after a float32 kernel wrote `out`:
 * recomputeNonFinite(geometry, input.data, weight.data, bias, out);
 * ```
 */
export function recomputeNonFinite(
  g: ConvTransposeGeometry | ConvGeometry,
  x: FloatArray,
  w: FloatArray,
  bias: FloatArray | null,
  out: FloatArray,
): number {
  if (!(out instanceof Float32Array)) return 0;
  const first = firstNonFinite(out);
  if (first < 0) return 0;
  let fixed = 0;
  for (let i = first; i < out.length; i++) {
    const v = out[i]!;
    // v − v is 0 for every finite v and NaN for ±Inf and NaN
    if (v - v === 0) continue;
    out[i] = g.kind === 'convTranspose' ? transposedElement(g, x, w, bias, i) : convElement(g, x, w, bias, i);
    fixed++;
  }
  return fixed;
}

/** A float32's exponent bits; all set for ±Infinity and NaN. */
const EXPONENT = 0x7f800000;
/** Added to the exponent bits, carries into the sign bit exactly when they are all set. */
const CARRY = 0x00800000;

/**
 * The index of the first ±Infinity or NaN in `a` (−1 if none), found from its bits four at a time:
 * (bits & EXPONENT) + CARRY reaches 2³¹ (negative once or-ed as int32) only for those. Integer
 * operations, no float conversions: several times faster than a float loop on V8 (a float loop
 * over a 1 MiB output was a third of a depthwise layer's call in the wasm backend).
 */
function firstNonFinite(a: Float32Array): number {
  const bits = new Int32Array(a.buffer, a.byteOffset, a.length);
  const n4 = bits.length & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const m =
      ((bits[i]! & EXPONENT) + CARRY) |
      ((bits[i + 1]! & EXPONENT) + CARRY) |
      ((bits[i + 2]! & EXPONENT) + CARRY) |
      ((bits[i + 3]! & EXPONENT) + CARRY);
    if (m < 0) return i;
  }
  for (; i < bits.length; i++) if ((((bits[i]! & EXPONENT) + CARRY) | 0) < 0) return i;
  return -1;
}

/** Splits a flat output index into batch, channel and spatial position (row-major). */
function decode(
  g: ConvTransposeGeometry | ConvGeometry,
  index: number,
  position: number[],
): [number, number] {
  let rest = index;
  for (let a = g.rank - 1; a >= 0; a--) {
    const L = g.outputSize[a]!;
    position[a] = rest % L;
    rest = (rest - position[a]!) / L;
  }
  const co = rest % g.outChannels;
  return [(rest - co) / g.outChannels, co];
}

/** The flat kernel index `t` as per-axis taps. */
function tapOf(g: ConvTransposeGeometry | ConvGeometry, t: number, tap: number[]): void {
  let rest = t;
  for (let a = g.rank - 1; a >= 0; a--) {
    const k = g.kernelSize[a]!;
    tap[a] = rest % k;
    rest = (rest - tap[a]!) / k;
  }
}

/** One element of a transposed convolution by its definition, summed in float64. */
function transposedElement(
  g: ConvTransposeGeometry,
  x: FloatArray,
  w: FloatArray,
  bias: FloatArray | null,
  index: number,
): number {
  const o = new Array<number>(g.rank);
  const tap = new Array<number>(g.rank);
  const [n, co] = decode(g, index, o);
  const cog = co % g.outChannelsPerGroup;
  const group = (co - cog) / g.outChannelsPerGroup;
  const K = g.kernelSize.reduce((p, k) => p * k, 1);
  const inPlane = g.inputSize.reduce((p, k) => p * k, 1);
  let sum = bias ? bias[co]! : 0;
  for (let t = 0; t < K; t++) {
    tapOf(g, t, tap);
    // output o receives input i = (o + padBegin − k·dilation) / stride when that divides and is inside
    let flat = 0;
    let inside = true;
    for (let a = 0; a < g.rank && inside; a++) {
      const reach = o[a]! + g.padBegin[a]! - tap[a]! * g.dilation[a]!;
      const s = g.stride[a]!;
      if (reach < 0 || reach % s !== 0 || reach / s >= g.inputSize[a]!) inside = false;
      else flat = flat * g.inputSize[a]! + reach / s;
    }
    if (!inside) continue;
    for (let c = 0; c < g.inChannelsPerGroup; c++) {
      const ci = group * g.inChannelsPerGroup + c;
      sum += x[(n * g.inChannels + ci) * inPlane + flat]! * w[(ci * g.outChannelsPerGroup + cog) * K + t]!;
    }
  }
  return sum;
}

/** One element of a convolution by its definition, summed in float64. */
function convElement(
  g: ConvGeometry,
  x: FloatArray,
  w: FloatArray,
  bias: FloatArray | null,
  index: number,
): number {
  const o = new Array<number>(g.rank);
  const tap = new Array<number>(g.rank);
  const [n, co] = decode(g, index, o);
  const group = (co - (co % g.outChannelsPerGroup)) / g.outChannelsPerGroup;
  const K = g.kernelSize.reduce((p, k) => p * k, 1);
  const inPlane = g.inputSize.reduce((p, k) => p * k, 1);
  let sum = bias ? bias[co]! : 0;
  for (let t = 0; t < K; t++) {
    tapOf(g, t, tap);
    let flat = 0;
    let inside = true;
    for (let a = 0; a < g.rank && inside; a++) {
      const pos = o[a]! * g.stride[a]! + tap[a]! * g.dilation[a]! - g.padBegin[a]!;
      if (pos < 0 || pos >= g.inputSize[a]!) inside = false;
      else flat = flat * g.inputSize[a]! + pos;
    }
    if (!inside) continue;
    for (let c = 0; c < g.inChannelsPerGroup; c++) {
      const ci = group * g.inChannelsPerGroup + c;
      sum += x[(n * g.inChannels + ci) * inPlane + flat]! * w[(co * g.inChannelsPerGroup + c) * K + t]!;
    }
  }
  return sum;
}
