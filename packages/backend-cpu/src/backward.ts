import type { ConvGeometry, ConvTransposeGeometry, FloatArray } from '@tconv/core';
import { adjointGeometry, allocate, biasGradient, dtypeOf, recomputeNonFinite } from '@tconv/core';
import { convGemmImpl } from './conv-gemm';
import { convTransposeImpl } from './conv-transpose';
import { weightGradientImpl } from './weight-gradient';

/** The three gradients of one forward call, as flat arrays in the input's float type. */
export interface GradientArrays {
  readonly input: FloatArray;
  readonly weight: FloatArray;
  readonly bias: FloatArray;
}

const count = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/**
 * The gradients of a transposed convolution on a resolved geometry. d2l 13.10.3 in code: the
 * input gradient is a forward *convolution* kernel ({@link convGemmImpl}) run on
 * {@link adjointGeometry}`(g)` — the convolution this transposed convolution is the transpose of —
 * applied to `gy` with the same weight array; the weight gradient is the GEMM reduction {@link weightGradientImpl}; the bias
 * gradient is core's {@link biasGradient}.
 * @param g - the forward geometry
 * @param x - the forward input
 * @param w - the weight `[Cin, Cout/groups, ...kernel]`
 * @param gy - ∂L/∂output, the forward output's shape
 */
export function convTransposeBackwardImpl(
  g: ConvTransposeGeometry,
  x: FloatArray,
  w: FloatArray,
  gy: FloatArray,
): GradientArrays {
  const dtype = dtypeOf(x);
  const input = allocate(dtype, count(g.inputShape));
  const adjoint = adjointGeometry(g);
  convGemmImpl(adjoint, gy, w, input);
  // the forward kernels' overflow rule: non-finite float32 elements are recomputed by the definition
  recomputeNonFinite(adjoint, gy, w, null, input);
  const weight = allocate(dtype, count(g.weightShape));
  weightGradientImpl(g, x, gy, weight);
  return { input, weight, bias: biasGradient(g, gy) };
}

/**
 * The gradients of a convolution on a resolved geometry: the input gradient is the forward
 * *transposed-convolution* kernel on {@link adjointGeometry}`(g)` (back to the input's size,
 * including the positions the stride never read), the weight gradient {@link weightGradientImpl},
 * the bias gradient core's {@link biasGradient}.
 * @param g - the forward geometry
 * @param x - the forward input
 * @param w - the weight `[Cout, Cin/groups, ...kernel]`
 * @param gy - ∂L/∂output, the forward output's shape
 */
export function convBackwardImpl(
  g: ConvGeometry,
  x: FloatArray,
  w: FloatArray,
  gy: FloatArray,
): GradientArrays {
  const dtype = dtypeOf(x);
  const input = allocate(dtype, count(g.inputShape));
  convTransposeImpl(adjointGeometry(g), gy, w, null, input);
  const weight = allocate(dtype, count(g.weightShape));
  weightGradientImpl(g, x, gy, weight);
  return { input, weight, bias: biasGradient(g, gy) };
}
