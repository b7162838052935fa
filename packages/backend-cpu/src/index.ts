export type { CpuBackendOptions, WithGradients } from './backend';
export { cpuBackend } from './backend';
export { createCpuBackend } from './backend';
export type { ConvTransposeKernel } from './kernel-choice';
export { referenceConv, referenceConvTranspose } from './reference';
export { releaseScratch, scratchBytes } from './scratch';
