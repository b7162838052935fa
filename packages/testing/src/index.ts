export type { Problem } from './random';
export { problemArb, randomData, resolveProblem } from './random';
export type { ReferenceOp } from './rounding';
export { expectWithinRounding, unitRoundoff } from './rounding';
export type { Workload } from './workloads';
export { TINY, WORKLOADS, workloadTensors } from './workloads';
export type { OverflowCase } from './overflow';
export type { SpecialValueCase } from './overflow';
export { OVERFLOW_CASES, overflowProblem, specialValueCases } from './overflow';
