import { describe, OptionError } from './errors';
import { exactInteger } from './limits';
import type { Padding, PaddingWord } from './options';
import { PADDING_WORDS } from './options';
import { checkKnownKeys, perAxis } from './validation';

/**
 * The `padding` option parsed for a given rank: explicit pads per axis (a number, one per axis, or
 * `{ begin, end }`; PyTorch's and ONNX's `pads`), or one of the padding words, whose pads depend
 * on each axis' sizes and so are resolved per axis by the convention modules
 * (`convention-keras.ts` for `'valid'`/`'same'`, `convention-onnx.ts` for `'same-upper'`/`'same-lower'`).
 */
export type ParsedPadding =
  | { readonly kind: 'explicit'; readonly begin: readonly number[]; readonly end: readonly number[] }
  | { readonly kind: 'word'; readonly word: PaddingWord };

/**
 * Validates `padding` for `rank` spatial axes.
 * @throws {@link OptionError} naming `padding` (or `padding.begin[i]`, …), the value and the accepted forms
 */
export function parsePadding(padding: Padding | undefined, rank: number): ParsedPadding {
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
    return { kind: 'word', word: padding as PaddingWord };
  }
  if (typeof padding === 'number' || Array.isArray(padding)) {
    const p = perAxis(padding as number | readonly number[], rank, 'padding', 0, 0);
    return { kind: 'explicit', begin: p, end: [...p] };
  }
  if (typeof padding === 'object' && padding !== null && 'begin' in padding && 'end' in padding) {
    checkKnownKeys(padding, ['begin', 'end'], 'padding { begin, end }');
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

/**
 * One spatial axis of a transposed convolution, its sizes and options validated, before a padding
 * convention decides where the output starts and how long it is.
 */
export interface TransposeAxis {
  /** The axis index, for messages (`outputSize[1]`). */
  readonly axis: number;
  /** Input length n. */
  readonly input: number;
  /** Kernel length k (undilated). */
  readonly kernel: number;
  readonly stride: number;
  readonly dilation: number;
  /** The requested output padding (already checked `< max(stride, dilation)`), if any. */
  readonly outputPadding: number | undefined;
  /** The requested output length (`outputSize[axis]`), if any. */
  readonly outputSize: number | undefined;
}

/** What a convention resolves for one axis of a transposed convolution. */
export interface TransposeAxisResult {
  /** Elements cropped from the start of the full scatter result (negative: zeros added). */
  readonly padBegin: number;
  /** Likewise at the end, before `outputPadding` is added back. */
  readonly padEnd: number;
  readonly outputPadding: number;
  readonly outputSize: number;
}

/** One spatial axis of a convolution, before a padding convention decides its pads. */
export interface ConvAxis {
  readonly axis: number;
  readonly input: number;
  readonly kernel: number;
  readonly stride: number;
  readonly dilation: number;
}

/** The pads a convention gives one axis of a convolution. */
export interface ConvAxisPads {
  readonly padBegin: number;
  readonly padEnd: number;
}

/** The dilated kernel extent `dilation·(kernel − 1) + 1`. */
export const dilatedKernel = (axis: { kernel: number; dilation: number }): number =>
  axis.dilation * (axis.kernel - 1) + 1;

/** Floor division (for the crop of a negative total, which extends the output). */
export const floorDiv = (a: number, b: number): number => Math.floor(a / b);

/**
 * The result of a padding word's axis: its end pad is what remains of the full scatter result
 * (plus output padding) after the crop at the start and the length, computed exactly.
 */
export function wordTransposeAxis(
  axis: TransposeAxis,
  padBegin: number,
  outputPadding: number,
  outputSize: number,
): TransposeAxisResult {
  const full = (axis.input - 1) * axis.stride + axis.dilation * (axis.kernel - 1) + 1;
  const padEnd = Number(BigInt(full) + BigInt(outputPadding) - BigInt(padBegin) - BigInt(outputSize));
  return { padBegin, padEnd, outputPadding, outputSize };
}

/**
 * The total padding that makes a convolution's output `ceil(n / s)`, split with the odd element at
 * the end (`'same'`, `'same-upper'`) or at the beginning (`'same-lower'`).
 */
export function sameConvPads(axis: ConvAxis, word: 'same' | 'same-upper' | 'same-lower'): ConvAxisPads {
  const { input: n, stride: s } = axis;
  const out = Math.ceil(n / s);
  const exactTotal =
    BigInt(out - 1) * BigInt(s) + BigInt(axis.dilation) * BigInt(axis.kernel - 1) + 1n - BigInt(n);
  const total = exactInteger(
    exactTotal > 0n ? exactTotal : 0n,
    `dilation[${axis.axis}]`,
    `the '${word}' padding`,
  );
  const half = Math.floor(total / 2);
  const padBegin = word === 'same-lower' ? total - half : half;
  return { padBegin, padEnd: total - padBegin };
}
