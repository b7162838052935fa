import { describe, OptionError } from './errors';
import { EXACT_IN_DOUBLE, exactInteger } from './limits';
import { checkInteger, checkOptionsObject } from './validation';

const CONV_AXIS_KEYS = ['stride', 'padding', 'dilation'] as const;
const CONV_TRANSPOSE_AXIS_KEYS = [...CONV_AXIS_KEYS, 'outputPadding'] as const;

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
 * @throws {@link OptionError} for an invalid argument, an unknown option or a result < 1;
 * {@link LimitError} when the result would pass 2^53 − 1
 * @example
 * ```ts
 * convOutputSize(7, 3); // 5 (AIM: 7×7 image, 3×3 filter)
 * convOutputSize(4, 3, { stride: 2, padding: 1 }); // 2
 * ```
 */
export function convOutputSize(input: number, kernel: number, options?: ConvAxisOptions): number {
  const o = checkOptionsObject(options, CONV_AXIS_KEYS, 'convOutputSize');
  checkInteger(input, 'input', 1);
  checkInteger(kernel, 'kernel', 1);
  const stride = checkInteger(o.stride ?? 1, 'stride', 1);
  const dilation = checkInteger(o.dilation ?? 1, 'dilation', 1);
  const [begin, end] = axisPadding(o.padding);
  return convLength(input, kernel, stride, dilation, begin, end, 'kernel');
}

/**
 * The exact convolution length `floor((n + begin + end − d·(k−1) − 1) / s) + 1` of one axis: in
 * doubles when every term is at most {@link EXACT_IN_DOUBLE} (exact there), else in BigInt (the
 * padded input may pass 2^53). An empty output is an {@link OptionError} naming `parameter`.
 */
export function convLength(
  n: number,
  k: number,
  s: number,
  d: number,
  begin: number,
  end: number,
  parameter: string,
): number {
  const dn = n + begin + end;
  const dk = d * (k - 1) + 1;
  if (
    Math.abs(n) <= EXACT_IN_DOUBLE &&
    Math.abs(begin) <= EXACT_IN_DOUBLE &&
    Math.abs(end) <= EXACT_IN_DOUBLE &&
    dk <= EXACT_IN_DOUBLE &&
    dn >= dk
  ) {
    // every term exact in a double (EXACT_IN_DOUBLE), and so the floored quotient
    const rest = dn - dk;
    return (rest - (rest % s)) / s + 1;
  }
  const padded = BigInt(n) + BigInt(begin) + BigInt(end);
  const span = BigInt(d) * BigInt(k - 1) + 1n;
  if (padded < span) {
    throw new OptionError(
      'OUTPUT_TOO_SMALL',
      parameter,
      `the dilated kernel (${span} = dilation ${d} × (kernel ${k} - 1) + 1) is larger than the padded input (${padded} = ${n} + ${begin} + ${end}); the output would be empty`,
    );
  }
  return exactInteger((padded - span) / BigInt(s) + 1n, 'input', 'the convolution output length');
}

/**
 * The exact transposed-convolution length `(n−1)·s − begin − end + d·(k−1) + 1 + outputPadding` of
 * one axis: in doubles when every term is at most {@link EXACT_IN_DOUBLE} (exact there), else in
 * BigInt, where intermediates may pass 2^53 while the result is small. Above 2^53 − 1 it is a
 * {@link LimitError}; a result < 1 is returned as it is (rounded if hugely negative) for the caller
 * to report.
 */
export function transposeLength(
  n: number,
  k: number,
  s: number,
  d: number,
  begin: number,
  end: number,
  outputPadding: number,
): number {
  const stretched = (n - 1) * s;
  const span = d * (k - 1);
  const E = EXACT_IN_DOUBLE;
  if (
    Math.abs(stretched) <= E &&
    span <= E &&
    Math.abs(begin) <= E &&
    Math.abs(end) <= E &&
    Math.abs(outputPadding) <= E
  ) {
    // six terms of at most 2^49: the sum is exact in a double, and a safe integer
    return stretched - begin - end + span + 1 + outputPadding;
  }
  const exact =
    BigInt(n - 1) * BigInt(s) -
    BigInt(begin) -
    BigInt(end) +
    BigInt(d) * BigInt(k - 1) +
    1n +
    BigInt(outputPadding);
  return exactInteger(
    exact,
    'stride',
    `the output length (${n}-1)×${s} - ${begin} - ${end} + ${d}×(${k}-1) + 1 + ${outputPadding}`,
  );
}

/**
 * Output length of a transposed convolution along one axis:
 * `(input-1)*stride - padBegin - padEnd + dilation*(kernel-1) + 1 + outputPadding`.
 * @throws {@link OptionError} for an invalid argument, an unknown option, `outputPadding ≥ max(stride, dilation)`
 * or a result < 1; {@link LimitError} when the result would pass 2^53 − 1 (computed exactly, never rounded)
 * @example
 * ```ts
 * convTransposeOutputSize(2, 2); // 3 (2×2 input, 2×2 kernel)
 * convTransposeOutputSize(4, 3, { stride: 4, outputPadding: 1 }); // 16
 * ```
 */
export function convTransposeOutputSize(
  input: number,
  kernel: number,
  options?: ConvTransposeAxisOptions,
): number {
  const o = checkOptionsObject(options, CONV_TRANSPOSE_AXIS_KEYS, 'convTransposeOutputSize');
  checkInteger(input, 'input', 1);
  checkInteger(kernel, 'kernel', 1);
  const stride = checkInteger(o.stride ?? 1, 'stride', 1);
  const dilation = checkInteger(o.dilation ?? 1, 'dilation', 1);
  const [begin, end] = axisPadding(o.padding);
  const outputPadding = o.outputPadding ?? 0;
  checkOutputPadding(outputPadding, stride, dilation, 'outputPadding');
  const size = transposeLength(input, kernel, stride, dilation, begin, end, outputPadding);
  if (size < 1) {
    throw new OptionError(
      'OUTPUT_TOO_SMALL',
      'padding',
      `padding ${begin}+${end} crops the whole output: (${input}-1)×${stride} - ${begin} - ${end} + ${dilation}×(${kernel}-1) + 1 + ${outputPadding} = ${size} < 1`,
    );
  }
  return size;
}
