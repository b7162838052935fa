import { OptionError } from './errors';
import type { ConvAxis, ConvAxisPads, TransposeAxis, TransposeAxisResult } from './padding';
import { dilatedKernel, floorDiv, sameConvPads, wordTransposeAxis } from './padding';

/*
 * Keras / TensorFlow / TF.js padding words, one axis at a time: `'valid'` and `'same'`.
 */

/**
 * A transposed convolution's axis under `'valid'` or `'same'` (Keras `Conv*DTranspose`, TF's
 * `conv*d_transpose`). `'valid'`: L = n·s + max(k_d − s, 0), no crop at the start; `'same'`:
 * L = n·s, the crop at the start `floor(max(full − L, 0) / 2)`. An `outputSize` must be one TF
 * accepts (a VALID / SAME convolution of it gives back n); `outputPadding` follows Keras' formula.
 * @throws {@link OptionError} for an unreachable size, or `outputPadding` together with `outputSize`
 */
export function kerasTransposeAxis(axis: TransposeAxis, word: 'valid' | 'same'): TransposeAxisResult {
  const { input: n, stride: s, outputSize: wanted } = axis;
  const ax = `[${axis.axis}]`;
  const kd = dilatedKernel(axis);
  const full = (n - 1) * s + kd;
  const op = axis.outputPadding;
  if (wanted !== undefined && op !== undefined && op !== 0) {
    throw new OptionError(
      'INVALID_OPTION',
      `outputPadding${ax}`,
      `outputPadding${ax} ${op} cannot be combined with outputSize for padding '${word}' (Keras/TF take one or the other)`,
    );
  }
  let length: number;
  let pb: number;
  if (word === 'valid') {
    if (wanted !== undefined) {
      // TF's rule: a VALID convolution of the requested output must give back the input length.
      const back = wanted >= kd ? Math.floor((wanted - kd) / s) + 1 : 0;
      if (back !== n) {
        throw new OptionError(
          'OUTPUT_SIZE_UNREACHABLE',
          `outputSize${ax}`,
          `outputSize${ax} ${wanted} is unreachable with padding 'valid': a valid convolution of it gives ${back}, not the input size ${n}; valid sizes range from ${full} to ${full + s - 1}`,
        );
      }
      length = wanted;
    } else if (op !== undefined) {
      length = full + op;
    } else {
      length = n * s + Math.max(kd - s, 0);
    }
    pb = 0;
  } else {
    if (wanted !== undefined) {
      if (Math.ceil(wanted / s) !== n) {
        throw new OptionError(
          'OUTPUT_SIZE_UNREACHABLE',
          `outputSize${ax}`,
          `outputSize${ax} ${wanted} is unreachable with padding 'same': ceil(${wanted} / stride ${s}) must equal the input size ${n}, so it must lie in [${(n - 1) * s + 1}, ${n * s}]`,
        );
      }
      length = wanted;
    } else if (op !== undefined) {
      length = full - 2 * Math.floor(kd / 2) + op;
      if (length < 1 || Math.ceil(length / s) !== n) {
        throw new OptionError(
          'OUTPUT_SIZE_UNREACHABLE',
          `outputPadding${ax}`,
          `outputPadding${ax} ${op} with padding 'same' gives Keras' length (${n}-1)×${s} + ${kd} - 2×${Math.floor(kd / 2)} + ${op} = ${length}, but ceil(length / stride ${s}) must equal the input size ${n}`,
        );
      }
    } else {
      length = n * s;
    }
    pb = floorDiv(Math.max(full - length, 0), 2);
  }
  return wordTransposeAxis(axis, pb, op ?? 0, length);
}

/**
 * A convolution's axis under `'valid'` (no padding) or `'same'` (TF: output `ceil(n / s)`, the odd
 * element of the total padding at the end, like ONNX `SAME_UPPER`).
 */
export function kerasConvAxis(axis: ConvAxis, word: 'valid' | 'same'): ConvAxisPads {
  if (word === 'valid') return { padBegin: 0, padEnd: 0 };
  return sameConvPads(axis, 'same');
}
