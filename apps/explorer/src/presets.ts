/**
 * The preset menu: the documents' worked and size examples as states of the page, built from the
 * kit's data (`@tconv/conformance/examples`, the one source of the documents' numbers, captions,
 * citations and printed results), then three examples of the explorer's own, labelled as not from
 * the documents. Where a document does not print a value (a random kernel, a picture's pixels) the
 * kit says so and the preset says what the page uses instead. `documentOutput` is the result the
 * document prints (the kit's, never computed here), shown next to the backends' results.
 */
import type { DocumentKey, SizeExample, WorkedExample } from '@tconv/conformance/examples';
import { AIM_IMAGE, D2L_MATRIX, DOCS, SIZE_EXAMPLES, workedExample } from '@tconv/conformance/examples';
import type { ConvTransposeOptions } from '@tconv/core';
import { toChannelsFirst } from '@tconv/core';
import type { Pair } from './query';
import type { ExplorerState, Layer } from './state';
import { DEFAULT_LAYERS, DEFAULT_STATE } from './state';

/** One entry of the preset menu. */
export interface Preset {
  readonly id: string;
  /** Short label for the preset menu. */
  readonly label: string;
  /** Which document and where, or that the example is the explorer's own. */
  readonly source: string;
  /** What the example shows, one sentence. */
  readonly note: string;
  readonly state: ExplorerState;
  /** The output the document prints, one row per output row (single channel), if it prints one. */
  readonly documentOutput?: readonly (readonly number[])[];
}

function make(
  id: string,
  s: Partial<ExplorerState> & Pick<ExplorerState, 'input' | 'kernel'>,
): ExplorerState {
  return { ...DEFAULT_STATE, ...s, preset: id };
}

/** A per-axis option as a pair; `fallback` where it is not given. */
function pairOf(v: number | readonly number[] | undefined, fallback: number): Pair {
  if (v === undefined) return [fallback, fallback];
  if (typeof v === 'number') return [v, v];
  return [v[0] ?? fallback, v[1] ?? v[0] ?? fallback];
}

/** The kit's options in the page's words: Keras for 'same'/'valid', PyTorch otherwise. */
function layerOf(o: ConvTransposeOptions): Layer {
  const p = o.padding ?? 0;
  if (p === 'same' || p === 'valid')
    return {
      convention: 'keras',
      padding: p,
      outputPadding: o.outputPadding === undefined ? null : pairOf(o.outputPadding, 0),
    };
  if (typeof p === 'string' || (typeof p === 'object' && 'begin' in p))
    throw new Error(`presets: padding ${JSON.stringify(p)} of a kit example has no preset form`);
  return { ...DEFAULT_LAYERS.pytorch, padding: pairOf(p, 0), outputPadding: pairOf(o.outputPadding, 0) };
}

/** The options' geometry as page state (sizes, channels and values come from the caller). */
function geometryOf(
  o: ConvTransposeOptions,
): Pick<ExplorerState, 'stride' | 'dilation' | 'groups' | 'layer'> {
  return {
    stride: pairOf(o.stride, 1),
    dilation: pairOf(o.dilation, 1),
    groups: o.groups ?? 1,
    layer: layerOf(o),
  };
}

/** Where in which document, from the kit's citation table. */
const cite = (doc: DocumentKey, where: string): string => `${DOCS[doc]}, ${where}`;

/** A kernel of ones for `count` weights (where the document's kernel is random or unlisted). */
const ones = (count: number): number[] => new Array<number>(count).fill(1);

/** A worked example as it stands: its input, kernel, options and printed result. */
function fromWorked(
  id: string,
  label: string,
  example: WorkedExample,
  extra: Partial<ExplorerState> = {},
): Preset {
  const size = (m: WorkedExample['input']): Pair => [m.length, m[0]?.length ?? 0];
  return {
    id,
    label,
    source: cite(example.doc, example.where),
    note: example.caption,
    state: make(id, {
      input: size(example.input),
      kernel: size(example.kernel),
      ...geometryOf(example.options),
      x: example.input.flat(),
      w: example.kernel.flat(),
      ...extra,
    }),
    documentOutput: example.expected,
  };
}

