/**
 * The documents' worked examples as states of the page. Inputs, kernels and parameters are the
 * documents' own where they print them; where a document shows its numbers only in a picture, the
 * preset says so and uses the page's default values. `documentOutput` is the result the document
 * prints (quoted, never computed here), shown next to the backends' results. (Longer than most
 * files: it is data, one entry per worked example, kept together so the menu has one source.)
 */
import { toChannelsFirst } from '@tconv/core';
import type { Pair } from './query';
import type { ExplorerState, Layer } from './state';
import { DEFAULT_LAYERS, DEFAULT_STATE } from './state';

/** One worked example. */
export interface Preset {
  readonly id: string;
  /** Short label for the preset menu. */
  readonly label: string;
  /** Which document and where. */
  readonly source: string;
  /** What the example shows, one sentence. */
  readonly note: string;
  readonly state: ExplorerState;
  /** The output the document prints, one row per output row (single channel), if it prints one. */
  readonly documentOutput?: readonly (readonly number[])[];
}

const GFG = 'GeeksforGeeks, "What is Transposed Convolutional Layer?"';
const AIM = 'AIM, "Complete Guide to Transposed Convolutions in CNN Models"';
const TDS = 'Towards Data Science, "Understand Transposed Convolutions"';
const D2L = 'd2l.ai 13.10 "Transposed Convolution"';
const NOTES = 'Notes, "Transposed Convolution"';

const pytorch = (padding: Pair = [0, 0], outputPadding: Pair = [0, 0]): Layer => ({
  ...DEFAULT_LAYERS.pytorch,
  padding,
  outputPadding,
});

function make(
  id: string,
  s: Partial<ExplorerState> & Pick<ExplorerState, 'input' | 'kernel'>,
): ExplorerState {
  return { ...DEFAULT_STATE, ...s, preset: id };
}

/**
 * GfG Examples 2 and 3: the 4×4 input with 3 channels, printed channels-last
 * (`[[[1, 2, 3], [5, 6, 7], ...]]`, shape (1, 4, 4, 3)); converted to channels-first by core.
 */
const GFG_INPUT_NHWC = [
  [
    [1, 2, 3],
    [5, 6, 7],
    [9, 10, 11],
    [13, 14, 15],
  ],
  [
    [17, 18, 19],
    [21, 22, 23],
    [25, 26, 27],
    [29, 30, 31],
  ],
  [
    [33, 34, 35],
    [37, 38, 39],
    [41, 42, 43],
    [45, 46, 47],
  ],
  [
    [49, 50, 51],
    [53, 54, 55],
    [57, 58, 59],
    [61, 62, 63],
  ],
].flat(2);

function gfgInputChannelsFirst(): number[] {
  return Array.from(toChannelsFirst({ shape: [1, 4, 4, 3], data: Float32Array.from(GFG_INPUT_NHWC) }).data);
}

/** A kernel of ones for `count` weights (the articles' upsampling kernels and unknown Keras kernels). */
const ones = (count: number): number[] => new Array<number>(count).fill(1);

/**
 * A 4×4 RGB image in the spirit of AIM's (which does not list its pixels): red top-left with
 * yellow next to it as the article describes, other colours, and black pixels, which "will always
 * be black". Pixels row by row as [r, g, b], 0–255.
 */
const AIM_PIXELS = [
  [
    [255, 0, 0],
    [255, 255, 0],
    [0, 255, 0],
    [0, 255, 255],
  ],
  [
    [0, 0, 255],
    [255, 0, 255],
    [255, 255, 255],
    [0, 0, 0],
  ],
  [
    [0, 0, 0],
    [255, 128, 0],
    [128, 0, 255],
    [128, 128, 128],
  ],
  [
    [255, 255, 255],
    [0, 0, 0],
    [0, 0, 128],
    [0, 128, 128],
  ],
].flat(2);

/** {@link AIM_PIXELS} channels-first, `[3, 4, 4]` (converted by core). */
export const AIM_RGB: readonly number[] = Array.from(
  toChannelsFirst({ shape: [1, 4, 4, 3], data: Float32Array.from(AIM_PIXELS) }).data,
);

