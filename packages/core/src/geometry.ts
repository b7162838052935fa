import { kerasConvAxis, kerasTransposeAxis } from './convention-keras';
import { onnxConvAxis, onnxTransposeAxis } from './convention-onnx';
import { pytorchConvAxis, pytorchTransposeAxis } from './convention-pytorch';
import { describe, OptionError, ShapeError } from './errors';
import type { ConvOptions, ConvTransposeOptions } from './options';
import { checkOutputPadding, convLength, transposeLength } from './output-size';
import type { ConvAxis, ConvAxisPads, ParsedPadding, TransposeAxis, TransposeAxisResult } from './padding';
import { parsePadding } from './padding';
import { axisOf, checkBiasLength, checkGroupsDivide, checkLimit, resolveCommon } from './shape-checks';
import { checkInteger, perAxis } from './validation';

/*
 * The resolved geometry and the two resolutions. Each validates the shapes and options common to
 * both operations (shape-checks.ts), then resolves every spatial axis with the padding convention
 * the option names: explicit pads (convention-pytorch.ts), Keras' words (convention-keras.ts) or
 * ONNX's auto_pad words (convention-onnx.ts). FLOP counting is in flops.ts.
 */

/** What every resolved geometry holds: all sizes explicit, one entry per spatial axis. */
export interface GeometryBase {
  /** Number of spatial axes. */
  readonly rank: number;
  readonly batch: number;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly groups: number;
  /** `inChannels / groups`. */
  readonly inChannelsPerGroup: number;
  /** `outChannels / groups`. */
  readonly outChannelsPerGroup: number;
  /** Spatial input size. */
  readonly inputSize: readonly number[];
  /** Spatial kernel size (undilated). */
  readonly kernelSize: readonly number[];
  /** Spatial output size. */
  readonly outputSize: readonly number[];
  readonly stride: readonly number[];
  readonly dilation: readonly number[];
  /**
   * Convolution: zeros added before the input. Transposed convolution: elements cropped from the
   * start of the full scatter result; negative where the output is extended with zeros.
   */
  readonly padBegin: readonly number[];
  /** Likewise at the end of each axis (before `outputPadding` is added back, for a transposed convolution). */
  readonly padEnd: readonly number[];
  /** `[N, C, ...spatial]`. */
  readonly inputShape: readonly number[];
  readonly weightShape: readonly number[];
  /** `[N, Cout, ...outputSize]`. */
  readonly outputShape: readonly number[];
}

/**
 * A fully resolved transposed convolution. The one rule every backend implements:
 * input position `i` and kernel tap `k` on an axis land on output position
 * `o = i*stride + k*dilation - padBegin`, kept when `0 ≤ o < outputSize`; and
 * `outputSize = (inputSize-1)*stride + dilation*(kernelSize-1) + 1 - padBegin - padEnd + outputPadding`.
 * Weight layout `[Cin, Cout/groups, ...kernel]`.
 */
export interface ConvTransposeGeometry extends GeometryBase {
  readonly kind: 'convTranspose';
  readonly outputPadding: readonly number[];
}

/**
 * A fully resolved convolution: output position `o` and tap `k` read input position
 * `o*stride + k*dilation - padBegin` (zero outside the input). Weight layout `[Cout, Cin/groups, ...kernel]`.
 */
export interface ConvGeometry extends GeometryBase {
  readonly kind: 'conv';
}

/**
 * Resolves a transposed convolution: validates the shapes and every option, applies the padding
 * convention, and returns the geometry with every field explicit. The one place options are
 * validated: every backend calls it before allocating anything.
 * @param inputShape - `[N, Cin, ...spatial]`
 * @param weightShape - `[Cin, Cout/groups, ...kernel]`
 * @param options - stride, padding, dilation, groups, bias, outputPadding, outputSize
 * @throws {@link ShapeError}, {@link OptionError} or {@link LimitError}, naming the parameter, value and rule
 */
