export { cpuBackend } from './backend';
export { convImpl } from './conv';
export type { ConvTransposeKernel } from './conv-transpose';
export { chooseConvTransposeKernel, convTransposeImpl, PHASES_MAX_INPUT } from './conv-transpose';
export { gemmTN } from './gemm';
export { referenceConv, referenceConvTranspose } from './reference';
export { releaseScratch, SCRATCH_ELEMENTS, SCRATCH_RETAIN_ELEMENTS, scratchBytes } from './scratch';
export { convTransposePhasesImpl } from './stride-phases';
