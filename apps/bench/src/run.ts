import os from 'node:os';
import { referenceConvTranspose } from '@tconv/backend-cpu';
import { geometryFlops, resolveConvTranspose } from '@tconv/core';
import type { Engine } from './engine';
import { measure } from './measure';
import type { Workload } from '@tconv/testing';
import { workloadTensors } from '@tconv/testing';

/** One row of the results. */
export interface Row {
  workload: string;
  engine: string;
  threads: number;
  /** Median wall time of one call, ms (null when not timed). */
  medianMs: number | null;
  minMs: number | null;
  maxMs: number | null;
  runs: number;
  gflops: number | null;
  mflop: number;
  /** The output agreed with the tconv reference. */
  ok: boolean;
  /** Why the engine was not timed (unsupported, failed, disagreed). */
  note?: string;
  maxError?: number;
}

/** Everything one run of the benchmark produced. */
export interface BenchResult {
  date: string;
  machine: { cpus: string; cores: number; memoryGiB: number; node: string; platform: string };
  quick: boolean;
  rows: Row[];
}

/** Options of {@link runBench}. */
export interface BenchOptions {
  workloads: readonly Workload[];
  engines: readonly Engine[];
  quick?: boolean;
  onProgress?: (row: Row, done: number, total: number) => void;
}

/**
 * Runs every engine on every workload: identical inputs for all, each engine's output checked
 * against the tconv reference before timing (a disagreeing engine is flagged, not timed).
 */
export async function runBench(options: BenchOptions): Promise<BenchResult> {
  const rows: Row[] = [];
  const total = options.workloads.length * options.engines.length;
  for (const w of options.workloads) {
    const { input: x, weight } = workloadTensors(w);
    const g = resolveConvTranspose(w.input, w.weight, w.options);
    const flops = geometryFlops(g);
    const expected = referenceConvTranspose(x, weight, w.options).data;
    let scale = 0;
    for (const v of expected) scale = Math.max(scale, Math.abs(v));
    for (const engine of options.engines) {
      const base = { workload: w.name, engine: engine.name, threads: engine.threads, mflop: flops / 1e6 };
      const empty = { medianMs: null, minMs: null, maxMs: null, runs: 0, gflops: null };
      let row: Row;
      const support = engine.supports(w);
      if (support !== true) {
        row = { ...base, ...empty, ok: false, note: `n/a: ${support}` };
      } else {
        try {
          const prepared = await engine.prepare(w, x, weight);
          const out = await prepared.output();
          let maxError = out.length === expected.length ? 0 : Number.POSITIVE_INFINITY;
          for (let i = 0; i < expected.length && maxError < Number.POSITIVE_INFINITY; i++) {
            const e = Math.abs(out[i]! - expected[i]!);
            if (!(e <= maxError)) maxError = Number.isNaN(e) ? Number.POSITIVE_INFINITY : e;
          }
          // float32 engines sum in different orders: allow 1e-4 of the output's scale
          if (!(maxError <= 1e-4 * Math.max(scale, 1e-30))) {
            row = {
              ...base,
              ...empty,
              ok: false,
              maxError,
              note: `disagrees with the reference (max error ${maxError.toExponential(2)}, scale ${scale.toExponential(2)})`,
            };
          } else {
            const t = await measure(
              () => prepared.run(),
              options.quick ? 50 : 500,
              options.quick ? 2 : 5,
              options.quick ? 5 : 30,
            );
            row = {
              ...base,
              medianMs: t.median,
              minMs: t.min,
              maxMs: t.max,
              runs: t.runs,
              gflops: flops / t.median / 1e6,
              ok: true,
              maxError,
            };
          }
          await prepared.dispose?.();
        } catch (e) {
          row = {
            ...base,
            ...empty,
            ok: false,
            note: `failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`,
          };
        }
      }
      rows.push(row);
      options.onProgress?.(row, rows.length, total);
    }
  }
  return {
    date: new Date().toISOString(),
    machine: {
      cpus: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      platform: `${os.platform()} ${os.arch()}`,
    },
    quick: options.quick ?? false,
    rows,
  };
}
