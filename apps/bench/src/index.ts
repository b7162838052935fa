export type { Engine, Prepared } from './engine';
export { allEngines } from './engines';
export { wrongEngine } from './engines/wrong';
export { markdownReport } from './report-markdown';
export { svgChart } from './report-svg';
export type { BenchOptions, BenchResult, Row } from './run';
export { runBench } from './run';
export type { Workload } from '@tconv/testing';
export { TINY, WORKLOADS } from '@tconv/testing';
