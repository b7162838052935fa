import type { Tensor } from '@tconv/core';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
// the same model writer the conformance fixtures use (protobufjs + onnx-proto)
import { convTransposeModel } from '../../../../packages/conformance/scripts/onnx-model.mjs';
import type { Engine } from '../engine';
import type { Workload } from '@tconv/testing';

function attributes(w: Workload): Record<string, number | number[]> {
  const rank = w.input.length - 2;
  const o = w.options;
  const per = (v: number | readonly number[] | undefined, d: number) =>
    v === undefined
      ? new Array<number>(rank).fill(d)
      : typeof v === 'number'
        ? new Array<number>(rank).fill(v)
        : [...v];
  return {
    strides: per(o.stride, 1),
    pads: [...per(o.padding, 0), ...per(o.padding, 0)],
    dilations: per(o.dilation, 1),
    output_padding: per(o.outputPadding, 0),
    group: o.groups ?? 1,
    kernel_shape: w.weight.slice(2),
  };
}

type Ort = typeof ortNode;

function ortEngine(name: string, ort: Ort, threads: number, sessionOptions: object): Engine {
  return {
    name,
    threads,
    supports: () => true,
    async prepare(w: Workload, x: Tensor, weight: Tensor) {
      const model = convTransposeModel(attributes(w), w.input, w.weight);
      const session = await ort.InferenceSession.create(model, sessionOptions);
      const feeds = {
        X: new ort.Tensor('float32', x.data as Float32Array, [...w.input]),
        W: new ort.Tensor('float32', weight.data as Float32Array, [...w.weight]),
      };
      return {
        async run() {
          await session.run(feeds);
        },
        async output() {
          const { Y } = await session.run(feeds);
          return Y!.data as Float32Array;
        },
        async dispose() {
          await session.release();
        },
      };
    },
  };
}

/** onnxruntime-node (native CPU) on 1 and 2 intra-op threads, and onnxruntime-web (wasm, 1 thread). */
export function onnxruntimeEngines(): Engine[] {
  ortWeb.env.wasm.numThreads = 1;
  ortWeb.env.wasm.proxy = false;
  const common = { interOpNumThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential' };
  return [
    ortEngine('onnxruntime-node', ortNode, 1, { ...common, intraOpNumThreads: 1 }),
    ortEngine('onnxruntime-node', ortNode, 2, { ...common, intraOpNumThreads: 2 }),
    ortEngine('onnxruntime-web', ortWeb as unknown as Ort, 1, { executionProviders: ['wasm'] }),
  ];
}
