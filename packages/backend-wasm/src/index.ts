export type { WasmBackend, WasmBackendOptions, WasmConvTransposeKernel } from './backend';
export {
  convTransposeKernel,
  createWasmBackend,
  MIN_THREADED_FLOPS,
  PHASES_MIN_POSITIONS,
  wasmBackend,
} from './backend';
export type { KernelGeometry, OperandLayout, PartLayout } from './kernel-runner';
export { COLS_ELEMENTS } from './kernel-runner';
export { MAX_WASM_BYTES } from './limits';
export type { WasmSource } from './module';
export { compileWasm, wasmBytes } from './module';
export type { WorkerHost } from './threads';
export { workerHost } from './threads';
