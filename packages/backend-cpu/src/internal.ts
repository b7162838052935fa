/*
 * The CPU backend's kernels and their tuning constants, for the workspace packages that measure or
 * compare against them (the benchmark, the demo, the WebAssembly backend's tests): the
 * `@tconv/backend-cpu/internal` subpath. Not part of the public API: names and signatures may
 * change in any release.
 */
export { convImpl } from './conv';
export { convTransposeImpl, gemmTileKind, gemmTiles } from './conv-transpose';
export { gemmTN } from './gemm';
export type { ConvTransposeKernel } from './kernel-choice';
export { cpuBackendWith } from './backend';
export {
  chooseConvTransposeKernel,
  convTransposeCandidates,
  KERNELS,
  MAX_CALIBRATION_CANDIDATES,
  DIRECT_MAX_CHANNELS,
  PHASES_MAX_INPUT,
  PHASES_MAX_PANEL,
  PHASES_MIN_POSITIONS,
} from './kernel-choice';
export { SCRATCH_ELEMENTS, SCRATCH_RETAIN_ELEMENTS } from './scratch';
export { CPU_PHASE_LAYOUT, convTransposePhasesImpl } from './stride-phases';
