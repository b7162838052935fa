import type { ConvGeometry, ConvTransposeGeometry } from './geometry';
import { product } from './product';

/**
 * Useful floating-point operations of a (transposed) convolution:
 * `2·N·Cin·∏input·(Cout/groups)·∏kernel` for a transposed convolution, and the same count with
 * input and output swapped for a convolution (each multiply-add counted as two).
 * @example
 * ```ts
 * geometryFlops(resolveConvTranspose([1, 512, 4, 4], [512, 256, 4, 4], { stride: 2, padding: 1 })); // 67108864
 * ```
 */
export function geometryFlops(g: ConvTransposeGeometry | ConvGeometry): number {
  const kernel = product(g.kernelSize);
  if (g.kind === 'convTranspose') {
    return 2 * g.batch * g.inChannels * product(g.inputSize) * g.outChannelsPerGroup * kernel;
  }
  return 2 * g.batch * g.outChannels * product(g.outputSize) * g.inChannelsPerGroup * kernel;
}
