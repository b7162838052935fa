import type { ConvOptions, ConvTransposeOptions, Gradients, SyncBackend, Tensor } from '@tconv/core';
import {
  allocate,
  prepareConv,
  prepareConvBackward,
  prepareConvTranspose,
  prepareConvTransposeBackward,
  product,
} from '@tconv/core';
import { convBackwardImpl, convTransposeBackwardImpl } from './backward';
import { convImpl } from './conv';
import { convTransposeImpl } from './conv-transpose';

/** A backend whose gradient methods are present (not optional). */
export type WithGradients<B extends SyncBackend> = B &
  Required<Pick<B, 'convTransposeBackward' | 'convBackward'>>;

/**
 * The CPU backend: synchronous, float32 and float64, any spatial rank, every option of the
 * contract. Options are resolved by `@tconv/core`; this object only plugs the kernels in.
 * @example
 * ```ts
 * import { tensor } from '@tconv/core';
 * import { cpuBackend } from '@tconv/backend-cpu';
 * const y = cpuBackend.convTranspose(tensor([0, 1, 2, 3], [1, 1, 2, 2]), tensor([0, 1, 2, 3], [1, 1, 2, 2]));
 * // y.shape [1, 1, 3, 3], y.data [0, 0, 1, 0, 4, 6, 4, 12, 9]
 * ```
 */
export const cpuBackend: WithGradients<SyncBackend> = {
  name: 'cpu',
  convTranspose(input: Tensor, weight: Tensor, options?: ConvTransposeOptions): Tensor {
    const { geometry, dtype, bias } = prepareConvTranspose(input, weight, options);
    const out = allocate(dtype, product(geometry.outputShape));
    convTransposeImpl(geometry, input.data, weight.data, bias, out);
    return { shape: geometry.outputShape, data: out };
  },
  conv(input: Tensor, weight: Tensor, options?: ConvOptions): Tensor {
    const { geometry, dtype, bias } = prepareConv(input, weight, options);
    const out = allocate(dtype, product(geometry.outputShape));
    convImpl(geometry, input.data, weight.data, bias, out);
    return { shape: geometry.outputShape, data: out };
  },
  convTransposeBackward(
    gradOutput: Tensor,
    input: Tensor,
    weight: Tensor,
    options?: ConvTransposeOptions,
  ): Gradients {
    const { geometry: g } = prepareConvTransposeBackward(gradOutput, input, weight, options);
    const d = convTransposeBackwardImpl(g, input.data, weight.data, gradOutput.data);
    return gradientTensors(g.inputShape, g.weightShape, d);
  },
  convBackward(gradOutput: Tensor, input: Tensor, weight: Tensor, options?: ConvOptions): Gradients {
    const { geometry: g } = prepareConvBackward(gradOutput, input, weight, options);
    const d = convBackwardImpl(g, input.data, weight.data, gradOutput.data);
    return gradientTensors(g.inputShape, g.weightShape, d);
  },
};

function gradientTensors(
  inputShape: readonly number[],
  weightShape: readonly number[],
  d: { input: Tensor['data']; weight: Tensor['data']; bias: Tensor['data'] },
): Gradients {
  return {
    input: { shape: inputShape, data: d.input },
    weight: { shape: weightShape, data: d.weight },
    bias: { shape: [d.bias.length], data: d.bias },
  };
}
