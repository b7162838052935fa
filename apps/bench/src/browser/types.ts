/** One row of the browser benchmark: as the Node bench's rows, with the runtime instead of threads. */
export interface BrowserRow {
  workload: string;
  /** Engine name; WebAssembly engines carry their thread count (`tconv-wasm 2t`). */
  engine: string;
  runtime: 'WebGPU' | 'WebAssembly';
  medianMs: number | null;
  minMs: number | null;
  maxMs: number | null;
  runs: number;
  gflops: number | null;
  mflop: number;
  /** The output agreed with the definition (checked before timing). */
  ok: boolean;
  note?: string;
  maxError?: number;
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
  rows: BrowserRow[];
}

/** `apps/bench/results/browser.json`. */
export interface BrowserBenchResult extends PageResult {
  date: string;
  machine: { cpus: string; cores: number; memoryGiB: number; node: string; platform: string };
  quick: boolean;
}