export function resolveConvTranspose(
  inputShape: readonly number[],
  weightShape: readonly number[],
  options: ConvTransposeOptions = {},
): ConvTransposeGeometry {
  const c = resolveCommon(inputShape, weightShape, options, 'convTranspose');
  const { rank, inChannels, groups } = c;
  if (weightShape[0] !== inChannels) {
    throw new ShapeError(
      'CHANNEL_MISMATCH',
      'weightShape[0]',
      `weight is [Cin, Cout/groups, ...kernel] for a transposed convolution: weightShape[0] ${weightShape[0]} must equal the input channels ${inChannels}`,
    );
  }
  checkGroupsDivide(inChannels, groups, 'input channels');
  const outChannelsPerGroup = weightShape[1]!;
  const outChannels = outChannelsPerGroup * groups;
  const padding = parsePadding(options.padding, rank);
  const requestedOutputPadding =
    options.outputPadding === undefined
      ? undefined
      : perAxis(options.outputPadding, rank, 'outputPadding', 0, 0);
  const requestedSize = requestedOutputSize(options.outputSize, rank);
  const axes: TransposeAxisResult[] = [];
  for (let a = 0; a < rank; a++) {
    // written out, not spread from axisOf: a spread object took most of this function's time
    const axis: TransposeAxis = {
      axis: a,
      input: c.inputSize[a]!,
      kernel: c.kernelSize[a]!,
      stride: c.stride[a]!,
      dilation: c.dilation[a]!,
      outputPadding: requestedOutputPadding?.[a],
      outputSize: requestedSize?.[a],
    };
    // exact shape arithmetic: explicit pads are resolved exactly (transposeLength: doubles below
    // 2^49, BigInt above), the padding
    // words need the full scatter length as a safe integer (else a LimitError)
    if (padding.kind === 'word')
      transposeLength(axis.input, axis.kernel, axis.stride, axis.dilation, 0, 0, 0);
    if (axis.outputPadding !== undefined)
      checkOutputPadding(axis.outputPadding, axis.stride, axis.dilation, `outputPadding[${a}]`);
    axes.push(transposeAxis(padding, axis));
  }
  const outputSize = axes.map((r) => r.outputSize);
  const outputShape = [c.batch, outChannels, ...outputSize];
  checkLimit(outputShape, 'output shape');
  const bias = options.bias;
  if (bias !== undefined) checkBiasLength(bias, outChannels);
  return {
    kind: 'convTranspose',
    rank,
    batch: c.batch,
    inChannels,
    outChannels,
    groups,
    inChannelsPerGroup: inChannels / groups,
    outChannelsPerGroup,
    inputSize: c.inputSize,
    kernelSize: c.kernelSize,
    outputSize,
    stride: c.stride,
    dilation: c.dilation,
    padBegin: axes.map((r) => r.padBegin),
    padEnd: axes.map((r) => r.padEnd),
    outputPadding: axes.map((r) => r.outputPadding),
    inputShape: [...inputShape],
    weightShape: [...weightShape],
    outputShape,
  };
}

/** One axis of a transposed convolution under the convention the padding option names. */
function transposeAxis(padding: ParsedPadding, axis: TransposeAxis): TransposeAxisResult {
  if (padding.kind === 'explicit')
    return pytorchTransposeAxis(axis, padding.begin[axis.axis]!, padding.end[axis.axis]!);
  if (padding.word === 'valid' || padding.word === 'same') return kerasTransposeAxis(axis, padding.word);
  return onnxTransposeAxis(axis, padding.word);
}

/** Validates `outputSize`: one positive integer per spatial axis. */
function requestedOutputSize(outputSize: readonly number[] | undefined, rank: number): number[] | undefined {
  if (outputSize === undefined) return undefined;
  if (!Array.isArray(outputSize) || outputSize.length !== rank) {
    throw new OptionError(
      'INVALID_OPTION',
      'outputSize',
      `outputSize must be the spatial output size, one positive integer per spatial axis (${rank}), but got ${describe(outputSize)}`,
    );
  }
  return outputSize.map((v, i) => checkInteger(v, `outputSize[${i}]`, 1));
}

/**
 * Resolves a convolution: validates the shapes and every option and returns the geometry.
 * Padding words: `'valid'` is no padding; `'same'` and `'same-upper'` pad so the output is
 * `ceil(input / stride)` with the odd element at the end (TF and ONNX `SAME_UPPER`); `'same-lower'`
 * puts it at the beginning (ONNX `SAME_LOWER`).
 * @param inputShape - `[N, Cin, ...spatial]`
 * @param weightShape - `[Cout, Cin/groups, ...kernel]`
 * @param options - stride, padding, dilation, groups, bias
 */
