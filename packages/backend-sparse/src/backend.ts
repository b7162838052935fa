import type { ConvOptions, ConvTransposeOptions, Gradients, SyncBackend, Tensor } from '@tconv/core';
import {
  prepareConv,
  prepareConvBackward,
  prepareConvTranspose,
  prepareConvTransposeBackward,
} from '@tconv/core';
import { prepareSparseConv, prepareSparseConvTranspose } from './operator';

/**
 * The sparse backend: `convTranspose` multiplies each batch item by Wᵀ, `conv` by W, where W is
 * the convolution matrix built from the resolved geometry. Synchronous, float32 and float64, any
 * rank. It builds W on every call; to apply one operator to many inputs use
 * {@link prepareSparseConvTranspose}.
 */
export const sparseBackend: SyncBackend &
  Required<Pick<SyncBackend, 'convTransposeBackward' | 'convBackward'>> = {
  name: 'sparse',
  convTranspose(input: Tensor, weight: Tensor, options?: ConvTransposeOptions): Tensor {
    prepareConvTranspose(input, weight, options); // validates the input too, before W is built
    return prepareSparseConvTranspose(input.shape, weight, options).apply(input);
  },
  conv(input: Tensor, weight: Tensor, options?: ConvOptions): Tensor {
    prepareConv(input, weight, options);
    return prepareSparseConv(input.shape, weight, options).apply(input);
  },
  /** ∂x = W·gradOutput with the W whose transpose the forward multiplies by (d2l 13.10.3). */
  convTransposeBackward(
    gradOutput: Tensor,
    input: Tensor,
    weight: Tensor,
    options?: ConvTransposeOptions,
  ): Gradients {
    prepareConvTransposeBackward(gradOutput, input, weight, options); // validates before W is built
    return prepareSparseConvTranspose(input.shape, weight, options).backward(gradOutput, input);
  },
  /** ∂x = Wᵀ·gradOutput with the W the forward multiplies by. */
  convBackward(gradOutput: Tensor, input: Tensor, weight: Tensor, options?: ConvOptions): Gradients {
    prepareConvBackward(gradOutput, input, weight, options);
    return prepareSparseConv(input.shape, weight, options).backward(gradOutput, input);
  },
};
