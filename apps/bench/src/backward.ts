/**
 * The backward benchmark: input + weight gradients of each workload's transposed convolution beside
 * its forward, on the tconv backends that have `convTransposeBackward` and on TensorFlow.js' cpu and
 * wasm backends (`tf.grads` of `conv2dTranspose` / `conv3dTranspose`), in one run. Identical seeded
 * inputs and output gradient for every engine; every engine's gradients are checked against
 * `cpuBackend`'s (whose gradients the conformance kit and its unit tests check against PyTorch and
 * the definition) before timing. FLOPs of a backward = 2 × the forward's (one product per pair for
 * ∂input, one for ∂weight).
 */
import { cpuBackend } from '@tconv/backend-cpu';
import { MAX_CALIBRATION_CANDIDATES as CPU_CANDIDATES } from '@tconv/backend-cpu/internal';
import { countNonzeros, MAX_NONZEROS, prepareSparseConvTranspose } from '@tconv/backend-sparse';
import { createWasmBackend } from '@tconv/backend-wasm';
import { MAX_CALIBRATION_CANDIDATES as WASM_CANDIDATES } from '@tconv/backend-wasm/internal';
import type { Backend, Tensor } from '@tconv/core';
import {
  adjointGeometry,
  convTransposeOutputShape,
  geometryFlops,
  kernelFromKerasTranspose,
  kernelToKerasTranspose,
  resolveConvTranspose,
  seeded,
  shapeSize,
  tensor,
  toChannelsFirst,
  toChannelsLast,
} from '@tconv/core';
import { tfjsCpuPeer, tfjsPlan, tfjsWasmPeer } from '@tconv/peers';
import type { Workload } from '@tconv/testing';
import { workloadTensors } from '@tconv/testing';
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core's Node bundle registers no gradients (the union package @tensorflow/tfjs does): this
// module registers them into tfjs' global gradient registry (bundled by tsup, see tsup.config.ts).
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import {
  guarded,
  LOOP_BURST,
  LOOP_ROUNDS,
  MIN_ROUNDS,
  measure,
  measureBursts,
  measureInterleaved,
} from './measure';
import type { EngineFeatures } from './row';
import { failureNote } from './row';
import { explorationCalls, wasmFeatures } from './engines/tconv';

/** The gradients an engine computes, in tconv's layouts (NC…, `[Cin, Cout/groups, ...k]`). */
interface GradientRun {
  /** Timed: forward only. */
  forward(): Promise<void>;
  /** Timed: input + weight gradients. */
  backward(): Promise<void>;
  /** Not timed: the gradients, for the gate. */
  gradients(): Promise<{ input: Float32Array; weight: Float32Array }>;
  dispose?(): void;
}

/** One engine of the backward benchmark. */
export interface GradientEngine {
  readonly name: string;
  readonly threads: number;
  /** `true`, or why not (`n/a: …`). */
  supports(w: Workload): true | string;
  prepare(w: Workload, x: Tensor, weight: Tensor, gy: Tensor): Promise<GradientRun>;
  dispose?(): Promise<void> | void;
  /** What the engine runs with (threads it really got, SIMD builds), for the run's record. */
  features?(): EngineFeatures;
}

function backendEngine(
  name: string,
  backend: Backend,
  threads: number,
  dispose?: () => void,
  warmUpCalls = 0,
): GradientEngine {
  return {
    name,
    threads,
    supports: () =>
      typeof backend.convTransposeBackward === 'function' ? true : 'the backend has no convTransposeBackward',
    async prepare(w, x, weight, gy) {
      const grads = () => backend.convTransposeBackward!(gy, x, weight, w.options);
      // the forward's kernel calibration explores on these (convTransposeBackward has no kernel
      // choice to calibrate: its input gradient is a convolution)
      for (let i = 0; i < warmUpCalls; i++) await backend.convTranspose(x, weight, w.options);
      return {
        async forward() {
          await backend.convTranspose(x, weight, w.options);
        },
        async backward() {
          await grads();
        },
        async gradients() {
          const d = await grads();
          return { input: d.input.data as Float32Array, weight: d.weight.data as Float32Array };
        },
      };
    },
    ...(dispose ? { dispose } : {}),
  };
}

/** The sparse backend's prepared operator: W built outside the timing; forward Wᵀ·x, backward W·gy and ∂w from W's nonzeros. */
const sparseEngine: GradientEngine = {
  name: 'tconv-sparse (prepared)',
  threads: 1,
  supports(w) {
    const nnz = countNonzeros(adjointGeometry(resolveConvTranspose(w.input, w.weight, w.options)));
    return nnz <= MAX_NONZEROS ? true : `W would have ${(nnz / 1e6).toFixed(0)} M nonzeros, over the limit`;
  },
  async prepare(w, x, weight, gy) {
    const op = prepareSparseConvTranspose(w.input, weight, w.options);
    return {
      async forward() {
        op.apply(x);
      },
      async backward() {
        op.backward(gy, x);
      },
      async gradients() {
        const d = op.backward(gy, x);
        return { input: d.input.data as Float32Array, weight: d.weight.data as Float32Array };
      },
    };
  },
};

