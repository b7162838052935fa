import type { ConvTransposeOptions } from '@tconv/core';

/*
 * The documents' worked examples and size examples, as data, defined once, with the citation table
 * `DOCS`. The kit's document and shape cases, the demo (which prints them next to every backend's
 * result), the explorer's presets and the tests of core's shape arithmetic all read them from here
 * (`@tconv/conformance/examples`). Pure data: no runtime import, so any package (and a browser
 * page) may load it. Every number is the document's own, quoted where it appears, except
 * `AIM_IMAGE`, which says why. Over 300 lines because it is data: one record per example the
 * documents give, nothing else.
 */

/**
 * The public documents the cases cite: title, publisher and address (a case adds the section).
 * The five tutorials the kit was built from, and the framework references whose semantics it
 * follows.
 */
export const DOCS = {
  gfg: 'GeeksforGeeks, "What is Transposed Convolutional Layer?" (https://www.geeksforgeeks.org/what-is-transposed-convolutional-layer/)',
  aim: 'Analytics India Magazine, "Complete Guide to Transposed Convolutions in CNN Models" (https://analyticsindiamag.com/complete-guide-to-transposed-convolutions-in-cnn-models/)',
  tds: 'Towards Data Science, "Understand Transposed Convolutions" (https://towardsdatascience.com/understand-transposed-convolutions-and-build-your-own-transposed-convolution-layer-from-scratch-4f5d97b2967)',
  d2l: 'Dive into Deep Learning, 13.10 "Transposed Convolution" (https://d2l.ai/chapter_computer-vision/transposed-conv.html)',
  notes:
    'study notes "Transposed Convolution" (30 May 2022, unpublished; they follow d2l 13.10 and PyTorch\'s ConvTranspose2d, https://pytorch.org/docs/stable/generated/torch.nn.ConvTranspose2d.html)',
  pytorch:
    'PyTorch documentation, torch.nn.ConvTranspose2d (https://pytorch.org/docs/stable/generated/torch.nn.ConvTranspose2d.html)',
  keras:
    'Keras documentation, Conv2DTranspose layer (https://keras.io/api/layers/convolution_layers/convolution2d_transpose/)',
  tfjs: 'TensorFlow.js API, tf.conv2dTranspose (https://js.tensorflow.org/api/latest/#conv2dTranspose)',
  onnx: 'ONNX operator specification, ConvTranspose (https://onnx.ai/onnx/operators/onnx__ConvTranspose.html)',
  contract:
    'the tconv backend contract, as the @tconv/core README states it ("Errors", option rules, output dtype = input dtype)',
} as const;

/** A matrix as rows of numbers. */
export type Matrix = readonly (readonly number[])[];

/** A key of the kit's citation table {@link DOCS}. */
export type DocumentKey = keyof typeof DOCS;

/** One of the documents' worked examples: a single-channel 2D operation and the result it prints. */
export interface WorkedExample {
  /** The kit case's id. */
  readonly id: string;
  /** The kit case's title: what the document shows, with its numbers. */
  readonly title: string;
  /** Which document (a key of `DOCS`) and where in it. */
  readonly doc: DocumentKey;
  readonly where: string;
  readonly operation: 'convTranspose' | 'conv';
  readonly input: Matrix;
  readonly kernel: Matrix;
  readonly options: ConvTransposeOptions;
  /** The document's result. */
  readonly expected: Matrix;
  readonly tags: readonly string[];
  /** How the example's input was recovered, where the document prints only part of it. */
  readonly derivation?: string;
  /** What the example shows, one plain sentence (the explorer's preset note). */
  readonly caption: string;
}

const D2L_X: Matrix = [
  [0, 1],
  [2, 3],
];