/** Every preset, in the order of the menu. */
export const PRESETS: readonly Preset[] = [
  {
    id: 'gfg-example-1',
    label: 'GfG Example 1 (2×2, k2, s1)',
    source: `${GFG}, Example 1`,
    note: 'Each input element times the kernel, placed at its position, overlaps summed.',
    state: make('gfg-example-1', { input: [2, 2], kernel: [2, 2], x: [0, 1, 2, 3], w: [4, 1, 2, 3] }),
    documentOutput: [
      [0, 4, 1],
      [8, 16, 6],
      [4, 12, 9],
    ],
  },
  {
    id: 'gfg-valid',
    label: "GfG Example 2 (Keras 'valid' → 9×9)",
    source: `${GFG}, Example 2 (the article's kernel is random; ones here)`,
    note: "Keras Conv2DTranspose(filters=1, kernel_size=3, strides=2, padding='valid') on a 4×4×3 input.",
    state: make('gfg-valid', {
      input: [4, 4],
      kernel: [3, 3],
      inChannels: 3,
      stride: [2, 2],
      layer: { convention: 'keras', padding: 'valid', outputPadding: null },
      x: gfgInputChannelsFirst(),
      w: ones(27),
    }),
  },
  {
    id: 'gfg-same',
    label: "GfG Example 3 (Keras 'same' → 8×8)",
    source: `${GFG}, Example 3 (the article's kernel is random; ones here)`,
    note: "The same layer with padding='same': the output is the input size times the stride.",
    state: make('gfg-same', {
      input: [4, 4],
      kernel: [3, 3],
      inChannels: 3,
      stride: [2, 2],
      layer: { convention: 'keras', padding: 'same', outputPadding: null },
      x: gfgInputChannelsFirst(),
      w: ones(27),
    }),
  },
  {
    id: 'd2l-basic',
    label: 'd2l 13.10.1 basic (2×2, k2)',
    source: `${D2L}, 13.10.1, Fig. 13.10.1`,
    note: 'X = K = [[0, 1], [2, 3]]: four intermediate tensors, summed.',
    state: make('d2l-basic', { input: [2, 2], kernel: [2, 2], x: [0, 1, 2, 3], w: [0, 1, 2, 3] }),
    documentOutput: [
      [0, 0, 1],
      [0, 4, 6],
      [4, 12, 9],
    ],
  },
  {
    id: 'd2l-padding',
    label: 'd2l 13.10.2 padding 1 (→ 1×1)',
    source: `${D2L}, 13.10.2`,
    note: 'Padding is applied to the output: the first and last rows and columns are removed.',
    state: make('d2l-padding', {
      input: [2, 2],
      kernel: [2, 2],
      layer: pytorch([1, 1]),
      x: [0, 1, 2, 3],
      w: [0, 1, 2, 3],
    }),
    documentOutput: [[4]],
  },
  {
    id: 'd2l-stride',
    label: 'd2l 13.10.2 stride 2 (→ 4×4)',
    source: `${D2L}, 13.10.2, Fig. 13.10.2`,
    note: 'Strides are specified for the intermediate results (the output), not for the input.',
    state: make('d2l-stride', {
      input: [2, 2],
      kernel: [2, 2],
      stride: [2, 2],
      x: [0, 1, 2, 3],
      w: [0, 1, 2, 3],
    }),
    documentOutput: [
      [0, 0, 0, 1],
      [0, 0, 2, 3],
      [0, 2, 0, 3],
      [4, 6, 6, 9],
    ],
  },
  {
    id: 'd2l-matrix',
    label: 'd2l 13.10.3 Y → Z (W is 4×9)',
    source: `${D2L}, 13.10.3`,
    note: 'trans_conv(Y, K) with Y = corr2d(arange(9), K) = [[27, 37], [57, 67]], K = [[1, 2], [3, 4]]: Wᵀ·vec(Y).',
    state: make('d2l-matrix', {
      input: [2, 2],
      kernel: [2, 2],
      x: [27, 37, 57, 67],
      w: [1, 2, 3, 4],
      view: 'matrix',
    }),
  },
  {
    id: 'notes-3x3',
    label: 'Notes 3×3 output (2×2, k2)',
    source: `${NOTES}, "Transposed Convolutions" (input and kernel solved from the printed output and "4*3 = 12, 2*1 = 2")`,
    note: 'The notes print only the output; X = [[2, 4], [0, 1]] and K = [[3, 1], [1, 5]] are the unique solution.',
    state: make('notes-3x3', { input: [2, 2], kernel: [2, 2], x: [2, 4, 0, 1], w: [3, 1, 1, 5] }),
    documentOutput: [
      [6, 14, 4],
      [2, 17, 21],
      [0, 1, 5],
    ],
  },
  {
    id: 'notes-k3s2-op1',
    label: 'Notes k3 s2 output_padding 1 (2×2 → 6×6)',
    source: `${NOTES}, "Pad the output" (random input in the notes; default values here)`,
    note: 'ConvTranspose2d(3, 1, kernel_size=3, stride=2, output_padding=1) on (1, 3, 2, 2).',
    state: make('notes-k3s2-op1', {
      input: [2, 2],
      kernel: [3, 3],
      inChannels: 3,
      stride: [2, 2],
      layer: pytorch([0, 0], [1, 1]),
    }),
  },
  {
    id: 'tds-2x2-to-4x4',
    label: 'TDS 2×2 → 4×4 (k3, W is 4×16)',
    source: `${TDS}, "Why transposed?" (numbers shown only in the article's pictures; default values here)`,
    note: 'The reverse of a 3×3 convolution of a 4×4 input: Wᵀ is 16×4, four intermediate 4×4 matrices.',
    state: make('tds-2x2-to-4x4', { input: [2, 2], kernel: [3, 3], view: 'matrix' }),
  },
  {
    id: 'aim-7to7',
    label: 'AIM 7×7, k3, "same padding" 1 (→ 7×7)',
    source: `${AIM}, "Transposed convolutions": (7−1)·1 + 3 − 2·1 + 0 = 7`,
    note: 'Padding 1 crops one border element on each side, restoring the 7×7 size.',
    state: make('aim-7to7', { input: [7, 7], kernel: [3, 3], layer: pytorch([1, 1]) }),
  },
  {
    id: 'aim-rgb-k3s4',
    label: 'AIM 4×4 RGB, k3 s4 output padding 1 (→ 16×16)',
    source: `${AIM}, "Filter = 3*3, Strides = 4*4, Padding = 0, Output padding = 1" (the image is ours)`,
    note: 'Each pixel paints a 3×3 block of its colour; the stride leaves black stripes.',
    state: make('aim-rgb-k3s4', {
      input: [4, 4],
      kernel: [3, 3],
      inChannels: 3,
      outChannels: 3,
      groups: 3,
      stride: [4, 4],
      layer: pytorch([0, 0], [1, 1]),
      x: [...AIM_RGB],
      w: ones(27),
      step: 0,
    }),
  },
  {
    id: 'aim-rgb-k4s4',
    label: 'AIM 4×4 RGB, k4 s4 (→ 16×16)',
    source: `${AIM}, "Filter = 4*4, Stride = 4*4, Padding = 0, Output padding = 0" (the image is ours)`,
    note: 'Kernel equal to the stride: the blocks tile the output, no stripes.',
    state: make('aim-rgb-k4s4', {
      input: [4, 4],
      kernel: [4, 4],
      inChannels: 3,
      outChannels: 3,
      groups: 3,
      stride: [4, 4],
      x: [...AIM_RGB],
      w: ones(48),
      step: 0,
    }),
  },
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
    label: 'ONNX SAME_UPPER, negative total (3×3, k1, s3)',
    source: 'ONNX ConvTranspose specification (auto_pad), as core README documents it',
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

/** The preset with this id, if any. */
export function findPreset(id: string | null): Preset | undefined {
  return id === null ? undefined : PRESETS.find((p) => p.id === id);
}
