import { OptionError } from './errors';
import { transposeLength } from './output-size';
import type { ConvAxisPads, TransposeAxis, TransposeAxisResult } from './padding';
import { dilatedKernel } from './padding';

/*
 * Explicit pads (a number, one per axis, or `{ begin, end }`): PyTorch's `padding` and
 * `output_size`, ONNX's `pads`. One axis at a time.
 */

/**
 * A transposed convolution's axis with explicit pads `begin`/`end`: the output is the full scatter
 * result cropped by them, plus `outputPadding` at the end. With `outputSize`, PyTorch's rule: the
 * length must lie in [min, min + stride − 1] (min the length without output padding), and the
 * difference is the output padding.
 * @throws {@link OptionError} for an unreachable `outputSize`, a contradicting `outputPadding`, or
 *   pads that crop the whole output
 */
export function pytorchTransposeAxis(axis: TransposeAxis, begin: number, end: number): TransposeAxisResult {
  const { input: n, kernel: k, stride: s, dilation: d, outputSize: wanted } = axis;
  const ax = `[${axis.axis}]`;
  const kd = dilatedKernel(axis);
  let op = axis.outputPadding;
  const min = transposeLength(n, k, s, d, begin, end, 0);
  if (wanted !== undefined) {
    // PyTorch's output_size rule: the requested length must be reachable with an output padding < stride.
    if (wanted < min || wanted > min + s - 1) {
      throw new OptionError(
        'OUTPUT_SIZE_UNREACHABLE',
        `outputSize${ax}`,
        `outputSize${ax} ${wanted} is unreachable: with padding, valid sizes range from ${min} to ${min + s - 1} (for an input of ${n}, stride ${s}, dilated kernel ${kd})`,
      );
    }
    if (op !== undefined && op !== wanted - min) {
      throw new OptionError(
        'OUTPUT_SIZE_UNREACHABLE',
        `outputPadding${ax}`,
        `outputPadding${ax} ${op} contradicts outputSize${ax} ${wanted}, which needs an output padding of ${wanted - min}; give one of them`,
      );
    }
    op = wanted - min;
  }
  op ??= 0;
  const length = min + op;
  if (length < 1) {
    throw new OptionError(
      'OUTPUT_TOO_SMALL',
      `padding${ax}`,
      `padding ${begin}+${end} on axis ${axis.axis} crops the whole output: (${n}-1)×${s} + ${kd} - ${begin} - ${end} + outputPadding ${op} = ${length} < 1`,
    );
  }
  return { padBegin: begin, padEnd: end, outputPadding: op, outputSize: length };
}

/** A convolution's axis with explicit pads: they are the pads. */
export function pytorchConvAxis(begin: number, end: number): ConvAxisPads {
  return { padBegin: begin, padEnd: end };
}
