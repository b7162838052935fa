export { sparseBackend } from './backend';
export type { ConvIndexMap, ConvolutionMatrix } from './convolution-matrix';
export {
  buildConvolutionMatrix,
  convolutionMatrix,
  countNonzeros,
} from './convolution-matrix';
export type { CsrArrays, CsrMatrix, SparseMatrix } from './csr';
export { csrMatrix, csrMultiplyInto, csrMultiplyTransposedInto } from './csr';
export { MAX_DENSE_CELLS, MAX_NONZEROS } from './limits';
export type { SparseOperator } from './operator';
export { prepareSparseConv, prepareSparseConvTranspose } from './operator';
