// The Node peers: TensorFlow.js on its cpu and wasm backends, onnxruntime-node (native CPU) and
// onnxruntime-web (WebAssembly). Each factory returns a fresh Peer; call dispose() when done.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { createOnnxRuntimePeer } from './onnxruntime';
import type { Peer } from './peer';
import { createTfjsPeer } from './tfjs';

const require = createRequire(import.meta.url);
const versionOf = (pkg: string): string => (require(`${pkg}/package.json`) as { version: string }).version;

/** TensorFlow.js on its plain-JavaScript `cpu` backend. */
export function tfjsCpuPeer(): Peer {
  return createTfjsPeer(tf, {
    backend: 'cpu',
    info: { name: 'tfjs-cpu', version: tf.version_core, runtime: 'JavaScript (Node), 1 thread' },
  });
}

/** TensorFlow.js on its `wasm` backend (XNNPACK), single-threaded in Node. */
export function tfjsWasmPeer(): Peer {
  // the .wasm files ship in the package's dist folder; Node loads them from disk
  setWasmPaths(`${join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist')}/`);
  return createTfjsPeer(tf, {
    backend: 'wasm',
    info: {
      name: 'tfjs-wasm',
      version: versionOf('@tensorflow/tfjs-backend-wasm'),
      runtime: 'WebAssembly (Node), 1 thread',
    },
  });
}

/** onnxruntime-node's native CPU execution provider on `threads` intra-op threads (default 1). */
export function onnxruntimeNodePeer(options: { threads?: number } = {}): Peer {
  const threads = options.threads ?? 1;
  return createOnnxRuntimePeer(ortNode, {
    info: {
      name: 'onnxruntime-node',
      version: ortNode.env.versions.node ?? ortNode.env.versions.common,
      runtime: `native CPU (${process.arch}), ${threads} thread${threads === 1 ? '' : 's'}`,
    },
    sessionOptions: {
      // warnings off: onnxruntime warns when its kernel's output shape differs from its own shape
      // inference (auto_pad with output_padding); the kit reports the result itself
      logSeverityLevel: 3,
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
    },
  });
}

/** onnxruntime-web's WebAssembly execution provider in Node, one thread, no proxy worker. */
export function onnxruntimeWebPeer(): Peer {
  ortWeb.env.wasm.numThreads = 1;
  ortWeb.env.wasm.proxy = false;
  return createOnnxRuntimePeer(ortWeb, {
    info: {
      name: 'onnxruntime-web',
      version: ortWeb.env.versions.web ?? ortWeb.env.versions.common,
      runtime: 'WebAssembly (Node), 1 thread',
    },
    sessionOptions: { executionProviders: ['wasm'], logSeverityLevel: 3 },
  });
}

/** Every Node peer, in report order: tfjs-cpu, tfjs-wasm, onnxruntime-node (1 thread), onnxruntime-web. */
export function nodePeers(): Peer[] {
  return [tfjsCpuPeer(), tfjsWasmPeer(), onnxruntimeNodePeer(), onnxruntimeWebPeer()];
}
