import { describe, LimitError, OptionError, ShapeError } from './errors';
import { MAX_TENSOR_ELEMENTS } from './limits';
import type { ConvOptions, ConvTransposeOptions, Padding } from './options';
import { PADDING_WORDS } from './options';
import { exactInteger } from './limits';
import { checkOutputPadding, convLength, transposeLength } from './output-size';
import { checkInteger, checkKnownKeys, perAxis } from './validation';

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

const CONV_KEYS = ['stride', 'padding', 'dilation', 'groups', 'bias'] as const;
const CONV_TRANSPOSE_KEYS = [...CONV_KEYS, 'outputPadding', 'outputSize'] as const;

interface Common {
  rank: number;
  batch: number;
  inChannels: number;
  inputSize: number[];
  kernelSize: number[];
  stride: number[];
  dilation: number[];
  groups: number;
}

function checkShapes(inputShape: readonly number[], weightShape: readonly number[], op: string): void {
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

function resolveCommon(
  inputShape: readonly number[],
  weightShape: readonly number[],
  options: ConvOptions,
  op: 'conv' | 'convTranspose',
): Common {
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

type AxisPadding =
  | { kind: 'explicit'; begin: number[]; end: number[] }
  | { kind: 'word'; word: (typeof PADDING_WORDS)[number] };

function parsePadding(padding: Padding | undefined, rank: number): AxisPadding {
  if (padding === undefined)
    return { kind: 'explicit', begin: new Array(rank).fill(0), end: new Array(rank).fill(0) };
  if (typeof padding === 'string') {
    if (!(PADDING_WORDS as readonly string[]).includes(padding)) {
      throw new OptionError(
        'INVALID_OPTION',
        'padding',
        `padding ${describe(padding)} is not a padding word; use one of ${PADDING_WORDS.map((w) => `'${w}'`).join(', ')}, a number, one number per axis, or { begin, end }`,
      );
    }
    return { kind: 'word', word: padding as (typeof PADDING_WORDS)[number] };
  }
  if (typeof padding === 'number' || Array.isArray(padding)) {
    const p = perAxis(padding as number | readonly number[], rank, 'padding', 0, 0);
    return { kind: 'explicit', begin: p, end: [...p] };
  }
  if (typeof padding === 'object' && padding !== null && 'begin' in padding && 'end' in padding) {
    return {
      kind: 'explicit',
      begin: perAxis(padding.begin, rank, 'padding.begin', 0, 0),
      end: perAxis(padding.end, rank, 'padding.end', 0, 0),
    };
  }
  throw new OptionError(
    'INVALID_OPTION',
    'padding',
    `padding must be a number, one number per axis, { begin, end } or one of ${PADDING_WORDS.join(', ')}, but got ${describe(padding)}`,
  );
}

function checkLimit(shape: readonly number[], parameter: string): void {
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

const floorDiv = (a: number, b: number): number => Math.floor(a / b);

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
  if (inChannels % groups !== 0) {
    throw new ShapeError(
      'CHANNEL_MISMATCH',
      'groups',
      `input channels ${inChannels} must be divisible by groups ${groups}`,
    );
  }
  const outChannelsPerGroup = weightShape[1]!;
  const outChannels = outChannelsPerGroup * groups;
  const padding = parsePadding(options.padding, rank);
  const requestedOutputPadding =
    options.outputPadding === undefined
      ? undefined
      : perAxis(options.outputPadding, rank, 'outputPadding', 0, 0);
  let requestedSize: number[] | undefined;
  if (options.outputSize !== undefined) {
    if (!Array.isArray(options.outputSize) || options.outputSize.length !== rank) {
      throw new OptionError(
        'INVALID_OPTION',
        'outputSize',
        `outputSize must be the spatial output size, one positive integer per spatial axis (${rank}), but got ${describe(options.outputSize)}`,
      );
    }
    requestedSize = options.outputSize.map((v, i) => checkInteger(v, `outputSize[${i}]`, 1));
  }

  const padBegin: number[] = [];
  const padEnd: number[] = [];
  const outputPadding: number[] = [];
  const outputSize: number[] = [];
  for (let a = 0; a < rank; a++) {
    const n = c.inputSize[a]!;
    const s = c.stride[a]!;
    const d = c.dilation[a]!;
    const kd = d * (c.kernelSize[a]! - 1) + 1;
    // exact shape arithmetic: explicit pads are resolved in BigInt (transposeLength), the padding
    // words need the full scatter length as a safe integer (else a LimitError)
    if (padding.kind === 'word') transposeLength(n, c.kernelSize[a]!, s, d, 0, 0, 0);
    const full = (n - 1) * s + kd;
    const wanted = requestedSize?.[a];
    let op = requestedOutputPadding?.[a];
    if (op !== undefined) checkOutputPadding(op, s, d, `outputPadding[${a}]`);
    let pb: number;
    let length: number;
    const ax = `[${a}]`;
    if (padding.kind === 'explicit') {
      pb = padding.begin[a]!;
      const pe = padding.end[a]!;
      const min = transposeLength(n, c.kernelSize[a]!, s, d, pb, pe, 0);
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
      length = min + op;
      if (length < 1) {
        throw new OptionError(
          'OUTPUT_TOO_SMALL',
          `padding${ax}`,
          `padding ${pb}+${pe} on axis ${a} crops the whole output: (${n}-1)×${s} + ${kd} - ${pb} - ${pe} + outputPadding ${op} = ${length} < 1`,
        );
      }
    } else if (padding.word === 'valid' || padding.word === 'same') {
      if (wanted !== undefined && op !== undefined && op !== 0) {
        throw new OptionError(
          'INVALID_OPTION',
          `outputPadding${ax}`,
          `outputPadding${ax} ${op} cannot be combined with outputSize for padding '${padding.word}' (Keras/TF take one or the other)`,
        );
      }
      if (padding.word === 'valid') {
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
      op ??= 0;
    } else {
      op ??= 0;
      length = wanted ?? n * s;
      const total = transposeLength(n, c.kernelSize[a]!, s, d, 0, 0, op) - length;
      const half = floorDiv(total, 2);
      pb = padding.word === 'same-upper' ? half : total - half;
    }
    padBegin.push(pb);
    outputPadding.push(op);
    outputSize.push(length);
    padEnd.push(
      padding.kind === 'explicit'
        ? padding.end[a]!
        : Number(BigInt(full) + BigInt(op) - BigInt(pb) - BigInt(length)),
    );
  }
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
    padBegin,
    padEnd,
    outputPadding,
    inputShape: [...inputShape],
    weightShape: [...weightShape],
    outputShape,
  };
}

function checkBiasLength(bias: unknown, outChannels: number): void {
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
  if (inChannels % groups !== 0) {
    throw new ShapeError(
      'CHANNEL_MISMATCH',
      'groups',
      `input channels ${inChannels} must be divisible by groups ${groups}`,
    );
  }
  if (outChannels % groups !== 0) {
    throw new ShapeError(
      'CHANNEL_MISMATCH',
      'groups',
      `output channels ${outChannels} (weightShape[0]) must be divisible by groups ${groups}`,
    );
  }
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
    const n = c.inputSize[a]!;
    const s = c.stride[a]!;
    const kd = c.dilation[a]! * (c.kernelSize[a]! - 1) + 1;
    let pb: number;
    let pe: number;
    if (padding.kind === 'explicit') {
      pb = padding.begin[a]!;
      pe = padding.end[a]!;
    } else if (padding.word === 'valid') {
      pb = 0;
      pe = 0;
    } else {
      const out = Math.ceil(n / s);
      const exactTotal =
        BigInt(out - 1) * BigInt(s) + BigInt(c.dilation[a]!) * BigInt(c.kernelSize[a]! - 1) + 1n - BigInt(n);
      const total = exactInteger(
        exactTotal > 0n ? exactTotal : 0n,
        `dilation[${a}]`,
        `the '${padding.word}' padding`,
      );
      const half = Math.floor(total / 2);
      pb = padding.word === 'same-lower' ? total - half : half;
      pe = total - pb;
    }
    const padded = n + pb + pe;
    if (padded < kd) {
      throw new OptionError(
        'OUTPUT_TOO_SMALL',
        `weightShape[${a + 2}]`,
        `on axis ${a} the dilated kernel (${kd}) is larger than the padded input (${n} + ${pb} + ${pe} = ${padded}); the output would be empty`,
      );
    }
    padBegin.push(pb);
    padEnd.push(pe);
    outputSize.push(convLength(n, c.kernelSize[a]!, s, c.dilation[a]!, pb, pe, `weightShape[${a + 2}]`));
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

/**
 * Useful floating-point operations of a (transposed) convolution:
 * `2·N·Cin·∏input·(Cout/groups)·∏kernel` for a transposed convolution, and the same count with
 * input and output swapped for a convolution (each multiply-add counted as two).
 */
export function geometryFlops(g: ConvTransposeGeometry | ConvGeometry): number {
  const kernel = g.kernelSize.reduce((p, k) => p * k, 1);
  if (g.kind === 'convTranspose') {
    const input = g.inputSize.reduce((p, k) => p * k, 1);
    return 2 * g.batch * g.inChannels * input * g.outChannelsPerGroup * kernel;
  }
  const output = g.outputSize.reduce((p, k) => p * k, 1);
  return 2 * g.batch * g.outChannels * output * g.inChannelsPerGroup * kernel;
}
