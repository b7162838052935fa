/**
 * The largest number of elements tconv lets a tensor, an output or an intermediate buffer have:
 * 2^27 (134,217,728), i.e. 512 MiB of float32 or 1 GiB of float64. Well under what a typed array
 * can hold, so a mistaken geometry is a clear {@link LimitError} rather than an out-of-memory crash.
 */
export const MAX_TENSOR_ELEMENTS = 2 ** 27;