export function resolveConv(
  inputShape: readonly number[],
  weightShape: readonly number[],
  options: ConvOptions = {},
): ConvGeometry {
  const c = resolveCommon(inputShape, weightShape, options, 'conv');
  const { rank, inChannels, groups } = c;
  const outChannels = weightShape[0]!;
  checkGroupsDivide(inChannels, groups, 'input channels');
  checkGroupsDivide(outChannels, groups, 'output channels', ' (weightShape[0])');
  if (weightShape[1]! * groups !== inChannels) {
    throw new ShapeError(
      'CHANNEL_MISMATCH',
      'weightShape[1]',
      `weight is [Cout, Cin/groups, ...kernel] for a convolution: weightShape[1] ${weightShape[1]} × groups ${groups} must equal the input channels ${inChannels}`,
    );
  }
  const padding = parsePadding(options.padding, rank);
  const padBegin: number[] = [];
  const padEnd: number[] = [];
  const outputSize: number[] = [];
  for (let a = 0; a < rank; a++) {
    const axis = axisOf(c, a);
    const { padBegin: pb, padEnd: pe } = convAxisPads(padding, axis);
    const kd = axis.dilation * (axis.kernel - 1) + 1;
    const padded = axis.input + pb + pe;
    if (padded < kd) {
      throw new OptionError(
        'OUTPUT_TOO_SMALL',
        `weightShape[${a + 2}]`,
        `on axis ${a} the dilated kernel (${kd}) is larger than the padded input (${axis.input} + ${pb} + ${pe} = ${padded}); the output would be empty`,
      );
    }
    padBegin.push(pb);
    padEnd.push(pe);
    outputSize.push(
      convLength(axis.input, axis.kernel, axis.stride, axis.dilation, pb, pe, `weightShape[${a + 2}]`),
    );
  }
  const outputShape = [c.batch, outChannels, ...outputSize];
  checkLimit(outputShape, 'output shape');
  if (options.bias !== undefined) checkBiasLength(options.bias, outChannels);
  return {
    kind: 'conv',
    rank,
    batch: c.batch,
    inChannels,
    outChannels,
    groups,
    inChannelsPerGroup: inChannels / groups,
    outChannelsPerGroup: outChannels / groups,
    inputSize: c.inputSize,
    kernelSize: c.kernelSize,
    outputSize,
    stride: c.stride,
    dilation: c.dilation,
    padBegin,
    padEnd,
    inputShape: [...inputShape],
    weightShape: [...weightShape],
    outputShape,
  };
}

/** One axis of a convolution: its pads under the convention the padding option names. */
function convAxisPads(padding: ParsedPadding, axis: ConvAxis): ConvAxisPads {
  if (padding.kind === 'explicit') return pytorchConvAxis(padding.begin[axis.axis]!, padding.end[axis.axis]!);
  if (padding.word === 'valid' || padding.word === 'same') return kerasConvAxis(axis, padding.word);
  return onnxConvAxis(axis, padding.word);
}

/**
 * The output shape `[N, Cout, ...spatial]` of a transposed convolution.
 * @example
 * ```ts
 * convTransposeOutputShape([1, 3, 4, 4], [3, 1, 3, 3], { stride: 2, padding: 'valid' }); // [1, 1, 9, 9]
 * ```
 */
export function convTransposeOutputShape(
  inputShape: readonly number[],
  weightShape: readonly number[],
  options?: ConvTransposeOptions,
): number[] {
  return [...resolveConvTranspose(inputShape, weightShape, options).outputShape];
}

/**
 * The output shape `[N, Cout, ...spatial]` of a convolution.
 * @example
 * ```ts
 * convOutputShape([1, 10, 16, 16], [20, 10, 5, 5], { stride: 3, padding: 2 }); // [1, 20, 6, 6]
 * ```
 */
export function convOutputShape(
  inputShape: readonly number[],
  weightShape: readonly number[],
  options?: ConvOptions,
): number[] {
  return [...resolveConv(inputShape, weightShape, options).outputShape];
}
