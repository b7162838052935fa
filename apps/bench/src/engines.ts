import type { Engine } from './engine';
import { onnxruntimeEngines } from './engines/onnxruntime';
import { tconvEngines } from './engines/tconv';
import { tfjsEngine } from './engines/tfjs';
import { wrongEngine } from './engines/wrong';

/**
 * Every engine of the benchmark: the tconv backends, TensorFlow.js (cpu, wasm) and ONNX Runtime
 * (node 1 and 2 threads, web). `withWrong` adds the deliberately wrong engine (TCONV_BENCH_INJECT_WRONG=1).
 */
export async function allEngines(withWrong = false): Promise<Engine[]> {
  return [
    ...(await tconvEngines()),
    tfjsEngine('cpu'),
    tfjsEngine('wasm'),
    ...onnxruntimeEngines(),
    ...(withWrong ? [wrongEngine] : []),
  ];
}
