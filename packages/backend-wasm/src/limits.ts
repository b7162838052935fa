// What the WebAssembly kernels can hold, and the checks that keep every call inside it.
import type { ConvGeometry, ConvTransposeGeometry } from '@tconv/core';
import { checkGeometryIndices, LimitError } from '@tconv/core';

/**
 * The most linear memory one call may use: 1 GiB (operands, outputs and scratch). Larger problems
 * are a `LimitError` before anything is copied or grown.
 */
export const MAX_WASM_BYTES = 2 ** 30;

/**
 * The largest size, stride, dilation, pad or derived position the kernels accept: 2^29 − 1. They
 * hold geometry in `i32` and form sums of up to four such quantities (a position plus a tap offset
 * plus a stride, rounded divisions), so each stays under a quarter of 2^31.
 */
export const MAX_WASM_INDEX = 2 ** 29 - 1;

/**
 * Proves that every size, stride, dilation, pad and index a kernel derives from `g` fits the
 * kernels' `i32` arithmetic ({@link MAX_WASM_INDEX}), or throws core's `LimitError` naming the
 * parameter, before anything is planned.
 */
export function checkWasmGeometry(g: ConvTransposeGeometry | ConvGeometry): void {
  checkGeometryIndices(g, MAX_WASM_INDEX, 'wasm', 'int32 kernels, each index at most 2^29 − 1');
}

/** Throws a `LimitError` when a call would need more than {@link MAX_WASM_BYTES} of linear memory. */
export function checkMemory(end: number): void {
  if (end > MAX_WASM_BYTES) {
    throw new LimitError(
      'LIMIT_EXCEEDED',
      'input',
      `the problem needs ${end} bytes of WebAssembly memory, more than the limit of ${MAX_WASM_BYTES}`,
    );
  }
}
