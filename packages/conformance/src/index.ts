export { divergenceCases } from './cases/divergences';
export { documentCases } from './cases/documents';
export { dtypeCases } from './cases/dtypes';
export { errorCases } from './cases/errors';
export { fixtureCases } from './cases/fixtures';
export { gradientCases } from './cases/gradients';
export { propertyCases } from './cases/properties';
export { shapeCases } from './cases/shapes';
export type { Tolerance } from './compare';
export { EXACT, expectClose, expectTensor, MismatchError, seeded } from './compare';
export { DOCS } from './define';
export {
  kitConv,
  kitConvBackward,
  kitConvTranspose,
  kitConvTransposeBackward,
  referenceBackend,
} from './reference';
export type { RunOptions } from './run';
export { all, cases, DEFAULT_CASE_TIMEOUT_MS, outsideCapabilities, runConformance } from './run';
export type {
  CaseNeeds,
  ConformanceCase,
  ConformanceReport,
  ConformanceResult,
  GradientMethod,
  KitCase,
} from './types';
