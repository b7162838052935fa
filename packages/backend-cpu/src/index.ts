export { cpuBackend } from './backend';
export { convImpl } from './conv';
export { convTransposeImpl } from './conv-transpose';
export { gemmTN } from './gemm';
export { referenceConv, referenceConvTranspose } from './reference';
export { SCRATCH_ELEMENTS } from './scratch';
