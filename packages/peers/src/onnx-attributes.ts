import type { ConvOptions, ConvTransposeOptions } from '@tconv/core';
import { resolveConv, toOnnx } from '@tconv/core';
import type { OnnxAttributeValue } from './onnx-model';
import type { PeerOp } from './peer';

/** ONNX node attributes by name. */
export type OnnxAttributes = Record<string, OnnxAttributeValue | undefined>;

/**
 * The attributes of an ONNX `Conv` node with tconv's result. Padding words stay `auto_pad` words
 * (`'same'` and `'same-upper'` are both TF/ONNX `SAME_UPPER` for a convolution: the odd element at
 * the end; `'same-lower'` is `SAME_LOWER`; `'valid'` is `VALID`); numbers and `{ begin, end }` are `pads`.
 * @param options - tconv convolution options (validated as `resolveConv` does)
 * @param inputShape - `[N, Cin, ...spatial]`
 * @param weightShape - `[Cout, Cin/groups, ...kernel]`
 * @example
 * ```ts
 * onnxConvAttributes({ stride: 2, padding: 1 }, [1, 3, 8, 8], [4, 3, 3, 3]);
 * // { strides: [2, 2], dilations: [1, 1], group: 1, kernel_shape: [3, 3], pads: [1, 1, 1, 1] }
 * ```
 */
export function onnxConvAttributes(
  options: ConvOptions,
  inputShape: readonly number[],
  weightShape: readonly number[],
): OnnxAttributes {
  const g = resolveConv(inputShape, weightShape, options);
  const base = {
    strides: [...g.stride],
    dilations: [...g.dilation],
    group: g.groups,
    kernel_shape: [...g.kernelSize],
  };
  const p = options.padding;
  if (p === 'same' || p === 'same-upper') return { ...base, auto_pad: 'SAME_UPPER' };
  if (p === 'same-lower') return { ...base, auto_pad: 'SAME_LOWER' };
  if (p === 'valid') return { ...base, auto_pad: 'VALID' };
  return { ...base, pads: [...g.padBegin, ...g.padEnd] };
}

/**
 * The ONNX node (`ConvTranspose` via core's `toOnnx`, or `Conv`) and attributes of a tconv call.
 * `bias` is not an attribute: it becomes the node's third input.
 */
export function onnxNode(
  op: PeerOp,
  inputShape: readonly number[],
  weightShape: readonly number[],
  options: ConvTransposeOptions,
): { op: 'ConvTranspose' | 'Conv'; attributes: OnnxAttributes } {
  const { bias: _bias, ...rest } = options;
  if (op === 'conv') return { op: 'Conv', attributes: onnxConvAttributes(rest, inputShape, weightShape) };
  return { op: 'ConvTranspose', attributes: { ...toOnnx(rest, inputShape, weightShape) } };
}
