import type { BackendCapabilities, ConvTransposeOptions, FloatArray, Tensor } from '@tconv/core';
import { dtypeOf, tensor } from '@tconv/core';
import { onnxNode } from './onnx-attributes';
import { onnxModel } from './onnx-model';
import type { Peer, PeerCall, PeerInfo, PeerOp } from './peer';
import { definePeer } from './peer';

/** The part of an ONNX Runtime tensor the adapter reads. */
export interface OrtTensorLike {
  readonly data: unknown;
  readonly dims: readonly number[];
}

/** The part of an ONNX Runtime session the adapter uses. */
export interface OrtSessionLike {
  run(feeds: Record<string, OrtTensorLike>): Promise<Record<string, OrtTensorLike>>;
  release(): Promise<void>;
}

/**
 * The part of an ONNX Runtime module the adapter uses: `onnxruntime-node`, `onnxruntime-web`,
 * `onnxruntime-web/webgpu` all fit, so one adapter serves every runtime.
 */
export interface OrtModuleLike {
  readonly InferenceSession: { create(model: Uint8Array, options?: object): Promise<OrtSessionLike> };
  readonly Tensor: new (
    type: 'float32' | 'float64',
    data: FloatArray,
    dims: readonly number[],
  ) => OrtTensorLike;
}

/** Options of {@link createOnnxRuntimePeer}. */
export interface OnnxRuntimePeerOptions {
  readonly info: PeerInfo;
  /** Passed to `InferenceSession.create` (execution providers, threads, optimization level). */
  readonly sessionOptions?: object;
  /** Default: ranks 1–3, float32 (ONNX Runtime registers its ConvTranspose kernels for float). */
  readonly capabilities?: BackendCapabilities;
  /** Sessions kept for repeated calls of the same node; default 32. */
  readonly cacheSize?: number;
}

/**
 * Wraps an ONNX Runtime module as a {@link Peer}: each call runs a one-node `ConvTranspose` (attributes
 * from core's `toOnnx`, padding words kept as `auto_pad`) or `Conv` model, so onnxruntime's own
 * padding and shape logic is what computes the result. Sessions are cached per node and shapes.
 * @example
 * ```ts
 * import * as ort from 'onnxruntime-node';
 * const peer = createOnnxRuntimePeer(ort, { info: { name: 'onnxruntime-node', version: '1.30.0', runtime: 'native CPU' } });
 * const y = await peer.convTranspose(x, w, { stride: 2, padding: 'same-upper' });
 * await peer.dispose();
 * ```
 */
export function createOnnxRuntimePeer(ort: OrtModuleLike, options: OnnxRuntimePeerOptions): Peer {
  const sessions = new Map<string, Promise<OrtSessionLike>>();
  const cacheSize = options.cacheSize ?? 32;

  function session(key: string, model: () => Uint8Array): Promise<OrtSessionLike> {
    let s = sessions.get(key);
    if (!s) {
      s = ort.InferenceSession.create(model(), options.sessionOptions ?? {});
      // a failed creation is not kept: the next call reports the engine's error again
      s.catch(() => sessions.delete(key));
      sessions.set(key, s);
      if (sessions.size > cacheSize) {
        const [oldest, evicted] = sessions.entries().next().value as [string, Promise<OrtSessionLike>];
        sessions.delete(oldest);
        evicted.then((e) => e.release()).catch(() => undefined);
      }
    }
    return s;
  }

  async function prepare(
    op: PeerOp,
    input: Tensor,
    weight: Tensor,
    o: ConvTransposeOptions,
  ): Promise<PeerCall> {
    const dtype = dtypeOf(input.data);
    const node = onnxNode(op, input.shape, weight.shape, o);
    const bias =
      o.bias === undefined
        ? undefined
        : dtype === 'float64'
          ? Float64Array.from(o.bias)
          : Float32Array.from(o.bias);
    const spec = { ...node, inputShape: input.shape, weightShape: weight.shape, bias: !!bias, dtype };
    const s = await session(JSON.stringify(spec), () => onnxModel(spec));
    const feeds: Record<string, OrtTensorLike> = {
      X: new ort.Tensor(dtype, input.data, [...input.shape]),
      W: new ort.Tensor(dtype, weight.data, [...weight.shape]),
    };
    if (bias) feeds.B = new ort.Tensor(dtype, bias, [bias.length]);
    return {
      async run() {
        await s.run(feeds);
      },
      async output() {
        const { Y } = await s.run(feeds);
        const data = Y!.data;
        const copy =
          dtype === 'float64'
            ? Float64Array.from(data as Float64Array)
            : Float32Array.from(data as Float32Array);
        return tensor(copy, Array.from(Y!.dims, Number));
      },
      dispose() {},
    };
  }

  return definePeer({
    info: options.info,
    capabilities: options.capabilities ?? { ranks: [1, 2, 3], dtypes: ['float32'] },
    prepare,
    translate: (op, inputShape, weightShape, o) => onnxNode(op, inputShape, weightShape, o),
    async dispose() {
      const all = [...sessions.values()];
      sessions.clear();
      await Promise.all(all.map((s) => s.then((e) => e.release()).catch(() => undefined)));
    },
  });
}
