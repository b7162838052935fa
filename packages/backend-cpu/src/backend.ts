import type { ConvOptions, ConvTransposeOptions, SyncBackend, Tensor } from '@tconv/core';
import { allocate, prepareConv, prepareConvTranspose } from '@tconv/core';
import { convImpl } from './conv';
import { convTransposeImpl } from './conv-transpose';

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
export const cpuBackend: SyncBackend = {
  name: 'cpu',
  convTranspose(input: Tensor, weight: Tensor, options?: ConvTransposeOptions): Tensor {
    const { geometry, dtype, bias } = prepareConvTranspose(input, weight, options);
    const out = allocate(
      dtype,
      geometry.outputShape.reduce((a, b) => a * b, 1),
    );
    convTransposeImpl(geometry, input.data, weight.data, bias, out);
    return { shape: geometry.outputShape, data: out };
  },
  conv(input: Tensor, weight: Tensor, options?: ConvOptions): Tensor {
    const { geometry, dtype, bias } = prepareConv(input, weight, options);
    const out = allocate(
      dtype,
      geometry.outputShape.reduce((a, b) => a * b, 1),
    );
    convImpl(geometry, input.data, weight.data, bias, out);
    return { shape: geometry.outputShape, data: out };
  },
};
