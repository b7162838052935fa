/**
 * The page's state as a problem for core and the backends: shapes, options in core's terms (ONNX
 * attributes through core's `fromOnnx`), tensors, and the resolved geometry — or core's error.
 * Nothing here computes a size or a value; core and the backends do.
 */
import type {
  ConvTransposeGeometry,
  ConvTransposeOptions,
  OnnxConvTransposeAttributes,
  Tensor,
} from '@tconv/core';
import { fromOnnx, OptionError, resolveConvTranspose, TconvError, tensor } from '@tconv/core';
import type { ExplorerState, Layer } from './state';

/** The largest grids the page draws (the scatter calls a backend once per input element and step). */
export const LIMITS = { spatial: 16, kernel: 7, channels: 4, output: 64 } as const;

/** A problem ready for a backend. */
export interface Problem {
  readonly inputShape: readonly number[];
  readonly weightShape: readonly number[];
  readonly options: ConvTransposeOptions;
  /** The ONNX attributes, when the layer is written in ONNX's words. */
  readonly onnx?: OnnxConvTransposeAttributes;
  readonly geometry: ConvTransposeGeometry;
  readonly input: Tensor;
  readonly weight: Tensor;
}

/** A problem, or the error (core's message) that the page shows instead. */
export type ProblemResult =
  | { readonly ok: true; readonly problem: Problem }
  | { readonly ok: false; readonly error: string };

/** Renders any thrown value as the page shows it: core's errors as `Name: message`. */
export function errorText(e: unknown): string {
  if (e instanceof TconvError) return `${e.name}: ${e.message}`;
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

/** Input shape `[1, Cin, H, W]`. */
export function inputShapeOf(s: ExplorerState): number[] {
  return [1, s.inChannels, ...s.input];
}

/**
 * Weight shape `[Cin, Cout/groups, kh, kw]`. Cout must split into the groups; core never sees a
 * Cout that does not (the weight shape carries Cout/groups), so the page says so in core's terms.
 */
export function weightShapeOf(s: ExplorerState): number[] {
  if (!Number.isSafeInteger(s.groups) || s.groups < 1 || s.outChannels % s.groups !== 0) {
    throw new OptionError(
      'INVALID_OPTION',
      'groups',
      `groups ${s.groups} must be a positive integer dividing the output channels, but got outChannels ${s.outChannels}`,
    );
  }
  return [s.inChannels, s.outChannels / s.groups, ...s.kernel];
}

/** The ONNX attributes of a layer written in ONNX's words. */
export function onnxAttributes(
  s: ExplorerState,
  layer: Extract<Layer, { convention: 'onnx' }>,
): OnnxConvTransposeAttributes {
  return {
    auto_pad: layer.autoPad,
    strides: [...s.stride],
    dilations: [...s.dilation],
    group: s.groups,
    kernel_shape: [...s.kernel],
    output_padding: [...layer.outputPadding],
    ...(layer.autoPad === 'NOTSET' ? { pads: [...layer.pads] } : {}),
    ...(layer.outputShape ? { output_shape: [...layer.outputShape] } : {}),
  };
}

/** The layer as core's options (ONNX through `fromOnnx`). Throws core's errors. */
export function layerOptions(s: ExplorerState, layer: Layer = s.layer): ConvTransposeOptions {
  const common = { stride: [...s.stride], dilation: [...s.dilation], groups: s.groups };
  switch (layer.convention) {
    case 'pytorch':
      return {
        ...common,
        padding: [...layer.padding],
        outputPadding: [...layer.outputPadding],
        ...(layer.outputSize ? { outputSize: [...layer.outputSize] } : {}),
      };
    case 'keras':
      return {
        ...common,
        padding: layer.padding,
        ...(layer.outputPadding ? { outputPadding: [...layer.outputPadding] } : {}),
      };
    case 'onnx':
      return fromOnnx(onnxAttributes(s, layer), inputShapeOf(s), weightShapeOf(s));
  }
}

/**
 * Deterministic small integers for a grid whose values the URL does not give: 0, 1, 2, … for the
 * input (like d2l's `arange`), 1, 2, 3, 1, … for the kernel, so every tap is visible.
 */
export function defaultValues(kind: 'x' | 'w', count: number): number[] {
  return Array.from({ length: count }, (_, i) => (kind === 'x' ? i % 10 : (i % 3) + 1));
}

function sizeCheck(s: ExplorerState): string | null {
  const over = (name: string, values: readonly number[], max: number) =>
    values.some((v) => v > max)
      ? `${name} ${values.join('×')} is larger than the ${max} this page draws`
      : null;
  return (
    over('input', s.input, LIMITS.spatial) ??
    over('kernel', s.kernel, LIMITS.kernel) ??
    over('channels', [s.inChannels, s.outChannels], LIMITS.channels)
  );
}

/**
 * Builds the problem of the state: shapes and options, resolved by core (which validates
 * everything), then the tensors. Values of the wrong length are replaced by the defaults.
 */
export function buildProblem(s: ExplorerState): ProblemResult {
  try {
    const inputShape = inputShapeOf(s);
    const weightShape = weightShapeOf(s);
    const options = layerOptions(s);
    const geometry = resolveConvTranspose(inputShape, weightShape, options);
    const tooLarge =
      sizeCheck(s) ??
      (geometry.outputSize.some((n) => n > LIMITS.output)
        ? `the output ${geometry.outputSize.join('×')} is larger than the ${LIMITS.output} this page draws`
        : null);
    if (tooLarge) return { ok: false, error: `Explorer limit: ${tooLarge}.` };
    const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
    const xs = s.x && s.x.length === count(inputShape) ? s.x : defaultValues('x', count(inputShape));
    const ws = s.w && s.w.length === count(weightShape) ? s.w : defaultValues('w', count(weightShape));
    return {
      ok: true,
      problem: {
        inputShape,
        weightShape,
        options,
        ...(s.layer.convention === 'onnx' ? { onnx: onnxAttributes(s, s.layer) } : {}),
        geometry,
        input: tensor(xs, inputShape),
        weight: tensor(ws, weightShape),
      },
    };
  } catch (e) {
    return { ok: false, error: errorText(e) };
  }
}
