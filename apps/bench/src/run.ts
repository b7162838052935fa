import { referenceConvTranspose } from '@tconv/backend-cpu';
import { geometryFlops, resolveConvTranspose } from '@tconv/core';
import { relaxedSimdSupported } from '@tconv/backend-wasm';
import type { Engine, Prepared } from './engine';
import type { FirstCallSpec } from './first-call';
import { runFirstCalls } from './first-call';
import type { FirstCallRow, FirstCallTiming } from './first-call-row';
import { machineInfo } from './machine';
import { guarded, LOOP_BURST, LOOP_ROUNDS, MIN_ROUNDS, measureBursts, measureInterleaved } from './measure';
import { untilQuiet } from './settle';
import type { Features, Machine, RowTiming } from './row';
import {
  disagreement,
  failureNote,
  maxAbsError,
  NOT_TIMED,
  outputScale,
  timedFields,
  wasmSimdSupported,
} from './row';
import type { Workload } from '@tconv/testing';
import { workloadTensors } from '@tconv/testing';

/** One row of the results: the shared row fields and the engine's thread count. */
export interface Row extends RowTiming {
  threads: number;
}

/** Everything one run of the benchmark produced. */
export interface BenchResult {
  date: string;
  machine: Machine;
  /** The runtime's WebAssembly SIMD / relaxed SIMD, and what each engine ran with. */
  features: Features;
  quick: boolean;
  rows: Row[];
  /** Each tconv backend's first calls when fresh (absent when the run did not measure them). */
  firstCall?: { mode: string; rows: FirstCallRow[] };
}

/** How the first-call section measures: which backends, and how one fresh backend is run. */
export interface FirstCallOptions {
  specs: readonly FirstCallSpec[];
  /** `fresh process` (the CLI) or `fresh backend, same process` (the tests). */
  mode: string;
  run(spec: FirstCallSpec, w: Workload): Promise<FirstCallTiming>;
  onRow?: (row: FirstCallRow) => void;
}

/** The features of a run of `engines`: the runtime's WebAssembly SIMD levels and each engine's own. */
export function runFeatures(engines: readonly Pick<Engine, 'name' | 'threads' | 'features'>[]): Features {
  const entries = engines.map((e) => [`${e.name} ${e.threads}t`, e.features?.() ?? { threads: e.threads }]);
  return {
    wasmSimd: wasmSimdSupported(),
    wasmRelaxedSimd: relaxedSimdSupported(),
    engines: Object.fromEntries(entries),
  };
}

/** Options of {@link runBench}. */
export interface BenchOptions {
  workloads: readonly Workload[];
  engines: readonly Engine[];
  quick?: boolean;
  onProgress?: (row: Row, done: number, total: number) => void;
  /** Measures each tconv backend's first calls on every workload after the timed rows. */
  firstCall?: FirstCallOptions;
}

/**
 * The indices into `timed` of each engine's 1-thread and 2-thread forms, where both were timed
 * without a failure (same engine name in `rows`).
 */
function threadPairs(
  timed: readonly { at: number }[],
  rows: readonly Row[],
  failures: readonly unknown[],
): [number, number][] {
  const ok = (i: number) => failures[i] === undefined;
  const pairs: [number, number][] = [];
  timed.forEach((t, i) => {
    const r = rows[t.at]!;
    if (r.threads !== 1 || !ok(i)) return;
    const j = timed.findIndex(
      (u, k) => ok(k) && rows[u.at]!.engine === r.engine && rows[u.at]!.threads === 2,
    );
    if (j >= 0) pairs.push([i, j]);
  });
  return pairs;
}

/**
 * Runs every engine on every workload: identical inputs for all, each engine's output checked
 * against the tconv reference before timing (a disagreeing engine is flagged, not timed); the
 * engines that pass are then timed side by side, interleaved ({@link measureInterleaved}), and
 * an engine with 1- and 2-thread forms also back to back ({@link measureBursts}: `loopMs`).
 */
export async function runBench(options: BenchOptions): Promise<BenchResult> {
  const rows: Row[] = [];
  const total = options.workloads.length * options.engines.length;
  for (const w of options.workloads) {
    const { input: x, weight } = workloadTensors(w);
    const g = resolveConvTranspose(w.input, w.weight, w.options);
    const flops = geometryFlops(g);
    const expected = referenceConvTranspose(x, weight, w.options).data;
    const scale = outputScale(expected);
    const own: Row[] = [];
    const timed: { at: number; prepared: Prepared; maxError: number }[] = [];
    const disposeAll = async () => {
      for (const t of timed.splice(0)) await t.prepared.dispose?.();
    };
    for (const engine of options.engines) {
      const base = { workload: w.name, engine: engine.name, threads: engine.threads, mflop: flops / 1e6 };
      const support = engine.supports(w);
      if (support !== true) {
        own.push({ ...base, ...NOT_TIMED, ok: false, note: `n/a: ${support}` });
        continue;
      }
      let prepared: Prepared | null = null;
      try {
        prepared = await engine.prepare(w, x, weight);
        const out = await prepared.output();
        const maxError = maxAbsError(out, expected);
        const note = disagreement(maxError, scale);
        if (note !== undefined) {
          own.push({ ...base, ...NOT_TIMED, ok: false, maxError, note });
          await prepared.dispose?.();
        } else {
          timed.push({ at: own.length, prepared, maxError });
          own.push({ ...base, ...NOT_TIMED, ok: true, maxError });
        }
      } catch (e) {
        own.push({ ...base, ...NOT_TIMED, ok: false, note: failureNote(e) });
        await prepared?.dispose?.();
      }
    }
    // an engine whose call fails while timed is reported with the failure; the others go on
    const { runs, failures } = guarded(timed.map((t) => () => t.prepared.run()));
    const timings = await measureInterleaved(
      runs,
      options.quick ? 50 : 500,
      options.quick ? 2 : MIN_ROUNDS,
      options.quick ? 5 : 30,
      // another engine's threads still spinning would take a core from the next turn
      () => untilQuiet(),
    );
    timed.forEach((t, i) => {
      own[t.at] =
        failures[i] === undefined
          ? { ...own[t.at]!, ...timedFields(timings[i]!, flops), ok: true, maxError: t.maxError }
          : { ...own[t.at]!, ...NOT_TIMED, ok: false, note: failureNote(failures[i]) };
    });
    // an engine timed on 1 and 2 threads is also timed back to back, the two alternating
    for (const [one, two] of threadPairs(timed, own, failures)) {
      const [a, b] = await measureBursts(
        [() => timed[one]!.prepared.run(), () => timed[two]!.prepared.run()],
        options.quick ? 1 : LOOP_ROUNDS,
        options.quick ? 2 : LOOP_BURST,
      );
      own[timed[one]!.at] = { ...own[timed[one]!.at]!, loopMs: a };
      own[timed[two]!.at] = { ...own[timed[two]!.at]!, loopMs: b };
      await untilQuiet();
    }
    await disposeAll();
    for (const row of own) {
      rows.push(row);
      options.onProgress?.(row, rows.length, total);
    }
  }
  const first = options.firstCall;
  return {
    date: new Date().toISOString(),
    machine: machineInfo(),
    features: runFeatures(options.engines),
    quick: options.quick ?? false,
    rows,
    ...(first
      ? {
          firstCall: {
            mode: first.mode,
            rows: await runFirstCalls(first.specs, options.workloads, first.run, first.onRow),
          },
        }
      : {}),
  };
}
