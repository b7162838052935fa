import type { ConvGeometry, ConvTransposeGeometry } from './geometry';

/**
 * The operation a geometry is the transpose of (d2l 13.10.3): a transposed convolution with matrix
 * Wᵀ is the adjoint of the convolution with matrix W, and the converse. The adjoint swaps input and
 * output (sizes, shapes, channel counts) and keeps the same weight tensor — the layouts
 * `[Cin, Cout/groups, ...k]` (transposed) and `[Cout, Cin/groups, ...k]` (convolution) are the same
 * array read from either side — and the same stride, dilation and `padBegin`, so the one rule
 * `o = i*stride + k*dilation - padBegin` connects the same pairs of positions in both directions.
 *
 * Used for gradients: `convTransposeBackward(...).input` is the convolution on
 * `adjointGeometry(transposeGeometry)` applied to `gradOutput`, and `convBackward(...).input` the
 * transposed convolution on `adjointGeometry(convGeometry)`. Pads are explicit and may be negative
 * (where the forward output was extended with zeros); kernels follow the rule above with bounds checks.
 *
 * @example
 * ```ts
 * import { adjointGeometry, resolveConvTranspose } from '@tconv/core';
 * const g = resolveConvTranspose([1, 1, 3, 3], [1, 1, 2, 2], { stride: 2, padding: 'same' });
 * const c = adjointGeometry(g); // c.kind === 'conv', c.inputShape = [1, 1, 6, 6], c.outputShape = [1, 1, 3, 3]
 * ```
 */
export function adjointGeometry(g: ConvTransposeGeometry): ConvGeometry;
export function adjointGeometry(g: ConvGeometry): ConvTransposeGeometry;
export function adjointGeometry(
  g: ConvTransposeGeometry | ConvGeometry,
): ConvGeometry | ConvTransposeGeometry {
  const swapped = {
    rank: g.rank,
    batch: g.batch,
    inChannels: g.outChannels,
    outChannels: g.inChannels,
    groups: g.groups,
    inChannelsPerGroup: g.outChannelsPerGroup,
    outChannelsPerGroup: g.inChannelsPerGroup,
    inputSize: g.outputSize,
    kernelSize: g.kernelSize,
    outputSize: g.inputSize,
    stride: g.stride,
    dilation: g.dilation,
    padBegin: g.padBegin,
    inputShape: g.outputShape,
    weightShape: g.weightShape,
    outputShape: g.inputShape,
  };
  if (g.kind === 'convTranspose') {
    // Conv output size floor((L + padBegin + padEnd - kd) / s) + 1 equals the transposed input size
    // exactly when padEnd drops the output padding the transposed convolution added back.
    return { ...swapped, kind: 'conv', padEnd: g.padEnd.map((p, a) => p - g.outputPadding[a]!) };
  }
  // The convolution ignored the last (n + padBegin + padEnd - kd) mod s input positions; the
  // transposed convolution gives them back as output padding (PyTorch's rule for the same case).
  const outputPadding = g.inputSize.map((n, a) => {
    const kd = g.dilation[a]! * (g.kernelSize[a]! - 1) + 1;
    return (n + g.padBegin[a]! + g.padEnd[a]! - kd) % g.stride[a]!;
  });
  return { ...swapped, kind: 'convTranspose', padEnd: g.padEnd, outputPadding };
}
