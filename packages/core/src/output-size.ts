import { describe, OptionError } from './errors';
import { checkInteger } from './validation';

/** Per-axis options of {@link convOutputSize}. */
export interface ConvAxisOptions {
  stride?: number;
  /** Symmetric padding, or `[begin, end]`. */
  padding?: number | readonly [number, number];
  dilation?: number;
}

/** Per-axis options of {@link convTransposeOutputSize}. */
export interface ConvTransposeAxisOptions extends ConvAxisOptions {
  outputPadding?: number;
}

function axisPadding(padding: number | readonly [number, number] | undefined): [number, number] {
  if (padding === undefined) return [0, 0];
  if (typeof padding === 'number') {
    checkInteger(padding, 'padding', 0);
    return [padding, padding];
  }
  if (!Array.isArray(padding) || padding.length !== 2) {
    throw new OptionError(
      'INVALID_OPTION',
      'padding',
      `padding must be a number or a [begin, end] pair, but got ${describe(padding)}`,
    );
  }
  return [checkInteger(padding[0], 'padding[0]', 0), checkInteger(padding[1], 'padding[1]', 0)];
}

/**
 * Checks the output padding rule shared with PyTorch: it must be smaller than either the stride
 * or the dilation, or it would add output that no input reaches.
 */
export function checkOutputPadding(
  outputPadding: number,
  stride: number,
  dilation: number,
  parameter: string,
): void {
  checkInteger(outputPadding, parameter, 0);
  if (outputPadding >= Math.max(stride, dilation)) {
    throw new OptionError(
      'OUTPUT_PADDING_TOO_LARGE',
      parameter,
      `${parameter} must be smaller than either stride or dilation, but got ${parameter} ${outputPadding}, stride ${stride}, dilation ${dilation}`,
    );
  }
}

/**
 * Output length of a convolution along one axis:
 * `floor((input + padBegin + padEnd - dilation*(kernel-1) - 1) / stride) + 1`.
 * @throws {@link OptionError} for an invalid argument or a result < 1
 * @example
 * ```ts
 * convOutputSize(7, 3); // 5 (AIM: 7×7 image, 3×3 filter)
 * convOutputSize(4, 3, { stride: 2, padding: 1 }); // 2
 * ```
 */
export function convOutputSize(input: number, kernel: number, o: ConvAxisOptions = {}): number {
  checkInteger(input, 'input', 1);
  checkInteger(kernel, 'kernel', 1);
  const stride = checkInteger(o.stride ?? 1, 'stride', 1);
  const dilation = checkInteger(o.dilation ?? 1, 'dilation', 1);
  const [begin, end] = axisPadding(o.padding);
  const span = dilation * (kernel - 1) + 1;
  const padded = input + begin + end;
  if (padded < span) {
    throw new OptionError(
      'OUTPUT_TOO_SMALL',
      'kernel',
      `the dilated kernel (${span} = dilation ${dilation} × (kernel ${kernel} - 1) + 1) is larger than the padded input (${padded} = ${input} + ${begin} + ${end}); the output would be empty`,
    );
  }
  return Math.floor((padded - span) / stride) + 1;
}

/**
 * Output length of a transposed convolution along one axis:
 * `(input-1)*stride - padBegin - padEnd + dilation*(kernel-1) + 1 + outputPadding`.
 * @throws {@link OptionError} for an invalid argument, `outputPadding ≥ max(stride, dilation)` or a result < 1
 * @example
 * ```ts
 * convTransposeOutputSize(2, 2); // 3 (2×2 input, 2×2 kernel)
 * convTransposeOutputSize(4, 3, { stride: 4, outputPadding: 1 }); // 16
 * ```
 */
export function convTransposeOutputSize(
  input: number,
  kernel: number,
  o: ConvTransposeAxisOptions = {},
): number {
  checkInteger(input, 'input', 1);
  checkInteger(kernel, 'kernel', 1);
  const stride = checkInteger(o.stride ?? 1, 'stride', 1);
  const dilation = checkInteger(o.dilation ?? 1, 'dilation', 1);
  const [begin, end] = axisPadding(o.padding);
  const outputPadding = o.outputPadding ?? 0;
  checkOutputPadding(outputPadding, stride, dilation, 'outputPadding');
  const size = (input - 1) * stride - begin - end + dilation * (kernel - 1) + 1 + outputPadding;
  if (size < 1) {
    throw new OptionError(
      'OUTPUT_TOO_SMALL',
      'padding',
      `padding ${begin}+${end} crops the whole output: (${input}-1)×${stride} - ${begin} - ${end} + ${dilation}×(${kernel}-1) + 1 + ${outputPadding} = ${size} < 1`,
    );
  }
  return size;
}