/** The worked examples, in reading order. */
export const WORKED_EXAMPLES: readonly WorkedExample[] = [
  {
    id: 'gfg/example-1',
    title:
      'GfG Example 1: input [[0, 1], [2, 3]], kernel [[4, 1], [2, 3]], stride 1 → [[0, 4, 1], [8, 16, 6], [4, 12, 9]]',
    doc: 'gfg',
    where: 'Example 1',
    operation: 'convTranspose',
    input: [
      [0, 1],
      [2, 3],
    ],
    kernel: [
      [4, 1],
      [2, 3],
    ],
    options: { stride: 1, padding: 0 },
    // PyTorch's print: tensor([[[[ 0., 4., 1.], [ 8., 16., 6.], [ 4., 12., 9.]]]])
    expected: [
      [0, 4, 1],
      [8, 16, 6],
      [4, 12, 9],
    ],
    tags: ['gfg'],
    caption: 'Each input element times the kernel, placed at its position, overlaps summed.',
  },
  {
    id: 'd2l/basic',
    title: 'd2l 13.10.1: X = K = [[0, 1], [2, 3]] → [[0, 0, 1], [0, 4, 6], [4, 12, 9]]',
    doc: 'd2l',
    where: '13.10.1',
    operation: 'convTranspose',
    input: D2L_X,
    kernel: D2L_X,
    options: {},
    expected: [
      [0, 0, 1],
      [0, 4, 6],
      [4, 12, 9],
    ],
    tags: ['d2l'],
    caption:
      'Four intermediate tensors, one per input element (the kernel scaled by it, at its position), summed.',
  },
  {
    id: 'd2l/padding-1',
    title: 'd2l 13.10.2: padding 1 removes the first and last rows and columns → [[4]]',
    doc: 'd2l',
    where: '13.10.2',
    operation: 'convTranspose',
    input: D2L_X,
    kernel: D2L_X,
    options: { padding: 1 },
    expected: [[4]],
    tags: ['d2l', 'padding'],
    caption: 'Padding is applied to the output: the first and last rows and columns are removed.',
  },
  {
    id: 'd2l/stride-2',
    title: 'd2l 13.10.2: stride 2 → [[0, 0, 0, 1], [0, 0, 2, 3], [0, 2, 0, 3], [4, 6, 6, 9]]',
    doc: 'd2l',
    where: '13.10.2, Fig. 13.10.2',
    operation: 'convTranspose',
    input: D2L_X,
    kernel: D2L_X,
    options: { stride: 2 },
    expected: [
      [0, 0, 0, 1],
      [0, 0, 2, 3],
      [0, 2, 0, 3],
      [4, 6, 6, 9],
    ],
    tags: ['d2l', 'stride'],
    caption: 'Strides are specified for the intermediate results (the output), not for the input.',
  },
  {
    id: 'd2l/corr2d',
    title:
      'd2l 13.10.3: corr2d(arange(9).reshape(3, 3), [[1, 2], [3, 4]]) → [[27, 37], [57, 67]] (the convolution)',
    doc: 'd2l',
    where: '13.10.3',
    operation: 'conv',
    input: [
      [0, 1, 2],
      [3, 4, 5],
      [6, 7, 8],
    ],
    kernel: [
      [1, 2],
      [3, 4],
    ],
    options: {},
    expected: [
      [27, 37],
      [57, 67],
    ],
    tags: ['d2l', 'conv'],
    caption: 'The convolution whose matrix view (13.10.3) the transposed convolution reverses.',
  },
  {
    id: 'notes/3x3-output',
    title:
      'notes: the printed 3×3 output [[6, 14, 4], [2, 17, 21], [0, 1, 5]] from a 2×2 input and a 2×2 kernel, stride 1, pad 0',
    doc: 'notes',
    where: '"Transposed Convolutions"',
    operation: 'convTranspose',
    input: [
      [2, 4],
      [0, 1],
    ],
    kernel: [
      [3, 1],
      [1, 5],
    ],
    options: { stride: 1, padding: 0 },
    expected: [
      [6, 14, 4],
      [2, 17, 21],
      [0, 1, 5],
    ],
    tags: ['notes'],
    caption:
      'The notes print only the output; the input and kernel are its unique solution (see the derivation).',
    derivation:
      'The notes print only the output and "4*3=12, 2*1=2, 12+2=14". ' +
      'With X = [[a, b], [c, d]] and K = [[p, q], [r, s]] the output is [[ap, aq+bp, bq], [ar+cp, as+br+cq+dp, bs+dq], [cr, cs+dr, ds]]; ' +
      'ap = 6 and 14 = 12 + 2 = 4·3 + 2·1 give b = 4, p = 3, a = 2, q = 1 (bq = 4 ✓); cr = 0 and ar + cp = 2 give c = 0, r = 1; ' +
      'cs + dr = 1 gives d = 1; ds = 5 gives s = 5; then bs + dq = 21 ✓ and as + br + cq + dp = 17 ✓. So X = [[2, 4], [0, 1]], K = [[3, 1], [1, 5]]',
  },
];

