import { describe, LimitError, OptionError, ShapeError } from './errors';
import { MAX_TENSOR_ELEMENTS } from './limits';
import type { ConvOptions } from './options';
import type { ConvAxis } from './padding';
import { checkInteger, checkKnownKeys, perAxis } from './validation';

/*
 * The checks every resolution starts with (options object, shapes, the per-axis options common to
 * both operations) and ends with (output size limit, bias length). The conventions that turn the
 * padding option into pads live in padding.ts and the convention-*.ts modules.
 */

const CONV_KEYS = ['stride', 'padding', 'dilation', 'groups', 'bias'] as const;
const CONV_TRANSPOSE_KEYS = [...CONV_KEYS, 'outputPadding', 'outputSize'] as const;

/** What both operations read the same way from their shapes and options, validated. */
export interface CommonParts {
  rank: number;
  batch: number;
  inChannels: number;
  inputSize: number[];
  kernelSize: number[];
  stride: number[];
  dilation: number[];
  groups: number;
}

/** Checks both shapes: arrays of positive safe integers, at least one spatial axis, one rank. */
export function checkShapes(inputShape: readonly number[], weightShape: readonly number[], op: string): void {
  for (const [shape, name] of [
    [inputShape, 'inputShape'],
    [weightShape, 'weightShape'],
  ] as const) {
    if (!Array.isArray(shape)) {
      throw new ShapeError(
        'INVALID_SHAPE',
        name,
        `${name} must be an array of integers, but got ${describe(shape)}`,
      );
    }
    if (shape.length < 3) {
      throw new ShapeError(
        'INVALID_SHAPE',
        name,
        `${name} must be [${name === 'inputShape' ? 'N, C' : op === 'conv' ? 'Cout, Cin/groups' : 'Cin, Cout/groups'}, ...spatial] with at least one spatial axis, but got ${describe(shape)}`,
      );
    }
    shape.forEach((d, i) => {
      if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 1) {
        throw new ShapeError(
          'INVALID_SHAPE',
          `${name}[${i}]`,
          `${name}[${i}] must be a positive integer, but got ${describe(d)} (in ${name} ${describe(shape)})`,
        );
      }
    });
  }
  if (inputShape.length !== weightShape.length) {
    throw new ShapeError(
      'RANK_MISMATCH',
      'weightShape',
      `weight rank ${weightShape.length} (${describe(weightShape)}) must equal input rank ${inputShape.length} (${describe(inputShape)}): both are [*, *, ...spatial]`,
    );
  }
}

/** Validates the options object (known keys), the shapes, stride, dilation and groups. */
export function resolveCommon(
  inputShape: readonly number[],
  weightShape: readonly number[],
  options: ConvOptions,
  op: 'conv' | 'convTranspose',
): CommonParts {
  if (options === null || typeof options !== 'object') {
    throw new OptionError(
      'INVALID_OPTION',
      'options',
      `options must be an object, but got ${describe(options)}`,
    );
  }
  checkKnownKeys(options, op === 'conv' ? CONV_KEYS : CONV_TRANSPOSE_KEYS, op);
  checkShapes(inputShape, weightShape, op);
  const rank = inputShape.length - 2;
  return {
    rank,
    batch: inputShape[0]!,
    inChannels: inputShape[1]!,
    inputSize: inputShape.slice(2),
    kernelSize: weightShape.slice(2),
    stride: perAxis(options.stride, rank, 'stride', 1, 1),
    dilation: perAxis(options.dilation, rank, 'dilation', 1, 1),
    groups: checkInteger(options.groups ?? 1, 'groups', 1),
  };
}

/** Axis `a` of the common parts: its sizes, stride and dilation, before a convention applies. */
export function axisOf(c: CommonParts, a: number): ConvAxis {
  return {
    axis: a,
    input: c.inputSize[a]!,
    kernel: c.kernelSize[a]!,
    stride: c.stride[a]!,
    dilation: c.dilation[a]!,
  };
}

/** Rejects a channel count that `groups` does not divide (`what`: "input channels", …). */
export function checkGroupsDivide(channels: number, groups: number, what: string, where = ''): void {
  if (channels % groups !== 0) {
    throw new ShapeError(
      'CHANNEL_MISMATCH',
      'groups',
      `${what} ${channels}${where} must be divisible by groups ${groups}`,
    );
  }
}

/** Rejects an output of more than {@link MAX_TENSOR_ELEMENTS} elements, before anything is allocated. */
export function checkLimit(shape: readonly number[], parameter: string): void {
  let size = 1;
  for (const d of shape) size *= d;
  if (size > MAX_TENSOR_ELEMENTS) {
    throw new LimitError(
      'LIMIT_EXCEEDED',
      parameter,
      `${parameter} ${describe(shape)} would have ${size} elements, more than the limit of ${MAX_TENSOR_ELEMENTS}`,
    );
  }
}

/** Checks that a bias is a float array or number array with one value per output channel. */
export function checkBiasLength(bias: unknown, outChannels: number): void {
  if (!ArrayBuffer.isView(bias) && !Array.isArray(bias)) {
    throw new OptionError(
      'INVALID_OPTION',
      'bias',
      `bias must be a Float32Array, Float64Array or array of numbers (one per output channel), but got ${describe(bias)}`,
    );
  }
  const length = (bias as ArrayLike<number>).length;
  if (length !== outChannels) {
    throw new ShapeError(
      'CHANNEL_MISMATCH',
      'bias',
      `bias must have one value per output channel (${outChannels}), but has ${length}`,
    );
  }
}
