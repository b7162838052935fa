export type { WasmBackend, WasmBackendOptions } from './backend';
export { createWasmBackend, MIN_THREADED_FLOPS, wasmBackend } from './backend';
export type { KernelGeometry, KernelLayout } from './kernel-runner';
export { COLS_ELEMENTS } from './kernel-runner';
export { MAX_WASM_BYTES } from './limits';
export type { WasmSource } from './module';
export { compileWasm, wasmBytes } from './module';
