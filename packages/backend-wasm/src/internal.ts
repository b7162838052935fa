// The internals other workspace packages and this package's tests reach (the `./internal`
// subpath): kernel choice, layouts and the parameter schema. Not part of the public API.
export type { ThreadSplit, WasmConvTransposeKernel } from './kernel-choice';
export type { KernelFeatures } from './kernel-choice';
export {
  COPY_BOUND_MAX_FLOPS_PER_WEIGHT,
  COPY_FLOPS_PER_FLOAT,
  copyBoundSplit,
  forwardSplit,
  convTransposeCandidates,
  KERNEL_DECISIONS,
  kernelFeatures,
  kernelForFeatures,
  MAX_CALIBRATION_CANDIDATES,
  splitThresholds,
} from './kernel-choice';
export {
  COLS_ELEMENTS,
  convTransposeKernel,
  KERNELS,
  lanesSplit,
  MIN_THREADED_CHANNELS,
  MIN_THREADED_FLOPS,
  PANEL_ELEMENTS,
  PHASES_MIN_OUT_CHANNELS,
  MAX_PHASE_IMBALANCE,
  PHASES_MIN_POSITIONS,
  RESIDUE_BLOCK,
  residueRanges,
  THIN_MAX_CHANNELS,
  threadSplit,
} from './kernel-choice';
export type { Job, KernelEntry, Part } from './layout';
export { inputChannelRanges } from './layout';
export type { BlockName, BlockSchema } from './param-layout';
export { assemblyScriptConstants, BLOCKS, layoutChecksum, wordIndex } from './param-layout';
export type { PhasePlan } from './phase-plan';
export { phasePlan } from './phase-plan';
export { planBackward, planForward, WORKER_COPY_MIN_FLOATS } from './plan';
export type { WorkerPool } from './threads';
export { createWorkerPool } from './threads';
