/**
 * The most linear memory one call may use: 1 GiB (operands, output and the column buffer).
 * Larger problems are a `LimitError` before anything is copied or grown.
 */
export const MAX_WASM_BYTES = 2 ** 30;