function sizeExample(kitId: string): SizeExample {
  const found = SIZE_EXAMPLES.find((e) => e.id === kitId);
  if (!found) throw new Error(`presets: the kit has no size example ${kitId}`);
  return found;
}

/**
 * A size example's layer (its one transposed step). `values` says what the page shows where the
 * document prints no values; `extra` sets them (and anything else the page does differently).
 */
function fromSize(
  id: string,
  label: string,
  kitId: string,
  values: string,
  extra: Partial<ExplorerState> = {},
): Preset {
  const example = sizeExample(kitId);
  const step = example.steps[0];
  if (example.steps.length !== 1 || step?.operation !== 'convTranspose')
    throw new Error(`presets: ${kitId} is not a single transposed convolution`);
  const [, inChannels = 1, ih = 1, iw = 1] = example.inputShape;
  const [, perGroup = 1, kh = 1, kw = 1] = step.weightShape;
  const geometry = geometryOf(step.options);
  const unprinted = example.unprinted ? ` (${example.unprinted}; ${values})` : '';
  return {
    id,
    label,
    source: `${cite(example.doc, example.where)}${unprinted}`,
    note: example.caption ?? example.title,
    state: make(id, {
      input: [ih, iw],
      kernel: [kh, kw],
      inChannels,
      outChannels: perGroup * geometry.groups,
      ...geometry,
      ...extra,
    }),
  };
}

/** A size example's printed input, channels-first (converted by core), as the page holds it. */
function printedInput(kitId: string): number[] {
  const example = sizeExample(kitId);
  const printed = example.printedInput;
  if (!printed) throw new Error(`presets: the kit prints no input for ${kitId}`);
  const [n = 1, c = 1, h = 1, w = 1] = example.inputShape;
  return Array.from(toChannelsFirst({ shape: [n, h, w, c], data: Float32Array.from(printed.values) }).data);
}

/** The kit's AIM-style image channels-first, `[3, 4, 4]` (converted by core). */
export const AIM_RGB: readonly number[] = Array.from(
  toChannelsFirst({
    shape: [1, AIM_IMAGE.length, AIM_IMAGE[0]?.length ?? 0, 3],
    data: Float32Array.from(AIM_IMAGE.flat(2)),
  }).data,
);

/**
 * AIM's RGB examples: the kit's image (not the article's, which lists no pixels), upsampled per
 * channel (groups 3) with kernels of ones so that each pixel paints blocks of its own colour.
 */
function aimRgb(id: string, label: string, kitId: string, kernel: number): Preset {
  return fromSize(id, label, kitId, "the kit's AIM-style image here, per channel with kernels of ones", {
    groups: 3,
    outChannels: 3,
    x: [...AIM_RGB],
    w: ones(3 * kernel * kernel),
    step: 0,
  });
}

const DEFAULT_VALUES = "the page's default values here";

