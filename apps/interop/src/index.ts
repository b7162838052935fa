export type { MatrixEngine } from './engines';
export { allEngines, controlEngines, peerEngines } from './engines';
export { explain } from './explanations';
export type { Matrix, MatrixOptions, MatrixResult, MatrixStatus } from './matrix';
export { runMatrix, statusOf } from './matrix';
export { markdownReport } from './report-markdown';
export { svgMatrix } from './report-svg';
export type { Counts } from './summary';
export { countByEngineAndGroup, failures, groupsOf } from './summary';
