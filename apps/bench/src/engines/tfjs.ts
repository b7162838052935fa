import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Tensor } from '@tconv/core';
import { kernelToKerasTranspose, toChannelsFirst, toChannelsLast } from '@tconv/core';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { Engine } from '../engine';
import type { Workload } from '@tconv/testing';

const require = createRequire(import.meta.url);

function supports(w: Workload): true | string {
  const rank = w.input.length - 2;
  if (rank !== 2 && rank !== 3) return `tfjs has no ${rank}D transposed convolution`;
  if ((w.options.groups ?? 1) !== 1) return 'tfjs conv2dTranspose has no groups';
  if ((w.options.dilation ?? 1) !== 1) return 'tfjs conv2dTranspose has no dilation';
  if (rank === 3 && w.options.padding !== 0) return "tfjs conv3dTranspose takes only 'same'/'valid' padding";
  return true;
}

/** TensorFlow.js with the given backend ('cpu' or 'wasm'): conv2dTranspose / conv3dTranspose, NHWC. */
export function tfjsEngine(backend: 'cpu' | 'wasm'): Engine {
  return {
    name: `tfjs-${backend}`,
    threads: 1,
    supports,
    async prepare(w: Workload, x: Tensor, weight: Tensor) {
      if (backend === 'wasm')
        setWasmPaths(
          `${join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist')}/`,
        );
      await tf.setBackend(backend);
      await tf.ready();
      // layouts converted here, outside the timed region: NHWC input, [...k, out, in] filter
      const xl = toChannelsLast(x);
      const wl = kernelToKerasTranspose(weight);
      const rank = w.input.length - 2;
      const cout = w.weight[1]!;
      const s = w.options.stride;
      const p = w.options.padding;
      const op = typeof w.options.outputPadding === 'number' ? w.options.outputPadding : 0;
      const spatial = w.input.slice(2).map((n, a) => (n - 1) * s - 2 * p + w.weight[2 + a]! + op);
      const xt = tf.tensor(xl.data as Float32Array, [...xl.shape]);
      const wt = tf.tensor(wl.data as Float32Array, [...wl.shape]);
      const outShape = [w.input[0]!, ...spatial, cout];
      const call = () =>
        rank === 2
          ? tf.conv2dTranspose(
              xt as tf.Tensor4D,
              wt as tf.Tensor4D,
              outShape as [number, number, number, number],
              s,
              p,
            )
          : tf.conv3dTranspose(
              xt as tf.Tensor5D,
              wt as tf.Tensor5D,
              outShape as [number, number, number, number, number],
              s,
              'valid',
            );
      return {
        async run() {
          const y = call();
          await y.data();
          y.dispose();
        },
        async output() {
          const y = call();
          const data = (await y.data()) as Float32Array;
          y.dispose();
          return toChannelsFirst({ shape: outShape, data }).data as Float32Array;
        },
        dispose() {
          xt.dispose();
          wt.dispose();
        },
      };
    },
  };
}