/** The documents' examples, in reading order. */
const DOCUMENT_PRESETS: readonly Preset[] = [
  fromWorked('gfg-example-1', 'GfG Example 1 (2×2, k2, s1)', workedExample('gfg/example-1')),
  fromSize('gfg-valid', "GfG Example 2 (Keras 'valid' → 9×9)", 'gfg/keras-valid-9x9', 'ones here', {
    x: printedInput('gfg/keras-valid-9x9'),
    w: ones(27),
  }),
  fromSize('gfg-same', "GfG Example 3 (Keras 'same' → 8×8)", 'gfg/keras-same-8x8', 'ones here', {
    x: printedInput('gfg/keras-same-8x8'),
    w: ones(27),
  }),
  fromWorked('d2l-basic', 'd2l 13.10.1 basic (2×2, k2)', workedExample('d2l/basic')),
  fromWorked('d2l-padding', 'd2l 13.10.2 padding 1 (→ 1×1)', workedExample('d2l/padding-1')),
  fromWorked('d2l-stride', 'd2l 13.10.2 stride 2 (→ 4×4)', workedExample('d2l/stride-2')),
  {
    // d2l prints Y and K, and that trans_conv(Y, K) equals Wᵀ·vec(Y), but not the 3×3 result.
    id: 'd2l-matrix',
    label: 'd2l 13.10.3 Y → Z (W is 4×9)',
    source: cite('d2l', D2L_MATRIX.where),
    note: D2L_MATRIX.caption,
    state: make('d2l-matrix', {
      input: [D2L_MATRIX.output.length, D2L_MATRIX.output[0].length],
      kernel: [D2L_MATRIX.kernel.length, D2L_MATRIX.kernel[0].length],
      x: D2L_MATRIX.output.flat(),
      w: D2L_MATRIX.kernel.flat(),
      view: 'matrix',
    }),
  },
  fromWorked('notes-3x3', 'Notes 3×3 output (2×2, k2)', workedExample('notes/3x3-output')),
  fromSize('notes-k3s2-op1', 'Notes k3 s2 output_padding 1 (2×2 → 6×6)', 'notes/pytorch-6x6', DEFAULT_VALUES),
  fromSize('tds-2x2-to-4x4', 'TDS 2×2 → 4×4 (k3, W is 4×16)', 'tds/2x2-k3-back-to-4x4', DEFAULT_VALUES, {
    view: 'matrix',
  }),
  fromSize('aim-7to7', 'AIM 7×7, k3, "same padding" 1 (→ 7×7)', 'aim/7-to-7-padding-1', DEFAULT_VALUES),
  aimRgb('aim-rgb-k3s4', 'AIM 4×4 RGB, k3 s4 output padding 1 (→ 16×16)', 'aim/4-to-16-k3-s4-op1', 3),
  aimRgb('aim-rgb-k4s4', 'AIM 4×4 RGB, k4 s4 (→ 16×16)', 'aim/4-to-16-k4-s4', 4),
];

/**
 * The explorer's own examples: NOT from the documents (none of them dilates, groups channels or
 * reaches ONNX's negative total padding), kept here because they are the page's, not the kit's.
 */
const EXPLORER_PRESETS: readonly Preset[] = [
  {
    id: 'dilation-2',
    label: 'Dilation 2 (3×3, k2 d2 → 5×5) — not in the documents',
    source: "The explorer's own example: none of the documents dilates a kernel",
    note: 'Dilation spreads the kernel taps apart: each element lands on every other cell.',
    state: make('dilation-2', { input: [3, 3], kernel: [2, 2], dilation: [2, 2], step: 1 }),
  },
  {
    id: 'groups-2',
    label: 'Groups 2 (2 channels, k2 s2) — not in the documents',
    source: "The explorer's own example: none of the documents groups channels",
    note: 'With groups = channels each input channel scatters only into its own output channel.',
    state: make('groups-2', {
      input: [2, 2],
      kernel: [2, 2],
      inChannels: 2,
      outChannels: 2,
      groups: 2,
      stride: [2, 2],
    }),
  },
  {
    id: 'onnx-same-upper-negative',
    label: 'ONNX SAME_UPPER, negative total (3×3, k1, s3) — not in the documents',
    source:
      "The explorer's own example, from the ONNX ConvTranspose specification (auto_pad) as core's README documents it",
    note: 'total = s(n−1) + output_padding + k − L = 6 + 1 − 9 = −2: the specification extends the output at both ends; onnxruntime clamps to 0.',
    state: make('onnx-same-upper-negative', {
      input: [3, 3],
      kernel: [1, 1],
      stride: [3, 3],
      layer: { ...DEFAULT_LAYERS.onnx, autoPad: 'SAME_UPPER' },
      view: 'conventions',
    }),
  },
];

/** Every preset, in the order of the menu: the documents' examples, then the explorer's own. */
export const PRESETS: readonly Preset[] = [...DOCUMENT_PRESETS, ...EXPLORER_PRESETS];

/** The preset with this id, if any. */
export function findPreset(id: string | null): Preset | undefined {
  return id === null ? undefined : PRESETS.find((p) => p.id === id);
}
