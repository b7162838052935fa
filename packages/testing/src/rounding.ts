import type { ConvOptions, ConvTransposeOptions, DType, Tensor } from '@tconv/core';
import { tensor } from '@tconv/core';

/**
 * A definition-level operation to measure against (the CPU backend's `referenceConvTranspose` or
 * `referenceConv`): given float64 tensors it must sum in float64.
 */
export type ReferenceOp = (input: Tensor, weight: Tensor, options?: ConvTransposeOptions) => Tensor;

/** The unit roundoff of a float type: 2^-24 for float32, 2^-53 for float64. */
export function unitRoundoff(dtype: DType): number {
  return dtype === 'float64' ? 2 ** -53 : 2 ** -24;
}

const f64 = (t: Tensor, map?: (v: number) => number): Tensor =>
  tensor(map ? Float64Array.from(t.data, map) : Float64Array.from(t.data), t.shape);

/**
 * Throws unless every element of `actual` lies within the worst-case rounding bound of a sum of
 * `terms` products in `dtype` from the exact (float64) result: `|actual − exact| ≤ γ·Σ|x·w|`,
 * `γ = (terms + 2)·u` (each product and partial sum rounded once, plus the final store; `u` the
 * unit roundoff). `Σ|x·w|` is the reference run on the absolute values, so the bound is per element.
 * @param actual - the result under test (a tensor: its shape is checked too)
 * @param x - the input it was computed from
 * @param w - the weight
 * @param options - the call's options (a number-array bias is taken as float64)
 * @param reference - the definition to measure against
 * @param terms - products summed into one output (`Cin/groups · ∏kernel`, + 1 for a bias)
 * @param dtype - the float type of `actual`; default float32
 * @returns the largest absolute error
 */
export function expectWithinRounding(
  actual: Tensor | ArrayLike<number>,
  x: Tensor,
  w: Tensor,
  options: ConvTransposeOptions | ConvOptions,
  reference: ReferenceOp,
  terms: number,
  dtype: DType = 'float32',
): number {
  const { bias, ...rest } = options;
  const exact = reference(f64(x), f64(w), bias ? { ...rest, bias: Float64Array.from(bias) } : rest);
  const magnitude = reference(
    f64(x, Math.abs),
    f64(w, Math.abs),
    bias ? { ...rest, bias: Float64Array.from(bias, Math.abs) } : rest,
  );
  const data =
    'data' in actual && 'shape' in actual ? (actual as Tensor).data : (actual as ArrayLike<number>);
  if ('shape' in actual && (actual as Tensor).shape.join() !== exact.shape.join()) {
    throw new Error(`shape [${(actual as Tensor).shape}], expected [${exact.shape}]`);
  }
  if (data.length !== exact.data.length) {
    throw new Error(`${data.length} elements, expected ${exact.data.length}`);
  }
  const gamma = (terms + 2) * unitRoundoff(dtype);
  let maxError = 0;
  for (let i = 0; i < exact.data.length; i++) {
    const err = Math.abs(data[i]! - exact.data[i]!);
    const bound = gamma * magnitude.data[i]!;
    // 1e-30: an exact zero may come out as a signed or subnormal zero
    if (!(err <= bound + 1e-30)) {
      throw new Error(`element ${i}: ${data[i]} vs ${exact.data[i]} (error ${err}, bound ${bound})`);
    }
    maxError = Math.max(maxError, err);
  }
  return maxError;
}
