import type { FloatArray } from './tensor';

/**
 * How a convolution pads its input, or how a transposed convolution crops (or extends) its output.
 *
 * - a number or one number per spatial axis: symmetric, PyTorch's `padding`;
 * - `{ begin, end }`: asymmetric, one number per spatial axis each, ONNX's `pads` split in halves;
 * - `'valid'` / `'same'`: Keras / TensorFlow / TF.js;
 * - `'same-upper'` / `'same-lower'`: ONNX's `auto_pad` `SAME_UPPER` / `SAME_LOWER`.
 */
export type Padding =
  | number
  | readonly number[]
  | { readonly begin: readonly number[]; readonly end: readonly number[] }
  | 'valid'
  | 'same'
  | 'same-upper'
  | 'same-lower';

/** The padding words, in the order the docs list them. */
export const PADDING_WORDS = ['valid', 'same', 'same-upper', 'same-lower'] as const;

/** One of the padding words. */
export type PaddingWord = (typeof PADDING_WORDS)[number];

/** Options of a convolution (and the shared part of a transposed convolution's). */
export interface ConvOptions {
  /** Step per spatial axis; default 1. */
  stride?: number | readonly number[];
  /** Default 0. */
  padding?: Padding;
  /** Spacing between kernel taps per spatial axis; default 1. */
  dilation?: number | readonly number[];
  /** Channel groups; default 1. Input and output channels must both divide by it. */
  groups?: number;
  /** One value per output channel, added to every output element of that channel. */
  bias?: FloatArray | readonly number[];
}

/** Options of a transposed convolution. */
export interface ConvTransposeOptions extends ConvOptions {
  /** Extra output length at the end of each axis; default 0; each must be < max(stride, dilation). */
  outputPadding?: number | readonly number[];
  /** The spatial output size; how it is reached depends on `padding` (see the package README). */
  outputSize?: readonly number[];
}
