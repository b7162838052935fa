// The factories a browser page needs, without Node imports: the page imports the engine module
// itself (onnxruntime-web/webgpu, @tensorflow/tfjs-backend-webgpu) and hands it over.
import type { OrtModuleLike } from './onnxruntime';
import { createOnnxRuntimePeer } from './onnxruntime';
import type { Peer } from './peer';
import type { TfjsModule } from './tfjs';
import { createTfjsPeer } from './tfjs';

export type { OrtModuleLike, OrtSessionLike, OrtTensorLike } from './onnxruntime';
export { createOnnxRuntimePeer } from './onnxruntime';
export type { Peer, PeerCall, PeerInfo, PeerOp } from './peer';
export type { TfjsModule } from './tfjs';
export { createTfjsPeer } from './tfjs';

/**
 * onnxruntime-web on its WebGPU execution provider.
 * @param ort - `import * as ort from 'onnxruntime-web/webgpu'`
 * @param version - the onnxruntime-web version, for reports
 * @example
 * ```ts
 * import * as ort from 'onnxruntime-web/webgpu';
 * const peer = onnxruntimeWebGpuPeer(ort, '1.30.0');
 * ```
 */
export function onnxruntimeWebGpuPeer(ort: OrtModuleLike, version: string): Peer {
  return createOnnxRuntimePeer(ort, {
    info: { name: 'onnxruntime-web-webgpu', version, runtime: 'WebGPU (browser)' },
    sessionOptions: { executionProviders: ['webgpu'] },
  });
}

/**
 * TensorFlow.js on its WebGPU backend (register it first: `import '@tensorflow/tfjs-backend-webgpu'`).
 * @param tf - the tfjs-core module the backend registered with
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import '@tensorflow/tfjs-backend-webgpu';
 * const peer = tfjsWebGpuPeer(tf);
 * ```
 */
export function tfjsWebGpuPeer(tf: TfjsModule): Peer {
  return createTfjsPeer(tf, {
    backend: 'webgpu',
    info: { name: 'tfjs-webgpu', version: tf.version_core, runtime: 'WebGPU (browser)' },
  });
}
