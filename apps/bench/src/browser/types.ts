import type { FirstCallRow } from '../first-call-row';
import type { Features, Machine, RowTiming } from '../row';

/** One row of the browser benchmark: the shared row fields, with the runtime instead of threads. */
export interface BrowserRow extends RowTiming {
  runtime: 'WebGPU' | 'WebAssembly';
}

/** What the Node side asks the page for. */
export interface PageRequest {
  quick: boolean;
  workloads?: string[];
  engines?: string[];
}

/** What the page returns. */
export interface PageResult {
  /** The WebGPU adapter's description (SwiftShader is a CPU implementation). */
  adapter: string;
  userAgent: string;
  /** The page's WebAssembly SIMD / relaxed SIMD, and what each WebAssembly engine ran with. */
  features: Features;
  rows: BrowserRow[];
  /** A fresh tconv-webgpu backend's first calls per workload (empty when the run skips it). */
  firstCall: FirstCallRow[];
}

/** `apps/bench/results/browser.json`. */
export interface BrowserBenchResult extends PageResult {
  date: string;
  machine: Machine;
  quick: boolean;
}
