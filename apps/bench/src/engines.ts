import type { Engine } from './engine';
import { peerEngines } from './engines/peers';
import { tconvEngines } from './engines/tconv';
import { wrongEngine } from './engines/wrong';

/**
 * Every engine of the benchmark: the tconv backends, then the peers of `@tconv/peers` — TensorFlow.js
 * (cpu, wasm) and ONNX Runtime (node 1 and 2 threads, web). `withWrong` adds the deliberately wrong
 * engine (TCONV_BENCH_INJECT_WRONG=1).
 */
export async function allEngines(withWrong = false): Promise<Engine[]> {
  return [...(await tconvEngines()), ...peerEngines(), ...(withWrong ? [wrongEngine] : [])];
}
