/**
 * The most nonzeros a convolution matrix may have: 2^26 (67,108,864), i.e. 512 MiB of float32
 * values and column indices. The count is computed exactly from the geometry before anything is
 * built; larger operators are a `LimitError`.
 */
export const MAX_NONZEROS = 2 ** 26;

/** The most cells `toDense()` prints: 2^16 (e.g. 256 × 256). Larger matrices are not meant to be read. */
export const MAX_DENSE_CELLS = 2 ** 16;
