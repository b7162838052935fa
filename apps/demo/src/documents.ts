/**
 * The numbers the source documents print, quoted where they appear, so the demo can show each
 * backend's result next to the document's. Nothing here is computed: these are the documents'
 * own values.
 */

/** A matrix as rows of numbers. */
export type Matrix = readonly (readonly number[])[];

/**
 * GeeksforGeeks, "What is Transposed Convolutional Layer?", Example 1: input, kernel and the
 * PyTorch output `tensor([[[[ 0., 4., 1.], [ 8., 16., 6.], [ 4., 12., 9.]]]])`.
 */
export const GFG_EXAMPLE_1 = {
  input: [
    [0, 1],
    [2, 3],
  ],
  kernel: [
    [4, 1],
    [2, 3],
  ],
  output: [
    [0, 4, 1],
    [8, 16, 6],
    [4, 12, 9],
  ],
} as const satisfies { input: Matrix; kernel: Matrix; output: Matrix };

/** d2l 13.10.1: `X = [[0, 1], [2, 3]]`, `K = [[0, 1], [2, 3]]`. */
export const D2L_X = [
  [0, 1],
  [2, 3],
] as const satisfies Matrix;

/** d2l 13.10.1: the kernel `K`, the same numbers as `X`. */
export const D2L_K = [
  [0, 1],
  [2, 3],
] as const satisfies Matrix;

/** d2l 13.10.1, `trans_conv(X, K)`: `[[0, 0, 1], [0, 4, 6], [4, 12, 9]]`. */
export const D2L_BASIC_OUTPUT = [
  [0, 0, 1],
  [0, 4, 6],
  [4, 12, 9],
] as const satisfies Matrix;

/** d2l 13.10.2, `ConvTranspose2d(1, 1, kernel_size=2, padding=1)`: `tensor([[[[4.]]]])`. */
export const D2L_PADDING_OUTPUT = [[4]] as const satisfies Matrix;

/**
 * d2l 13.10.2, `ConvTranspose2d(1, 1, kernel_size=2, stride=2)`:
 * `[[0, 0, 0, 1], [0, 0, 2, 3], [0, 2, 0, 3], [4, 6, 6, 9]]`.
 */
export const D2L_STRIDE_OUTPUT = [
  [0, 0, 0, 1],
  [0, 0, 2, 3],
  [0, 2, 0, 3],
  [4, 6, 6, 9],
] as const satisfies Matrix;

/** d2l 13.10.3: `X = arange(9.0).reshape(3, 3)`. */
export const D2L_CORR_X = [
  [0, 1, 2],
  [3, 4, 5],
  [6, 7, 8],
] as const satisfies Matrix;

/** d2l 13.10.3: `K = [[1.0, 2.0], [3.0, 4.0]]`. */
export const D2L_CORR_K = [
  [1, 2],
  [3, 4],
] as const satisfies Matrix;

/** d2l 13.10.3: `Y = d2l.corr2d(X, K)` is `[[27, 37], [57, 67]]`. */
export const D2L_CORR_Y = [
  [27, 37],
  [57, 67],
] as const satisfies Matrix;

/** d2l 13.10.3: `W = kernel2matrix(K)`, the 4×9 matrix printed in the section. */
export const D2L_W = [
  [1, 2, 0, 3, 4, 0, 0, 0, 0],
  [0, 1, 2, 0, 3, 4, 0, 0, 0],
  [0, 0, 0, 1, 2, 0, 3, 4, 0],
  [0, 0, 0, 0, 1, 2, 0, 3, 4],
] as const satisfies Matrix;