/** The kernels `tf.grads` of a transposed convolution needs on a backend, and the op's own gradient. */
const TFJS_GRADIENT_KERNELS = {
  conv2dTranspose: { op: 'Conv2DBackpropInput', kernels: ['Conv2D', 'Conv2DBackpropFilter'] },
  conv3dTranspose: { op: 'Conv3DBackpropInputV2', kernels: ['Conv3D', 'Conv3DBackpropFilterV2'] },
} as const;

/** `tf.grads` of tfjs' transposed convolution on one of its backends (registered by `@tconv/peers`). */
function tfjsEngine(name: string, backend: 'cpu' | 'wasm', init: () => unknown): GradientEngine {
  let ready = false;
  return {
    name,
    threads: 1,
    supports(w) {
      try {
        tfjsPlan(name, 'convTranspose', w.input, w.weight, w.options);
        return true;
      } catch (e) {
        return (e as Error).message;
      }
    },
    async prepare(w, x, weight, gy) {
      if (!ready) {
        init(); // the peer registers the backend (and, for wasm, where its .wasm files are)
        ready = true;
      }
      if (tf.getBackend() !== backend && !(await tf.setBackend(backend)))
        throw new Error(`tfjs ${backend} failed`);
      await tf.ready();
      const plan = tfjsPlan(name, 'convTranspose', w.input, w.weight, w.options);
      const need = TFJS_GRADIENT_KERNELS[plan.op as keyof typeof TFJS_GRADIENT_KERNELS];
      if (!need) throw new Error(`no transposed op ${plan.op}`);
      if (!tf.getGradient(need.op)) throw new Error(`n/a: tfjs registers no gradient for ${need.op}`);
      const missing = need.kernels.filter((k) => !tf.getKernel(k, backend));
      if (missing.length > 0)
        throw new Error(`n/a: not registered on tfjs-${backend}: ${missing.join(', ')}`);
      const xl = toChannelsLast(x);
      const wl = kernelToKerasTranspose(weight);
      const gl = toChannelsLast(gy);
      const xt = tf.tensor(Float32Array.from(xl.data), [...xl.shape], 'float32');
      const wt = tf.tensor(Float32Array.from(wl.data), [...wl.shape], 'float32');
      const dy = tf.tensor(Float32Array.from(gl.data), [...gl.shape], 'float32');
      const f = (a: tf.Tensor, b: tf.Tensor): tf.Tensor =>
        plan.op === 'conv2dTranspose'
          ? tf.conv2dTranspose(
              a as tf.Tensor4D,
              b as tf.Tensor4D,
              plan.outShape as never,
              plan.strides as never,
              plan.pad as never,
            )
          : tf.conv3dTranspose(
              a as tf.Tensor5D,
              b as tf.Tensor5D,
              plan.outShape as never,
              plan.strides as never,
              plan.pad as never,
            );
      const g = tf.grads(f);
      const both = () => g([xt, wt], dy);
      return {
        async forward() {
          const y = f(xt, wt);
          await y.data();
          y.dispose();
        },
        async backward() {
          const [dx, dw] = both();
          await Promise.all([dx!.data(), dw!.data()]);
          dx!.dispose();
          dw!.dispose();
        },
        async gradients() {
          const [dx, dw] = both();
          const input = toChannelsFirst(tensor(Float32Array.from(await dx!.data()), dx!.shape));
          const weightGrad = kernelFromKerasTranspose(tensor(Float32Array.from(await dw!.data()), dw!.shape));
          dx!.dispose();
          dw!.dispose();
          return { input: input.data as Float32Array, weight: weightGrad.data as Float32Array };
        },
        dispose() {
          xt.dispose();
          wt.dispose();
          dy.dispose();
        },
      };
    },
  };
}

/** Every engine of the backward benchmark: tconv cpu, sparse (prepared) and wasm (1 and 2 threads), tfjs cpu and wasm. */
export async function gradientEngines(): Promise<GradientEngine[]> {
  const wasm1 = await createWasmBackend();
  const wasm2 = await createWasmBackend({ threads: 2 });
  return [
    backendEngine('tconv-cpu', cpuBackend, 1, undefined, explorationCalls(CPU_CANDIDATES)),
    sparseEngine,
    {
      ...backendEngine('tconv-wasm', wasm1, 1, undefined, explorationCalls(WASM_CANDIDATES)),
      features: () => wasmFeatures(wasm1),
    },
    {
      ...backendEngine(
        'tconv-wasm',
        wasm2,
        wasm2.threads,
        () => void wasm2.dispose?.(),
        explorationCalls(WASM_CANDIDATES),
      ),
      features: () => wasmFeatures(wasm2),
    },
    tfjsEngine('tfjs-cpu', 'cpu', tfjsCpuPeer),
    tfjsEngine('tfjs-wasm', 'wasm', tfjsWasmPeer),
  ];
}

