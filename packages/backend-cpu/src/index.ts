export { cpuBackend } from './backend';
export { referenceConv, referenceConvTranspose } from './reference';
export { releaseScratch, scratchBytes } from './scratch';
