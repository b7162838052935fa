import { transposeLength } from './output-size';
import type { ConvAxis, ConvAxisPads, TransposeAxis, TransposeAxisResult } from './padding';
import { floorDiv, sameConvPads, wordTransposeAxis } from './padding';

/*
 * ONNX `auto_pad` words, one axis at a time: `'same-upper'` and `'same-lower'`, as the ONNX
 * specification and its reference implementation define them (onnxruntime clamps a negative
 * total padding to 0; tconv follows the specification, so a negative total extends the output).
 */

/**
 * A transposed convolution's axis under `'same-upper'` / `'same-lower'`: L = n·s unless
 * `outputSize` gives it; total = s·(n−1) + outputPadding + k_d − L; the crop at the start is
 * `floor(total/2)` (upper) or `total − floor(total/2)` (lower), floor division.
 */
export function onnxTransposeAxis(
  axis: TransposeAxis,
  word: 'same-upper' | 'same-lower',
): TransposeAxisResult {
  const op = axis.outputPadding ?? 0;
  const length = axis.outputSize ?? axis.input * axis.stride;
  const total = transposeLength(axis.input, axis.kernel, axis.stride, axis.dilation, 0, 0, op) - length;
  const half = floorDiv(total, 2);
  return wordTransposeAxis(axis, word === 'same-upper' ? half : total - half, op, length);
}

/** A convolution's axis under `'same-upper'` / `'same-lower'` (ONNX `SAME_UPPER` / `SAME_LOWER`). */
export function onnxConvAxis(axis: ConvAxis, word: 'same-upper' | 'same-lower'): ConvAxisPads {
  return sameConvPads(axis, word);
}
