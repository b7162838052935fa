// The first-call measurement of the bench: what a new user's first call on a layer costs against
// the same backend's steady state. Each row is a fresh backend in a fresh Node process (the CLI
// runs itself with --first-call-child): a backend created in a process that already ran the
// kernels would start on V8's optimized code (on its calling thread) and its memory already
// faulted in, which a user's first call does not. The child times call 1, call 2 and the median of the last calls, all on
// the same seeded inputs as the bench.
import { spawn } from 'node:child_process';
import { createCpuBackend } from '@tconv/backend-cpu';
import { KERNELS as CPU_KERNELS } from '@tconv/backend-cpu/internal';
import { createWasmBackend } from '@tconv/backend-wasm';
import { KERNELS as WASM_KERNELS } from '@tconv/backend-wasm/internal';
import type { Backend } from '@tconv/core';
import { CALIBRATION_ROUNDS } from '@tconv/core';
import type { Workload } from '@tconv/testing';
import { TINY, WORKLOADS, workloadTensors } from '@tconv/testing';
import type { FirstCallRow, FirstCallTiming } from './first-call-row';
import { firstCallRow, STEADY_CALLS } from './first-call-row';

/** A tconv backend the first-call section creates fresh for every workload. */
export interface FirstCallSpec {
  readonly engine: string;
  readonly threads: number;
  /** Calls its kernel calibration may explore before it commits (they are not the steady state). */
  readonly exploring: number;
  create(): Promise<Backend & { threads?: number; relaxedSimd?: boolean; dispose?(): Promise<void> | void }>;
}

/** The backends of the first-call section: tconv-cpu, tconv-wasm on 1 and 2 threads. */
export const FIRST_CALL_SPECS: readonly FirstCallSpec[] = [
  {
    engine: 'tconv-cpu',
    threads: 1,
    exploring: CALIBRATION_ROUNDS * CPU_KERNELS.length,
    create: async () => createCpuBackend(),
  },
  {
    engine: 'tconv-wasm',
    threads: 1,
    exploring: CALIBRATION_ROUNDS * WASM_KERNELS.length,
    create: () => createWasmBackend(),
  },
  {
    engine: 'tconv-wasm',
    threads: 2,
    exploring: CALIBRATION_ROUNDS * WASM_KERNELS.length,
    create: () => createWasmBackend({ threads: 2 }),
  },
];

/** How many calls a row makes: 2, then the calibration's, then {@link STEADY_CALLS}. */
export const callsOf = (spec: FirstCallSpec): number => Math.max(2, spec.exploring) + STEADY_CALLS;

/**
 * Creates `spec`'s backend and calls it on `w` {@link callsOf} times, timing each call (in this
 * process: the child of {@link childFirstCall}, or the tests' fresh backend in a warm process).
 */
export async function timeFirstCalls(spec: FirstCallSpec, w: Workload): Promise<FirstCallTiming> {
  const { input, weight } = workloadTensors(w);
  const t0 = performance.now();
  const backend = await spec.create();
  const createMs = performance.now() - t0;
  const callMs: number[] = [];
  try {
    for (let i = 0; i < callsOf(spec); i++) {
      const s = performance.now();
      await backend.convTranspose(input, weight, w.options);
      callMs.push(performance.now() - s);
    }
    return {
      createMs,
      callMs,
      threads: backend.threads ?? spec.threads,
      ...(backend.relaxedSimd === undefined ? {} : { relaxedSimd: backend.relaxedSimd }),
    };
  } finally {
    await backend.dispose?.();
  }
}

/** What the CLI's `--first-call-child` argument holds. */
interface ChildRequest {
  engine: string;
  threads: number;
  workload: string;
}

/** The child's side: `request` (JSON) → one line of {@link FirstCallTiming} JSON on stdout. */
export async function firstCallChild(request: string): Promise<void> {
  const r = JSON.parse(request) as ChildRequest;
  const spec = FIRST_CALL_SPECS.find((s) => s.engine === r.engine && s.threads === r.threads);
  const w = [TINY, ...WORKLOADS].find((x) => x.name === r.workload);
  if (!spec || !w)
    throw new Error(`first-call child: no ${r.engine} ${r.threads}t or workload ${r.workload}`);
  process.stdout.write(`${JSON.stringify(await timeFirstCalls(spec, w))}\n`);
}

/** The longest one child may take (the slowest row, tconv-cpu on a large layer, takes seconds). */
const CHILD_TIMEOUT_MS = 180_000;

/** Runs {@link firstCallChild} in a fresh Node process (`cli` is the bench's built cli.js). */
export function childFirstCall(cli: string): (spec: FirstCallSpec, w: Workload) => Promise<FirstCallTiming> {
  return (spec, w) =>
    new Promise((resolve, reject) => {
      const request: ChildRequest = { engine: spec.engine, threads: spec.threads, workload: w.name };
      // the parent's V8 flags too (--experimental-wasm-relaxed-simd: the child takes the same build)
      const args = [...process.execArgv, cli, '--first-call-child', JSON.stringify(request)];
      const child = spawn(process.execPath, args, {
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: CHILD_TIMEOUT_MS,
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d;
      });
      child.stderr.on('data', (d: Buffer) => {
        err += d;
      });
      child.on('error', reject);
      child.on('close', (code, signal) => {
        const last = out.trim().split('\n').pop() ?? '';
        if (code === 0 && last.startsWith('{')) resolve(JSON.parse(last) as FirstCallTiming);
        else reject(new Error(`child ${signal ?? `exit ${code}`}: ${err.trim().split('\n')[0] ?? ''}`));
      });
    });
}

/** Runs every spec on every workload through `run`, one row each (a failure is a row with a note). */
export async function runFirstCalls(
  specs: readonly FirstCallSpec[],
  workloads: readonly Workload[],
  run: (spec: FirstCallSpec, w: Workload) => Promise<FirstCallTiming>,
  onRow?: (row: FirstCallRow) => void,
): Promise<FirstCallRow[]> {
  const rows: FirstCallRow[] = [];
  for (const w of workloads) {
    for (const spec of specs) {
      const base = { workload: w.name, engine: spec.engine, threads: spec.threads };
      let row: FirstCallRow;
      try {
        row = firstCallRow(base, await run(spec, w), STEADY_CALLS);
      } catch (e) {
        row = firstCallRow(base, null, STEADY_CALLS, e);
      }
      rows.push(row);
      onRow?.(row);
    }
  }
  return rows;
}
