import type { Peer } from '@tconv/peers';
import { onnxruntimeNodePeer, onnxruntimeWebPeer, tfjsCpuPeer, tfjsWasmPeer } from '@tconv/peers';
import type { Engine } from '../engine';

/**
 * A peer engine of `@tconv/peers` as a bench engine: the same implementation the interop matrix
 * runs. `prepare` converts layouts and creates sessions outside the timed `run`.
 */
export function peerEngine(peer: Peer, threads: number): Engine {
  return {
    name: peer.info.name,
    threads,
    supports: (w) => peer.cannotExpress('convTranspose', w.input, w.weight, w.options) ?? true,
    async prepare(w, x, weight) {
      const call = await peer.prepareConvTranspose(x, weight, w.options);
      return {
        run: () => call.run(),
        async output() {
          return (await call.output()).data as Float32Array;
        },
        dispose: () => call.dispose(),
      };
    },
    dispose: () => peer.dispose(),
  };
}

/** TensorFlow.js (cpu, wasm) and ONNX Runtime (node on 1 and 2 intra-op threads, web wasm on 1). */
export function peerEngines(): Engine[] {
  return [
    peerEngine(tfjsCpuPeer(), 1),
    peerEngine(tfjsWasmPeer(), 1),
    peerEngine(onnxruntimeNodePeer({ threads: 1 }), 1),
    peerEngine(onnxruntimeNodePeer({ threads: 2 }), 2),
    peerEngine(onnxruntimeWebPeer(), 1),
  ];
}