/**
 * d2l 13.10.3's matrix view: `X = arange(9.0).reshape(3, 3)`, `K = [[1, 2], [3, 4]]`,
 * `Y = corr2d(X, K) = [[27, 37], [57, 67]]` and `W = kernel2matrix(K)`, the 4×9 matrix the section
 * prints, with `W·vec(X) = vec(Y)`.
 */
export const D2L_MATRIX = {
  where: '13.10.3',
  caption:
    'trans_conv(Y, K) reverses the convolution: with W = kernel2matrix(K), 4×9, it equals Wᵀ·vec(Y) reshaped to 3×3.',
  input: [
    [0, 1, 2],
    [3, 4, 5],
    [6, 7, 8],
  ],
  kernel: [
    [1, 2],
    [3, 4],
  ],
  output: [
    [27, 37],
    [57, 67],
  ],
  matrix: [
    [1, 2, 0, 3, 4, 0, 0, 0, 0],
    [0, 1, 2, 0, 3, 4, 0, 0, 0],
    [0, 0, 0, 1, 2, 0, 3, 4, 0],
    [0, 0, 0, 0, 1, 2, 0, 3, 4],
  ],
} as const satisfies {
  where: string;
  caption: string;
  input: Matrix;
  kernel: Matrix;
  output: Matrix;
  matrix: Matrix;
};

/** The worked example with this kit case id; throws for an unknown id (a typo in a consumer). */
export function workedExample(id: string): WorkedExample {
  const found = WORKED_EXAMPLES.find((e) => e.id === id);
  if (!found)
    throw new Error(`no worked example ${id}; the ids are ${WORKED_EXAMPLES.map((e) => e.id).join(', ')}`);
  return found;
}

/** One step of a size example: a convolution or a transposed convolution. */
export interface SizeStep {
  readonly operation: 'conv' | 'convTranspose';
  /** `[Cout, Cin/groups, ...k]` for a convolution, `[Cin, Cout/groups, ...k]` for a transposed one. */
  readonly weightShape: readonly number[];
  readonly options: ConvTransposeOptions;
  /** The shape the document states after this step, where it states one before the last. */
  readonly expected?: readonly number[];
}

/** A size example: an input shape, one or two steps, and the shape the document states. */
export interface SizeExample {
  /** The kit case's id. */
  readonly id: string;
  /** The kit case's title. */
  readonly title: string;
  readonly doc: DocumentKey;
  readonly where: string;
  /** A few words for a table row. */
  readonly description: string;
  /** Channels-first `[N, C, ...spatial]` (Keras' `(N, H, W, C)` written channels-first). */
  readonly inputShape: readonly number[];
  readonly steps: readonly SizeStep[];
  /** The document's result, channels-first. */
  readonly expected: readonly number[];
  /** The document's own words or formula for it. */
  readonly quote: string;
  readonly tags: readonly string[];
  /** The id of the worked example that already runs this computation (its values, not only its shape). */
  readonly worked?: string;
  /** What the example shows, one plain sentence (the explorer's preset note), where a consumer shows it. */
  readonly caption?: string;
  /** The input values the document prints (the size examples are about shapes; a few print values too). */
  readonly printedInput?: PrintedInput;
  /** What the document does not print (a random kernel, values only in a picture): a consumer supplies its own. */
  readonly unprinted?: string;
}

/** Input values as a document prints them: flattened row-major in the document's own layout. */
export interface PrintedInput {
  /** `channels-last`: Keras' `(N, H, W, C)`, i.e. {@link SizeExample.inputShape} with the channels moved last. */
  readonly layout: 'channels-last';
  readonly values: readonly number[];
}

