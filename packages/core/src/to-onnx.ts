import { resolveConvTranspose } from './geometry';
import type { OnnxConvTransposeAttributes } from './onnx';
import type { ConvTransposeOptions } from './options';

/**
 * Translates tconv options into the attributes of an ONNX `ConvTranspose` node with the same result:
 * the inverse of {@link fromOnnx} (`fromOnnx(toOnnx(o, x, w), x, w)` resolves to the same geometry).
 *
 * Padding words stay words, so an ONNX engine's own `auto_pad` logic is what runs:
 * - `'same-upper'` / `'same-lower'` → `auto_pad` `SAME_UPPER` / `SAME_LOWER`, `outputSize` →
 *   `output_shape`, `outputPadding` → `output_padding` (the specification's rule: the total padding
 *   `s·(n−1) + output_padding + k_d − L` is split, a negative total extends the output);
 * - `'valid'` → `auto_pad` `VALID` (zero pads); the length past the full result (kernel < stride,
 *   `outputSize`, `outputPadding`) becomes `output_padding`;
 * - numbers and `{ begin, end }` → `pads`; `outputSize` becomes `output_padding` (PyTorch's rule), not
 *   `output_shape`, because ONNX ignores `pads` when `output_shape` is given;
 * - Keras `'same'` has no ONNX word: its crop is computed from the resolved geometry and written as
 *   `pads`; where Keras zero-extends the end (kernel < stride) the extension is `output_padding`.
 *
 * `bias` is not an attribute (it is the node's third input) and is ignored here.
 * @param options - tconv options (validated as `resolveConvTranspose` does)
 * @param inputShape - `[N, Cin, ...spatial]`
 * @param weightShape - `[Cin, Cout/groups, ...kernel]`
 * @throws the errors of `resolveConvTranspose` for invalid options
 * @example
 * ```ts
 * toOnnx({ stride: 2, padding: 1, outputPadding: 1 }, [1, 8, 4, 4], [8, 4, 3, 3]);
 * // { strides: [2, 2], dilations: [1, 1], group: 1, kernel_shape: [3, 3], pads: [1, 1, 1, 1], output_padding: [1, 1] }
 * toOnnx({ stride: 2, padding: 'same-upper' }, [1, 1, 2], [1, 1, 1]);
 * // { strides: [2], dilations: [1], group: 1, kernel_shape: [1], auto_pad: 'SAME_UPPER' }
 * ```
 */
export function toOnnx(
  options: ConvTransposeOptions,
  inputShape: readonly number[],
  weightShape: readonly number[],
): OnnxConvTransposeAttributes {
  const g = resolveConvTranspose(inputShape, weightShape, options);
  const base: OnnxConvTransposeAttributes = {
    strides: [...g.stride],
    dilations: [...g.dilation],
    group: g.groups,
    kernel_shape: [...g.kernelSize],
  };
  const nonzero = (v: readonly number[]) => v.some((x) => x !== 0);
  const padding = options.padding;
  if (padding === 'same-upper' || padding === 'same-lower') {
    return {
      ...base,
      auto_pad: padding === 'same-upper' ? 'SAME_UPPER' : 'SAME_LOWER',
      ...(options.outputSize ? { output_shape: [...g.outputSize] } : {}),
      ...(nonzero(g.outputPadding) ? { output_padding: [...g.outputPadding] } : {}),
    };
  }
  // the full scatter length (n−1)·s + k_d per axis; every other convention is a crop of it
  const full = g.inputSize.map(
    (n, a) => (n - 1) * g.stride[a]! + g.dilation[a]! * (g.kernelSize[a]! - 1) + 1,
  );
  if (padding === 'valid') {
    const extra = g.outputSize.map((l, a) => l - full[a]!);
    return { ...base, auto_pad: 'VALID', ...(nonzero(extra) ? { output_padding: extra } : {}) };
  }
  // explicit pads (and Keras 'same', computed): a negative end crop is an extension, i.e. output_padding
  const end = g.padEnd.map((p) => Math.max(p, 0));
  const outputPadding = g.padEnd.map((p, a) => g.outputPadding[a]! - Math.min(p, 0));
  return {
    ...base,
    pads: [...g.padBegin, ...end],
    ...(nonzero(outputPadding) ? { output_padding: outputPadding } : {}),
  };
}