/** An engine whose gate call is slower than this (ms) gets one timed backward call, not ≥ 3. */
const SLOW_MS = 2000;

/** One timed call, as a {@link measure} result. */
async function once(run: () => Promise<void>): Promise<{ median: number }> {
  const t0 = performance.now();
  await run();
  return { median: performance.now() - t0 };
}

/** One row: an engine's forward and backward on a workload. */
export interface GradientRow {
  workload: string;
  engine: string;
  threads: number;
  /** Forward FLOPs, millions (the backward does twice as many). */
  mflop: number;
  forwardMs: number | null;
  backwardMs: number | null;
  /** GFLOP/s of the backward (2 × forward FLOPs / its median). */
  backwardGflops: number | null;
  /** backwardMs / forwardMs. */
  ratio: number | null;
  /**
   * For an engine timed on 1 and 2 threads: the median backward, ms, timed interleaved with its
   * other thread form (turns alternating, {@link measureInterleaved}), so the pair's ratio is of one
   * moment's machine.
   */
  pairMs?: number;
  /** The same pair back to back (bursts alternating, threads never idle, {@link measureBursts}), ms. */
  loopMs?: number;
  ok: boolean;
  note?: string;
}

function maxRelative(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let scale = 0;
  let err = 0;
  for (let i = 0; i < b.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]!));
    const e = Math.abs(a[i]! - b[i]!);
    if (!(e <= err)) err = Number.isNaN(e) ? Number.POSITIVE_INFINITY : e;
  }
  return err / Math.max(scale, 1e-30);
}

/**
 * Runs every engine on every workload: forward and backward timed back to back (median of ≥ 3 runs
 * and ≥ 0.4 s; one run for an engine over 2 s per call), gradients checked against `cpuBackend`'s (1e-4 of each gradient's scale).
 */
export async function runGradientBench(
  workloads: readonly Workload[],
  engines: readonly GradientEngine[],
  onRow?: (row: GradientRow) => void,
): Promise<GradientRow[]> {
  const rows: GradientRow[] = [];
  for (const w of workloads) {
    const { input: x, weight } = workloadTensors(w);
    const ys = convTransposeOutputShape(w.input, w.weight, w.options);
    const gy = tensor(seeded(shapeSize(ys), 3), ys);
    const mflop = geometryFlops(resolveConvTranspose(w.input, w.weight, w.options)) / 1e6;
    const truth = cpuBackend.convTransposeBackward(gy, x, weight, w.options);
    // the runs of engines timed on 1 and 2 threads, kept until the workload's pairs are timed
    const kept: { row: GradientRow; run: GradientRun }[] = [];
    for (const e of engines) {
      const base = { workload: w.name, engine: e.name, threads: e.threads, mflop };
      const empty = { forwardMs: null, backwardMs: null, backwardGflops: null, ratio: null };
      let row: GradientRow;
      const support = e.supports(w);
      if (support !== true) row = { ...base, ...empty, ok: false, note: `n/a: ${support}` };
      else {
        try {
          const run = await e.prepare(w, x, weight, gy);
          const t0 = performance.now();
          const d = await run.gradients();
          // an engine this slow (tfjs-cpu's filter gradient: seconds per call) gets one timed call
          const slow = performance.now() - t0 > SLOW_MS;
          const errX = maxRelative(d.input, truth.input.data as Float32Array);
          const errW = maxRelative(d.weight, truth.weight.data as Float32Array);
          if (!(errX <= 1e-4 && errW <= 1e-4)) {
            row = {
              ...base,
              ...empty,
              ok: false,
              note: `disagrees with cpuBackend (∂x ${errX.toExponential(1)}, ∂w ${errW.toExponential(1)} of scale)`,
            };
          } else {
            // slow: the gate's call was the warm-up; one timed call each. Else forward and backward
            // interleaved, so the ratio is of one moment's machine (measureInterleaved)
            const [f, b]: { median: number }[] = slow
              ? [await measure(() => run.forward(), 0, 1, 1), await once(() => run.backward())]
              : await measureInterleaved([() => run.forward(), () => run.backward()], 400, MIN_ROUNDS, 30);
            row = {
              ...base,
              forwardMs: f!.median,
              backwardMs: b!.median,
              backwardGflops: (2 * mflop) / b!.median,
              ratio: b!.median / f!.median,
              ok: true,
              ...(slow ? { note: 'one timed backward call (over 2 s per call)' } : {}),
            };
          }
          if (row.ok && !slow && hasThreadSibling(e, engines)) kept.push({ row, run });
          else run.dispose?.();
        } catch (err) {
          const message = err instanceof Error ? err.message.split('\n')[0]! : String(err);
          row = {
            ...base,
            ...empty,
            ok: false,
            note: message.startsWith('n/a') ? message : `failed: ${message}`,
          };
        }
      }
      rows.push(row);
      onRow?.(row);
    }
    try {
      await timeThreadPairs(kept);
    } finally {
      for (const { run } of kept) run.dispose?.();
    }
  }
  return rows;
}

