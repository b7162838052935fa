import type { Backend } from '@tconv/core';
import { cpuBackend } from '@tconv/backend-cpu';
import { MAX_CALIBRATION_CANDIDATES as CPU_CANDIDATES } from '@tconv/backend-cpu/internal';
import { countNonzeros, MAX_NONZEROS, prepareSparseConvTranspose } from '@tconv/backend-sparse';
import type { WasmBackend } from '@tconv/backend-wasm';
import { createWasmBackend } from '@tconv/backend-wasm';
import { MAX_CALIBRATION_CANDIDATES as WASM_CANDIDATES } from '@tconv/backend-wasm/internal';
import { adjointGeometry, CALIBRATION_ROUNDS, resolveConvTranspose } from '@tconv/core';
import type { Engine } from '../engine';
import type { EngineFeatures } from '../row';

/**
 * Calls a backend makes on a layer before timing, in `prepare`: enough for its calibration to
 * explore every candidate ({@link CALIBRATION_ROUNDS} timed calls of each of its kernels, and for
 * wasm of the two thread splits), so the timed calls (and the correctness gate) run what it
 * committed to.
 */
export function explorationCalls(candidates: number): number {
  return CALIBRATION_ROUNDS * candidates;
}

/** Wraps a tconv backend as an engine; `prepare` makes `warmUpCalls` calls (calibration). */
export function backendEngine(
  name: string,
  backend: Backend,
  threads: number,
  dispose?: () => Promise<void>,
  warmUpCalls = 0,
): Engine {
  return {
    name,
    threads,
    supports: () => true,
    async prepare(w, x, weight) {
      for (let i = 0; i < warmUpCalls; i++) await backend.convTranspose(x, weight, w.options);
      return {
        async run() {
          await backend.convTranspose(x, weight, w.options);
        },
        async output() {
          return (await backend.convTranspose(x, weight, w.options)).data as Float32Array;
        },
      };
    },
    dispose,
  };
}

/** The sparse backend's prepared operator: W is built in `prepare`, the timed call is Wᵀ·x. */
export const sparseEngine: Engine = {
  name: 'tconv-sparse (prepared)',
  threads: 1,
  supports(w) {
    const nnz = countNonzeros(adjointGeometry(resolveConvTranspose(w.input, w.weight, w.options)));
    return nnz <= MAX_NONZEROS
      ? true
      : `W would have ${(nnz / 1e6).toFixed(0)} M nonzeros, over the ${MAX_NONZEROS / 2 ** 20} Mi limit`;
  },
  async prepare(w, x, weight) {
    const op = prepareSparseConvTranspose(w.input, weight, w.options);
    return {
      async run() {
        op.apply(x);
      },
      async output() {
        return op.apply(x).data as Float32Array;
      },
    };
  },
};

/** What a tconv-wasm backend runs with: SIMD kernels, its build (relaxed or exact), its threads. */
export const wasmFeatures = (b: WasmBackend): EngineFeatures => ({
  threads: b.threads,
  simd: true,
  relaxedSimd: b.relaxedSimd,
});

/** Every tconv engine: cpu, sparse (prepared), wasm on 1 and 2 threads. */
export async function tconvEngines(): Promise<Engine[]> {
  const wasm1 = await createWasmBackend();
  const wasm2 = await createWasmBackend({ threads: 2 });
  const calls = explorationCalls(WASM_CANDIDATES);
  return [
    backendEngine('tconv-cpu', cpuBackend, 1, undefined, explorationCalls(CPU_CANDIDATES)),
    sparseEngine,
    { ...backendEngine('tconv-wasm', wasm1, 1, undefined, calls), features: () => wasmFeatures(wasm1) },
    {
      ...backendEngine('tconv-wasm', wasm2, wasm2.threads, () => wasm2.dispose(), calls),
      features: () => wasmFeatures(wasm2),
    },
  ];
}
