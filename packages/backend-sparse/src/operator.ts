import type {
  ConvGeometry,
  ConvOptions,
  ConvTransposeGeometry,
  ConvTransposeOptions,
  DType,
  FloatArray,
  Gradients,
  Tensor,
} from '@tconv/core';
import {
  adjointGeometry,
  allocate,
  checkTensor,
  DTypeError,
  describeValue,
  dtypeOf,
  fillBias,
  prepareConvFor,
  prepareConvTransposeFor,
  product,
  recomputeNonFinite,
  ShapeError,
} from '@tconv/core';
import { matrixGradients } from './backward';
import { csrMultiplyInto, csrMultiplyTransposedInto } from './csr';
import type { ConvolutionMatrix } from './convolution-matrix';
import { buildConvolutionMatrix } from './convolution-matrix';

/**
 * An operator built once and applied to many inputs. `G` is its geometry: a
 * `ConvTransposeGeometry` from {@link prepareSparseConvTranspose}, a `ConvGeometry` from
 * {@link prepareSparseConv}; written without a type argument it is either.
 */
export interface SparseOperator<
  G extends ConvTransposeGeometry | ConvGeometry = ConvTransposeGeometry | ConvGeometry,
> {
  readonly geometry: G;
  /**
   * The convolution matrix W over one batch item. For a transposed convolution it is the matrix of
   * the convolution it transposes; `apply` multiplies by Wᵀ.
   */
  readonly matrix: ConvolutionMatrix;
  /** Applies the operator to an input whose shape is the prepared one (any batch size). */
  apply(input: Tensor): Tensor;
  /**
   * The gradients of `apply(input)` for ∂L/∂output = `gradOutput`, with the same matrix: the input
   * gradient is W·gradOutput for a transposed convolution (Wᵀ·gradOutput for a convolution).
   */
  backward(gradOutput: Tensor, input: Tensor): Gradients;
}

function checkInput(input: Tensor, shape: readonly number[], dtype: string): number {
  checkTensor(input, 'input');
  if (input.shape.length !== shape.length || input.shape.some((d, i) => i > 0 && d !== shape[i])) {
    throw new ShapeError(
      'INVALID_SHAPE',
      'input.shape',
      `input.shape ${describeValue(input.shape)} must be [N, ${shape.slice(1).join(', ')}], the shape the operator was prepared for`,
    );
  }
  if (dtypeOf(input.data) !== dtype) {
    throw new DTypeError(
      'DTYPE_MISMATCH',
      'input',
      `input is ${dtypeOf(input.data)} but the operator was prepared with ${dtype} weights`,
    );
  }
  return input.shape[0]!;
}

/**
 * The operator around a matrix: `transposed` multiplies each batch item by Wᵀ (scatter over W's
 * rows), otherwise by W; the bias is written first. float32 elements that come out non-finite are
 * recomputed by the definition in float64 from `weights` (core's `recomputeNonFinite`, the one
 * overflow rule of every backend).
 */
function operator<G extends ConvGeometry | ConvTransposeGeometry>(
  g: G,
  matrix: ConvolutionMatrix,
  dtype: DType,
  bias: FloatArray | null,
  transposed: boolean,
  weights: FloatArray,
): SparseOperator<G> {
  const inItem = transposed ? matrix.rows : matrix.cols;
  const outItem = transposed ? matrix.cols : matrix.rows;
  const multiply = transposed ? csrMultiplyTransposedInto : csrMultiplyInto;
  const weightLength = product(g.weightShape);
  return {
    geometry: g,
    matrix,
    apply(input: Tensor): Tensor {
      const batch = checkInput(input, g.inputShape, dtype);
      const out = allocate(dtype, batch * outItem);
      if (bias) fillBias(out, bias, batch, g.outChannels, outItem / g.outChannels);
      for (let n = 0; n < batch; n++) multiply(matrix, input.data, n * inItem, out, n * outItem);
      // the geometry is the prepared one with this call's batch size
      recomputeNonFinite({ ...g, batch }, input.data, weights, bias, out);
      return { shape: [batch, ...g.outputShape.slice(1)], data: out };
    },
    backward(gradOutput: Tensor, input: Tensor): Gradients {
      checkInput(input, g.inputShape, dtype);
      return matrixGradients(g, matrix, transposed, input, gradOutput, weightLength, g.weightShape);
    },
  };
}

/**
 * Builds the transposed convolution as the operator `y = Wᵀ·x` (+ bias) once, for repeated use:
 * W is the CSR matrix of the convolution whose input has this transposed convolution's output
 * size, so every padding convention, `outputPadding` and `outputSize` carry over.
 * @param inputShape - `[N, Cin, ...spatial]` (N is free when applying)
 * @param weight - `[Cin, Cout/groups, ...kernel]`
 * @param options - as for any backend
 */
export function prepareSparseConvTranspose(
  inputShape: readonly number[],
  weight: Tensor,
  options: ConvTransposeOptions = {},
): SparseOperator<ConvTransposeGeometry> {
  const { geometry: g, dtype, bias } = prepareConvTransposeFor(inputShape, weight, options);
  return operator(g, buildConvolutionMatrix(adjointGeometry(g), weight.data), dtype, bias, true, weight.data);
}

/**
 * Builds the convolution as the operator `y = W·x` (+ bias) once, for repeated use.
 * @param inputShape - `[N, Cin, ...spatial]` (N is free when applying)
 * @param weight - `[Cout, Cin/groups, ...kernel]`
 * @param options - as for any backend
 */
export function prepareSparseConv(
  inputShape: readonly number[],
  weight: Tensor,
  options: ConvOptions = {},
): SparseOperator<ConvGeometry> {
  const { geometry: g, dtype, bias } = prepareConvFor(inputShape, weight, options);
  return operator(g, buildConvolutionMatrix(g, weight.data), dtype, bias, false, weight.data);
}