/** Whether `e` has a form on the other of 1 and 2 threads among `engines` (same name). */
function hasThreadSibling(e: GradientEngine, engines: readonly GradientEngine[]): boolean {
  return (
    (e.threads === 1 || e.threads === 2) &&
    engines.some((o) => o.name === e.name && o.threads === 3 - e.threads)
  );
}

/**
 * Each engine timed on 1 and 2 threads (both ok) has its two backwards timed again side by side:
 * interleaved (`pairMs`) and back to back (`loopMs`), written into its rows, as the forward run
 * times an engine's thread forms (run.ts).
 */
async function timeThreadPairs(kept: readonly { row: GradientRow; run: GradientRun }[]): Promise<void> {
  for (const one of kept) {
    if (one.row.threads !== 1) continue;
    const two = kept.find((k) => k.row.engine === one.row.engine && k.row.threads === 2);
    if (!two) continue;
    // a call that fails here leaves both rows with their own timings and a note, no pair figures
    const { runs, failures } = guarded([() => one.run.backward(), () => two.run.backward()]);
    const [a, b] = await measureInterleaved(runs, 400, MIN_ROUNDS, 30);
    const [la, lb] = await measureBursts(runs, LOOP_ROUNDS, LOOP_BURST);
    const failed = failures.find((f) => f !== undefined);
    if (failed !== undefined) {
      for (const r of [one.row, two.row]) r.note = `pair timing ${failureNote(failed)}`;
      continue;
    }
    Object.assign(one.row, { pairMs: a!.median, loopMs: la });
    Object.assign(two.row, { pairMs: b!.median, loopMs: lb });
  }
}

/** The rows as a Markdown table: forward and backward ms, backward/forward, backward GFLOP/s. */
export function gradientMarkdown(rows: readonly GradientRow[], machine: string): string {
  const lines = [
    `Backward (input + weight gradients) beside forward, float32, median ms — ${machine}`,
    '',
    '| workload | engine | forward ms | backward ms | backward / forward | backward GFLOP/s | note |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const f = (v: number | null, d = 2) => (v === null ? '' : v.toFixed(d));
    lines.push(
      `| ${r.workload} | ${r.engine} ${r.threads}t | ${f(r.forwardMs)} | ${f(r.backwardMs)} | ${f(r.ratio)} | ${f(r.backwardGflops)} | ${r.note ?? ''} |`,
    );
  }
  lines.push(...backwardThreadsMarkdown(rows));
  return `${lines.join('\n')}\n`;
}

/**
 * Backward on two threads ÷ one, per engine timed on both: steady calls of the two interleaved
 * (`pairMs`) / calls back to back (`loopMs`). Empty when no row has them.
 */
function backwardThreadsMarkdown(rows: readonly GradientRow[]): string[] {
  const paired = rows.filter((r) => r.threads === 1 && r.pairMs !== undefined);
  if (paired.length === 0) return [];
  const engines = [...new Set(paired.map((r) => r.engine))];
  const workloads = [...new Set(paired.map((r) => r.workload))];
  const find = (w: string, e: string, t: number) =>
    rows.find((r) => r.workload === w && r.engine === e && r.threads === t);
  const ratio = (a: number | undefined, b: number | undefined) => (a && b ? `${(a / b).toFixed(2)}×` : '–');
  const lines = [
    '',
    "Backward on two threads ÷ one, same run, the engine's two forms side by side: steady calls (interleaved, turns alternating) / calls back to back (bursts alternating, threads never idle):",
    '',
    `| workload | backward MFLOP | ${engines.join(' | ')} |`,
    `|---|---|${engines.map(() => '---').join('|')}|`,
  ];
  for (const w of workloads) {
    const cells = engines.map((e) => {
      const [one, two] = [find(w, e, 1), find(w, e, 2)];
      return `${ratio(one?.pairMs, two?.pairMs)} / ${ratio(one?.loopMs, two?.loopMs)}`;
    });
    lines.push(`| ${w} | ${(2 * find(w, engines[0]!, 1)!.mflop).toFixed(1)} | ${cells.join(' | ')} |`);
  }
  return lines;
}
