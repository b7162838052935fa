import { describe, OptionError, ShapeError } from './errors';
import type { ConvTransposeOptions } from './options';
import { checkKnownKeys, perAxis } from './validation';

/** The attributes of an ONNX `ConvTranspose` node (opset 11+), as the ONNX specification names them. */
export interface OnnxConvTransposeAttributes {
  auto_pad?: 'NOTSET' | 'SAME_UPPER' | 'SAME_LOWER' | 'VALID';
  dilations?: readonly number[];
  group?: number;
  kernel_shape?: readonly number[];
  output_padding?: readonly number[];
  output_shape?: readonly number[];
  pads?: readonly number[];
  strides?: readonly number[];
}

const ATTRIBUTES = [
  'auto_pad',
  'dilations',
  'group',
  'kernel_shape',
  'output_padding',
  'output_shape',
  'pads',
  'strides',
] as const;
const AUTO_PADS = ['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'] as const;

/**
 * Translates an ONNX `ConvTranspose` node's attributes into tconv options with the same result:
 *
 * - `pads` `[x1_begin, x2_begin, …, x1_end, x2_end, …]` → `padding: { begin, end }`;
 * - `auto_pad` `SAME_UPPER` / `SAME_LOWER` → `'same-upper'` / `'same-lower'` (the specification's
 *   rule, negative total padding included; onnxruntime clamps that case to 0);
 * - `output_shape` with `NOTSET`: the total padding is split by the lower rule, as the ONNX
 *   reference implementation does (explicit pads when both halves are ≥ 0, else `'same-lower'`
 *   with `outputSize`, which extends the output with zeros the same way); `pads` are then ignored;
 * - `VALID`: zero pads;
 * - `output_shape` may be spatial only or the full `[N, C, ...spatial]`.
 * @param attributes - the node's attributes
 * @param inputShape - `[N, Cin, ...spatial]`
 * @param weightShape - `[Cin, Cout/group, ...kernel]`
 * @example
 * ```ts
 * const options = fromOnnx({ strides: [2, 2], pads: [1, 1, 1, 1] }, [1, 8, 4, 4], [8, 4, 4, 4]);
 * cpuBackend.convTranspose(x, w, options);
 * ```
 */
export function fromOnnx(
  attributes: OnnxConvTransposeAttributes,
  inputShape: readonly number[],
  weightShape: readonly number[],
): ConvTransposeOptions {
  if (attributes === null || typeof attributes !== 'object') {
    throw new OptionError(
      'INVALID_OPTION',
      'attributes',
      `attributes must be an object, but got ${describe(attributes)}`,
    );
  }
  checkKnownKeys(attributes, ATTRIBUTES, 'ONNX ConvTranspose');
  if (!Array.isArray(inputShape) || !Array.isArray(weightShape) || inputShape.length < 3) {
    throw new ShapeError(
      'INVALID_SHAPE',
      'inputShape',
      `inputShape must be [N, C, ...spatial] with at least one spatial axis, but got ${describe(inputShape)}`,
    );
  }
  if (weightShape.length !== inputShape.length) {
    throw new ShapeError(
      'RANK_MISMATCH',
      'weightShape',
      `weight rank ${weightShape.length} must equal input rank ${inputShape.length}`,
    );
  }
  const rank = inputShape.length - 2;
  const kernel = weightShape.slice(2);
  if (attributes.kernel_shape !== undefined) {
    const ks = perAxis(attributes.kernel_shape, rank, 'kernel_shape', 1, 1);
    if (ks.some((k, i) => k !== kernel[i])) {
      throw new ShapeError(
        'INVALID_SHAPE',
        'kernel_shape',
        `kernel_shape ${describe(ks)} must equal the weight's spatial shape ${describe(kernel)}`,
      );
    }
  }
  const autoPad = attributes.auto_pad ?? 'NOTSET';
  if (!(AUTO_PADS as readonly string[]).includes(autoPad)) {
    throw new OptionError(
      'INVALID_OPTION',
      'auto_pad',
      `auto_pad must be one of ${AUTO_PADS.join(', ')}, but got ${describe(autoPad)}`,
    );
  }
  const stride = perAxis(attributes.strides, rank, 'strides', 1, 1);
  const dilation = perAxis(attributes.dilations, rank, 'dilations', 1, 1);
  const outputPadding = perAxis(attributes.output_padding, rank, 'output_padding', 0, 0);
  const options: ConvTransposeOptions = { stride, dilation, groups: attributes.group ?? 1, outputPadding };

  let outputShape: number[] | undefined;
  if (attributes.output_shape !== undefined) {
    const os = attributes.output_shape;
    if (!Array.isArray(os) || (os.length !== rank && os.length !== rank + 2)) {
      throw new OptionError(
        'INVALID_OPTION',
        'output_shape',
        `output_shape must list the ${rank} spatial sizes (or the full [N, C, ...spatial]), but got ${describe(os)}`,
      );
    }
    outputShape = perAxis(os.slice(os.length - rank), rank, 'output_shape', 1, 1);
  }

  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    options.padding = autoPad === 'SAME_UPPER' ? 'same-upper' : 'same-lower';
    if (outputShape) options.outputSize = outputShape;
    return options;
  }
  if (autoPad === 'NOTSET' && outputShape) {
    const begin: number[] = [];
    const end: number[] = [];
    for (let a = 0; a < rank; a++) {
      const n = inputShape[2 + a]!;
      const kd = dilation[a]! * (kernel[a]! - 1) + 1;
      const total = stride[a]! * (n - 1) + outputPadding[a]! + kd - outputShape[a]!;
      const half = Math.floor(total / 2);
      begin.push(total - half);
      end.push(half);
    }
    if (begin.every((p) => p >= 0) && end.every((p) => p >= 0)) {
      options.padding = { begin, end };
    } else {
      options.padding = 'same-lower';
      options.outputSize = outputShape;
    }
    return options;
  }
  if (autoPad === 'VALID') {
    options.padding = 0;
  } else if (attributes.pads !== undefined) {
    const pads = attributes.pads;
    if (!Array.isArray(pads) || pads.length !== 2 * rank) {
      throw new OptionError(
        'INVALID_OPTION',
        'pads',
        `pads must be [x1_begin, …, x1_end, …] with ${2 * rank} entries, but got ${describe(pads)}`,
      );
    }
    options.padding = {
      begin: perAxis(pads.slice(0, rank), rank, 'pads', 0, 0),
      end: perAxis(pads.slice(rank), rank, 'pads', 0, 0),
    };
  }
  if (outputShape) options.outputSize = outputShape;
  return options;
}
