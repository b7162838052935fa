import type { DType, FloatArray, Gradients, GeometryBase, Tensor } from '@tconv/core';
import {
  allocate,
  biasGradient,
  checkTensor,
  DTypeError,
  describeValue,
  dtypeOf,
  ShapeError,
} from '@tconv/core';
import type { ConvolutionMatrix } from './convolution-matrix';
import { csrMultiplyInto, csrMultiplyTransposedInto } from './csr';

function checkGradOutput(gradOutput: Tensor, shape: readonly number[], dtype: DType): void {
  checkTensor(gradOutput, 'gradOutput');
  if (gradOutput.shape.length !== shape.length || gradOutput.shape.some((d, i) => d !== shape[i])) {
    throw new ShapeError(
      'INVALID_SHAPE',
      'gradOutput',
      `gradOutput must have the forward output's shape ${describeValue(shape)}, but got ${describeValue(gradOutput.shape)}`,
    );
  }
  if (dtypeOf(gradOutput.data) !== dtype) {
    throw new DTypeError(
      'DTYPE_MISMATCH',
      'gradOutput',
      `gradOutput is ${dtypeOf(gradOutput.data)} but the operator was prepared with ${dtype} weights`,
    );
  }
}

/**
 * The gradients of an operator built on the convolution matrix W, with the same matrix — d2l
 * 13.10.3 literally. A transposed convolution is `y = Wᵀ·x`, so `∂x = W·gy`; a convolution is
 * `y = W·x`, so `∂x = Wᵀ·gy`. The weight gradient walks W's nonzeros: entry (r, c) holds weight
 * element `weightIndex[j]` and contributes `x_r·gy_c` (transposed) or `gy_r·x_c` (convolution) to
 * it, summed over the batch in float64. The bias gradient is core's {@link biasGradient}.
 * @param g - the forward geometry (its output shape, channels, batch from `input`)
 * @param matrix - W, as the operator built it
 * @param transposed - whether the forward multiplies by Wᵀ
 * @param input - the forward input (its batch size is the call's)
 * @param gradOutput - ∂L/∂output
 * @param weightLength - the number of weight elements
 */
export function matrixGradients(
  g: GeometryBase,
  matrix: ConvolutionMatrix,
  transposed: boolean,
  input: Tensor,
  gradOutput: Tensor,
  weightLength: number,
  weightShape: readonly number[],
): Gradients {
  const dtype = dtypeOf(input.data);
  const batch = input.shape[0]!;
  const outShape = [batch, ...g.outputShape.slice(1)];
  checkGradOutput(gradOutput, outShape, dtype);
  const { rows, cols, rowStart, columns, weightIndex } = matrix;
  const x = input.data;
  const gy = gradOutput.data;
  // per batch item: x has `rows` elements (transposed) or `cols`; gy the other
  const xItem = transposed ? rows : cols;
  const yItem = transposed ? cols : rows;
  const dx = allocate(dtype, batch * xItem);
  for (let n = 0; n < batch; n++) {
    if (transposed) csrMultiplyInto(matrix, gy, n * yItem, dx, n * xItem);
    else csrMultiplyTransposedInto(matrix, gy, n * yItem, dx, n * xItem);
  }
  const dw = new Float64Array(weightLength);
  const byRow: FloatArray = transposed ? x : gy;
  const byColumn: FloatArray = transposed ? gy : x;
  for (let n = 0; n < batch; n++) {
    const rOff = n * rows;
    const cOff = n * cols;
    for (let r = 0; r < rows; r++) {
      const v = byRow[rOff + r]!;
      if (v === 0) continue;
      const end = rowStart[r + 1]!;
      for (let j = rowStart[r]!; j < end; j++) dw[weightIndex[j]!]! += v * byColumn[cOff + columns[j]!]!;
    }
  }
  const weight = allocate(dtype, weightLength);
  weight.set(dw);
  return {
    input: { shape: input.shape, data: dx },
    weight: { shape: weightShape, data: weight },
    bias: { shape: [g.outChannels], data: biasGradient({ ...g, batch }, gy) },
  };
}