/** GfG Examples 2 and 3: `input_tensor`, shape (1, 4, 4, 3), printed channels-last. */
const GFG_INPUT: PrintedInput = {
  layout: 'channels-last',
  values: [
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
  ].flat(2),
};

/** An RGB colour, each channel 0–255. */
export type Rgb = readonly [number, number, number];

/**
 * NOT the document's: AIM shows its 4×4 RGB image only as a picture and does not list its pixels.
 * This image, in its spirit, is the one the demo's pictures and the explorer's AIM presets both
 * upsample: red in the top-left corner and yellow next to it as the article describes, distinct
 * colours elsewhere, and black pixels, which "will always be black" after the transposed
 * convolution. Rows of pixels, each `[r, g, b]`.
 */
export const AIM_IMAGE: readonly (readonly Rgb[])[] = [
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
];

const ct = (weightShape: readonly number[], options: ConvTransposeOptions = {}): SizeStep => ({
  operation: 'convTranspose',
  weightShape,
  options,
});
const cv = (weightShape: readonly number[], options: ConvTransposeOptions = {}): SizeStep => ({
  operation: 'conv',
  weightShape,
  options,
});

/** The documents' size examples, by document. */
export const SIZE_EXAMPLES: readonly SizeExample[] = [
  {
    id: 'gfg/example-1-shape',
    title: 'GfG Example 1: a 2×2 input and a 2×2 kernel, stride 1, no padding → 3×3',
    doc: 'gfg',
    where: 'Example 1',
    description: 'Ex. 1: transposed k2 s1 p0',
    inputShape: [1, 1, 2, 2],
    steps: [ct([1, 1, 2, 2])],
    expected: [1, 1, 3, 3],
    quote: 'O_h = (2-1)×1 + 2 - 2×0 = 3',
    tags: ['gfg'],
    worked: 'gfg/example-1',
  },
  {
    id: 'gfg/keras-valid-9x9',
    title:
      "GfG: Keras Conv2DTranspose(filters=1, kernel_size=3, strides=2, padding='valid') on the 4×4×3 input → 9×9",
    doc: 'gfg',
    where: 'Example 2',
    description: "Ex. 2: Keras transposed k3 s2 'valid'",
    inputShape: [1, 3, 4, 4],
    steps: [ct([3, 1, 3, 3], { stride: 2, padding: 'valid' })],
    expected: [1, 1, 9, 9],
    quote: '(1, 9, 9, 1)',
    tags: ['keras', 'valid'],
    caption: "Keras' 'valid': the output is (n − 1)·s + k per axis.",
    printedInput: GFG_INPUT,
    unprinted: "the layer's kernel is Keras' random initialisation",
  },
  {
    id: 'gfg/keras-same-8x8',
    title:
      "GfG: Keras Conv2DTranspose(filters=1, kernel_size=3, strides=2, padding='same') on the 4×4×3 input → 8×8",
    doc: 'gfg',
    where: 'Example 3',
    description: "Ex. 3: Keras transposed k3 s2 'same'",
    inputShape: [1, 3, 4, 4],
    steps: [ct([3, 1, 3, 3], { stride: 2, padding: 'same' })],
    expected: [1, 1, 8, 8],
    quote: '(1, 8, 8, 1)',
    tags: ['keras', 'same'],
    caption: "With padding='same' the output is the input size times the stride.",
    printedInput: GFG_INPUT,
    unprinted: "the layer's kernel is Keras' random initialisation",
  },
  {
    id: 'aim/conv-7-to-5',
    title: 'AIM: convolution of a 7×7 image with a 3×3 filter, stride 1, no padding → 5×5',
    doc: 'aim',
    where: '"Transposed convolutions"',
    description: 'conv k3 s1 p0',
    inputShape: [1, 1, 7, 7],
    steps: [cv([1, 1, 3, 3])],
    expected: [1, 1, 5, 5],
    quote: 'Size of output = 5',
    tags: ['conv'],
  },
  {
    id: 'aim/7-to-7-padding-1',
    title: 'AIM: (7 − 1)·1 + 3 − 2·1 + 0 = 7, the transposed convolution keeps 7×7',
    doc: 'aim',
    where: '"Transposed convolutions"',
    description: 'transposed k3 s1 p1',
    inputShape: [1, 1, 7, 7],
    steps: [ct([1, 1, 3, 3], { padding: 1 })],
    expected: [1, 1, 7, 7],
    quote: '(7-1)*1 + 3 – 2*1 + 0 = 7',
    tags: ['padding'],
    caption: 'Padding 1 crops one border element on each side, restoring the 7×7 size.',
    unprinted: 'the article gives the sizes only',
  },
  {
    id: 'aim/4-to-16-k3-s4-op1',
    title:
      'AIM: 4×4 image, filter 3×3, strides 4, output padding 1 → 16×16 with black (zero) stripes at every 4th row and column',
    doc: 'aim',
    where: '"Transposed convolutions"',
    description: 'transposed k3 s4 op1, RGB',
    inputShape: [1, 3, 4, 4],
    steps: [ct([3, 3, 3, 3], { stride: 4, outputPadding: 1 })],
    expected: [1, 3, 16, 16],
    quote: '(4-1) * 4 + 3 – 2 * 0 + 1 = 16',
    tags: ['stride', 'output-padding'],
    caption: 'Each pixel paints a 3×3 block of its colour; the stride leaves black stripes.',
    unprinted: 'the article shows its image as a picture and does not list its pixels',
  },
  {
    id: 'aim/4-to-16-k4-s4',
    title: 'AIM: filter 4×4, strides 4, no output padding → 16×16, filled',
    doc: 'aim',
    where: '"Transposed convolutions"',
    description: 'transposed k4 s4, RGB',
    inputShape: [1, 3, 4, 4],
    steps: [ct([3, 3, 4, 4], { stride: 4 })],
    expected: [1, 3, 16, 16],
    quote: '(4-1) * 4 + 4 – 2 * 0 + 0 = 16',
    tags: ['stride'],
    caption: 'Kernel equal to the stride: the blocks tile the output, no stripes.',
    unprinted: 'the article shows its image as a picture and does not list its pixels',
  },
  {
    id: 'tds/4x4-k3-conv',
    title: 'TDS: a 4×4 input and a 3×3 kernel give 2×2',
    doc: 'tds',
    where: 'Section 1',
    description: 'conv k3',
    inputShape: [1, 1, 4, 4],
    steps: [cv([1, 1, 3, 3])],
    expected: [1, 1, 2, 2],
    quote: 'transforms a 4×4 matrix into a 2×2 matrix',
    tags: ['conv'],
  },
  {
    id: 'tds/2x2-k3-back-to-4x4',
    title: 'TDS: the transposed convolution takes the 2×2 back to 4×4',
    doc: 'tds',
    where: 'Section 1',
    description: 'transposed k3 (back to 4×4)',
    inputShape: [1, 1, 2, 2],
    steps: [ct([1, 1, 3, 3])],
    expected: [1, 1, 4, 4],
    quote: 'go backward from a 2×2 matrix to a 4×4 matrix',
    tags: [],
    caption: 'The reverse of a 3×3 convolution of a 4×4 input: Wᵀ is 16×4, four intermediate 4×4 matrices.',
    unprinted: "the numbers appear only in the article's pictures",
  },
  {
    id: 'tds/4x4-k2-conv',
    title: 'TDS: a 4×4 input and a 2×2 kernel give 3×3',
    doc: 'tds',
    where: 'Section 1',
    description: 'conv k2',
    inputShape: [1, 1, 4, 4],
    steps: [cv([1, 1, 2, 2])],
    expected: [1, 1, 3, 3],
    quote: 'with a 2×2 kernel will yield a 3×3 output matrix',
    tags: ['conv'],
  },
  {
    id: 'notes/conv-k3s2p1-4-to-2',
    title: 'notes: convolution k3 s2 p1 on 4×4 → ⌊(4 + 2 − 3)/2⌋ + 1 = 2',
    doc: 'notes',
    where: '"Examples"',
    description: 'conv k3s2p1',
    inputShape: [1, 1, 4, 4],
    steps: [cv([1, 1, 3, 3], { stride: 2, padding: 1 })],
    expected: [1, 1, 2, 2],
    quote: '⌊(4+2×1-3)/2⌋ + 1 = 2 ⇒ 2×2',
    tags: ['conv', 'stride', 'padding'],
  },
  {
    id: 'notes/pytorch-6x6',
    title: 'notes: nn.ConvTranspose2d(3, 1, k3, s2, output_padding 1) on (1, 3, 2, 2) → (1, 1, 6, 6)',
    doc: 'notes',
    where: '"Pad the output"',
    description: 'ConvTranspose2d(3, 1) k3 s2 op1',
    inputShape: [1, 3, 2, 2],
    steps: [ct([3, 1, 3, 3], { stride: 2, outputPadding: 1 })],
    expected: [1, 1, 6, 6],
    quote: 'torch.Size([1, 1, 6, 6])',
    tags: ['output-padding', 'pytorch'],
    caption: 'Output padding adds one row and one column at the end: (2 − 1)·2 + 3 + 1 = 6.',
    unprinted: "the input is torch.randn(1, 3, 2, 2) and the layer's weight PyTorch's random initialisation",
  },
  {
    id: 'd2l/basic-shape',
    title:
      'd2l 13.10.1: the transposed convolution of n_h × n_w with k_h × k_w is (n_h + k_h − 1) × (n_w + k_w − 1)',
    doc: 'd2l',
    where: '13.10.1',
    description: '13.10.1 transposed k2',
    inputShape: [1, 1, 2, 2],
    steps: [ct([1, 1, 2, 2])],
    expected: [1, 1, 3, 3],
    quote: '(n_h + k_h - 1) × (n_w + k_w - 1)',
    tags: [],
    worked: 'd2l/basic',
  },
  {
    id: 'd2l/padding-1-shape',
    title: 'd2l 13.10.2: padding 1 on the 2×2 example → 1×1',
    doc: 'd2l',
    where: '13.10.2',
    description: '13.10.2 transposed k2 p1',
    inputShape: [1, 1, 2, 2],
    steps: [ct([1, 1, 2, 2], { padding: 1 })],
    expected: [1, 1, 1, 1],
    quote: 'tensor([[[[4.]]]])',
    tags: ['padding'],
    worked: 'd2l/padding-1',
  },
  {
    id: 'd2l/stride-2-shape',
    title: 'd2l 13.10.2: stride 2 on the 2×2 example → 4×4',
    doc: 'd2l',
    where: '13.10.2',
    description: '13.10.2 transposed k2 s2',
    inputShape: [1, 1, 2, 2],
    steps: [ct([1, 1, 2, 2], { stride: 2 })],
    expected: [1, 1, 4, 4],
    quote: 'tensor([[[[0., 0., 0., 1.], …, [4., 6., 6., 9.]]]])',
    tags: ['stride'],
    worked: 'd2l/stride-2',
  },
  {
    id: 'd2l/corr2d-shape',
    title: 'd2l 13.10.3: the 3×3 input and 2×2 kernel of the matrix example → 2×2',
    doc: 'd2l',
    where: '13.10.3',
    description: '13.10.3 conv k2',
    inputShape: [1, 1, 3, 3],
    steps: [cv([1, 1, 2, 2])],
    expected: [1, 1, 2, 2],
    quote: 'Y = [[27, 37], [57, 67]]',
    tags: ['conv'],
    worked: 'd2l/corr2d',
  },
  {
    id: 'd2l/round-trip-shape',
    title:
      'd2l 13.10.2: conv k5 p2 s3 on (1, 10, 16, 16) → (1, 20, 6, 6); the transposed conv with the same hyperparameters → (1, 10, 16, 16)',
    doc: 'd2l',
    where: '13.10.2',
    description: '13.10.2 conv k5 p2 s3, transposed back',
    inputShape: [1, 10, 16, 16],
    steps: [
      { ...cv([20, 10, 5, 5], { padding: 2, stride: 3 }), expected: [1, 20, 6, 6] },
      ct([20, 10, 5, 5], { padding: 2, stride: 3 }),
    ],
    expected: [1, 10, 16, 16],
    quote: 'tconv(conv(X)).shape == X.shape: True',
    tags: ['round-trip'],
  },
];
